"""What the finders (opportunities, arrangements, services) and site search share:
the applied-filters summary with a link to remove each filter, the
"Showing 21 to 40 of 46" line and the facets' checkboxes."""

import copy
import html
import re
from collections.abc import Callable
from dataclasses import dataclass

import django_filters
import django_filters.fields
from django import forms
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.forms.boundfield import BoundField
from django.http import QueryDict
from django.utils.safestring import SafeString, mark_safe

from .pagecache import versioned_key

# Not filters: how the results are shown.
NOT_FILTERS = {"page", "sort"}
# Counts are kept per content version (``counted_once``); this only bounds how
# long an entry nobody asks for again takes cache space.
COUNTS_SECONDS = 3600
# "Reablement (3)": the count the facets add to a choice's label.
COUNT_SUFFIX = re.compile(r"\s*\(\d[\d,]*\)$")


@dataclass(frozen=True)
class AppliedFilter:
    group: str
    label: str
    remove_url: str


class FiltersCopiedShallow(dict):
    """A FilterSet class's filters, which ``copy.deepcopy`` (what a FilterSet
    makes its own filters with) copies one level deep: each filter a new object
    with its attributes shared, its ``method`` bound to the copy."""

    def __deepcopy__(self, memo):
        copies = {}
        for name, filter_ in self.items():
            copied = copy.copy(filter_)
            if filter_.method is not None:
                copied.method = filter_.method  # a FilterMethod of the copy's own
            copies[name] = copied
        return copies


class FinderFilterSet(django_filters.FilterSet):
    """A finder's filters, with the form class made once per FilterSet class.

    django-filter makes a form class for every request, building each filter's
    form field first (about half a millisecond for the opportunity finder's); the
    fields are the same every time (their labels, choices and querysets do not
    depend on the request), and each form copies its class's fields, so one class
    serves every request. A finder changes its own form's fields (facet counts),
    never the class's."""

    def __init__(self, *args, **kwargs):
        # django-filter deep-copies every filter for each filterset it makes
        # (0.5 to 0.75 ms for the opportunity finder's eleven: their querysets,
        # widgets and choices). A request sets only each copy's ``model`` and
        # ``parent``, so a shallow copy per request serves as well.
        cls = type(self)
        filters = cls.__dict__.get("_finder_base_filters")
        if filters is None:
            filters = cls._finder_base_filters = FiltersCopiedShallow(cls.base_filters)
        self.base_filters = filters
        super().__init__(*args, **kwargs)

    def get_form_class(self):
        cls = type(self)
        form_class = cls.__dict__.get("_finder_form_class")
        if form_class is None:
            form_class = cls._finder_form_class = super().get_form_class()
        return form_class


def chosen(value) -> bool:
    """Whether a filter's value chose anything. Rows left unchosen clean to
    ``queryset.none()``, which ``bool()`` would compile as a query (never sent)
    on every request; rows chosen were read when the form checked them."""
    if isinstance(value, QuerySet):
        return not value.query.is_empty() and bool(value)
    return bool(value)


def with_names(rows: list, field: str, attribute: str) -> list:
    """The rows, each with ``attribute``: the names of its terms in the
    many-to-many ``field`` (types of care, say), in the terms' own order, read
    in one query of names. A list shows the names only; prefetching the terms as
    objects cost about three times as much."""
    names = {row.pk: [] for row in rows}
    if names:
        relation = type(rows[0])._meta.get_field(field)
        source = f"{relation.m2m_field_name()}_id"
        target = relation.m2m_reverse_field_name()
        order = [
            f"-{target}__{key[1:]}" if key.startswith("-") else f"{target}__{key}"
            for key in relation.related_model._meta.ordering
        ]
        pairs = (
            relation.remote_field.through.objects.filter(**{f"{source}__in": names})
            .order_by(*order)
            .values_list(source, f"{target}__name")
        )
        for pk, name in pairs:
            names[pk].append(name)
    for row in rows:
        setattr(row, attribute, names[row.pk])
    return rows


class WithNames:
    """Results to page through whose rows come with their terms' names
    (``with_names``): a Paginator needs only ``count()`` and slicing."""

    def __init__(self, results, field: str, attribute: str):
        self.results, self.field, self.attribute = results, field, attribute

    def count(self) -> int:
        return self.results.count()

    def __getitem__(self, page: slice) -> list:
        return with_names(list(self.results[page]), self.field, self.attribute)


def _without(data: QueryDict, name: str, value: str) -> str:
    query = data.copy()
    query.pop("page", None)
    query.setlist(name, [v for v in query.getlist(name) if v != value])
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


def applied_filters(form: forms.Form, data: QueryDict) -> list[AppliedFilter]:
    """One entry per value the reader chose, with the address of the same page
    without it. Values the form does not know are left out (the form says why)."""
    applied = []
    for name, field in form.fields.items():
        if name in NOT_FILTERS:
            continue
        values = [v for v in data.getlist(name) if v.strip()]
        if not values:
            continue
        group = str(field.label or name)
        chosen = getattr(form, "cleaned_data", {}).get(name)
        choices = getattr(field, "choices", None)
        if isinstance(field, forms.ModelMultipleChoiceField) and chosen is not None:
            # The chosen rows are already loaded: no second query for the labels.
            key = field.to_field_name or "pk"
            for obj in chosen:
                value = str(getattr(obj, key))
                label = COUNT_SUFFIX.sub("", str(field.label_from_instance(obj)))
                applied.append(AppliedFilter(group, label, _without(data, name, value)))
        elif choices is not None:
            labels = {str(key): str(text) for key, text in choices if key != ""}
            for value in values:
                if value in labels:
                    label = COUNT_SUFFIX.sub("", labels[value])
                    applied.append(
                        AppliedFilter(group, label, _without(data, name, value))
                    )
        elif isinstance(field, forms.BooleanField):
            remove = _without(data, name, values[0])
            applied.append(AppliedFilter(group, "Yes", remove))
        else:
            for value in values:
                applied.append(
                    AppliedFilter(
                        group, f"“{value.strip()}”", _without(data, name, value)
                    )
                )
    return applied


def showing(page) -> str:
    """ "Showing 21 to 40 of 46" for a page of results."""
    if page is None or not page.paginator.count:
        return ""
    return (
        f"Showing {page.start_index():,} to {page.end_index():,} "
        f"of {page.paginator.count:,}"
    )


def count_text(count: int, singular: str, plural: str) -> str:
    """The count with its noun: "1 opportunity", "46 opportunities"."""
    return f"{count:,} {singular if count == 1 else plural}"


CHECKBOX_ITEM = (
    '      <div class="govuk-checkboxes__item">\n'
    '        <input type="checkbox" name="{name}" value="{value}"{attrs}>\n'
    '        <label class="govuk-label govuk-checkboxes__label" for="{id}">{label}'
    "</label>\n"
    "      </div>\n"
)


def _choices(field: forms.Field) -> list[tuple[object, object]]:
    """(value, label) of every choice; a model field's rows in one plain query
    (its own iterator opens a server-side cursor: three round trips), or the
    ones ``label_model_facet`` read."""
    if hasattr(field, "facet_choices"):
        return field.facet_choices
    if isinstance(field, forms.ModelMultipleChoiceField):
        return [
            (field.prepare_value(obj), field.label_from_instance(obj))
            for obj in field.queryset
        ]
    return list(field.choices)


def choices_by_name(*fields: forms.ModelMultipleChoiceField) -> None:
    """Give pickers their choices as (value, name) rows, not model instances.

    ``label_model_facet`` without the counts, for pickers that show none: the
    checkboxes (``checkbox_items``) show each row's choice value and name, what
    ``str()`` gives for councils and types of care; a council picker's 153
    ``Council`` objects cost about two milliseconds a request. The rows are the
    ones ``facet_rows`` keeps per content version (one shared-cache lookup for
    all the pickers, rather than a query each); the chosen rows are still
    cleaned into instances.
    """
    for field, rows in zip(fields, facet_rows(list(fields)), strict=True):
        field.facet_choices = [(value, name) for value, _, name in rows]


def facet_rows(fields: list[forms.ModelMultipleChoiceField]) -> list[list[tuple]]:
    """(choice value, key, name) of every row of each of a finder's facets, kept
    per content version (``versioned_key``): every request shows the same rows
    (councils, types of care), any write to them makes a new version, and one
    shared-cache lookup for the facets together saves a query each. A facet
    whose queryset is filtered, ordered or sliced is read each time."""
    plain = all(_is_plain(field) for field in fields)

    def read() -> list[list[tuple]]:
        return [
            list(field.queryset.values_list(field.to_field_name or "pk", "pk", "name"))
            for field in fields
        ]

    if not plain:
        return read()
    key = versioned_key(
        "finders:choices",
        [(field.queryset.model._meta.label, field.to_field_name) for field in fields],
    )
    rows = cache.get(key)
    if rows is None:
        rows = read()
        cache.set(key, rows, timeout=COUNTS_SECONDS)
    return rows


def _is_plain(field: forms.ModelMultipleChoiceField) -> bool:
    query = field.queryset.query
    return not query.where and not query.order_by and not query.is_sliced


class FacetChoiceField(django_filters.fields.ModelMultipleChoiceField):
    """A facet's choices, checked against its rows kept per content version
    (``facet_rows``) rather than read again for each request.

    Django's field builds a filter for each chosen value and reads the chosen rows
    in a query of their own, a query per facet in use on every filtered request.
    Here the chosen values are looked up among the facet's rows (value, key and
    name), and the cleaned value is the chosen rows as instances holding only
    those three fields, in the queryset's order, as Django's field gives them; any
    other field is read from the database if asked for (Django's deferred
    fields). A facet chosen by primary key, or whose queryset is filtered, is
    cleaned as Django cleans it."""

    def _check_values(self, value):
        if not self.to_field_name or not _is_plain(self):
            return super()._check_values(value)
        null = self.null_label is not None and value and self.null_value in value
        if null:
            value = [v for v in value if v != self.null_value]
        for chosen_value in value:
            self.validate_no_null_characters(chosen_value)
        rows = facet_rows([self])[0]
        known = {str(choice) for choice, _, _ in rows}
        for chosen_value in value:
            if str(chosen_value) not in known:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": chosen_value},
                )
        wanted = {str(v) for v in value}
        meta = self.queryset.model._meta
        attnames = (meta.get_field(self.to_field_name).attname, meta.pk.attname, "name")
        # The row's values in the order of the model's fields, as from_db takes them.
        fields = [f.attname for f in meta.concrete_fields if f.attname in attnames]
        order = [attnames.index(name) for name in fields]
        result = [
            self.queryset.model.from_db(
                self.queryset.db, fields, [row[i] for i in order]
            )
            for row in rows
            if str(row[0]) in wanted
        ]
        return result + ([self.null_value] if null else [])


class FacetChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    """A finder's facet of rows (councils, a vocabulary): ``FacetChoiceField``."""

    field_class = FacetChoiceField


def label_model_facet(
    field: forms.ModelMultipleChoiceField,
    counts: dict,
    number: str = "",
    rows: list[tuple] | None = None,
) -> None:
    """Show each row's count in its label, "Reablement (3)" (``number`` the
    format of the count: "," for "1,234").

    The choices are set from the rows' values (key, choice value and name, read
    in one query) rather than built as model instances: a council facet's 153
    ``Council`` objects cost a couple of milliseconds a request. The label is the
    row's name, what ``str()`` of the facets' models (councils and the
    vocabularies) gives; the chosen rows, which the form cleans into instances,
    get the same label from ``label_from_instance`` (the applied filters).
    ``rows``, when given, are those rows already read (``facet_rows``)."""
    field.label_from_instance = lambda obj: f"{obj} ({counts.get(obj.pk, 0):{number}})"
    if rows is None:
        rows = field.queryset.values_list(field.to_field_name or "pk", "pk", "name")
    # Not ``field.choices``: django-filter's field would wrap them in a model
    # iterator.
    field.facet_choices = [
        (value, f"{name} ({counts.get(pk, 0):{number}})") for value, pk, name in rows
    ]


def _attribute(key: str, value) -> str:
    return f" {key}" if value is True else f' {key}="{html.escape(str(value))}"'


def _label(label) -> str:
    """``conditional_escape`` without its lazy-string wrapper."""
    return label.__html__() if hasattr(label, "__html__") else html.escape(str(label))


def checkbox_items(bound: BoundField) -> SafeString:
    """The checkboxes of a multiple-choice field, the markup Django's
    ``CheckboxSelectMultiple`` gives (attributes, ids, ``checked``), written in
    one pass: a finder's council facet has 153 choices, and rendering each
    through a template was most of the page's time. The attributes every choice
    shares are written once, around each choice's id, with ``checked`` last, as
    Django adds it."""
    widget = bound.field.widget
    base = widget.build_attrs(
        widget.attrs,
        bound.build_widget_attrs({"id": bound.auto_id} if bound.auto_id else {}),
    )
    chosen = set(widget.format_value(bound.value()))
    name = html.escape(bound.html_name)
    base.pop("checked", None)  # each choice's own, below
    keys = list(base)
    split = keys.index("id") if "id" in base else len(keys)
    before, after = (
        "".join(_attribute(key, base[key]) for key in part if base[key] is not False)
        for part in (keys[:split], keys[split + 1 :])
    )
    items = []
    for index, (value, label) in enumerate(_choices(bound.field)):
        value = "" if value is None else str(value)
        id_ = ""
        attrs = before
        if "id" in base:
            id_ = widget.id_for_label(base["id"], str(index))
            attrs += "" if id_ is False else _attribute("id", id_)
        attrs += after
        if value in chosen:
            attrs += " checked"
        items.append(
            CHECKBOX_ITEM.format(
                name=name,
                value=html.escape(value),
                attrs=attrs,
                id=html.escape(str(id_ or "")),
                label=_label(label),
            )
        )
    return mark_safe("".join(items))  # noqa: S308 - every value above is escaped


def searched_without_terms(cleaned_data: dict, terms: dict[str, str]) -> bool:
    """Whether a finder's filters have keywords (``q``) and none of the ``terms``
    facets chosen: when its facets are counted in one pass over the keywords'
    matches (``count_in_one_pass``)."""
    return getattr(cleaned_data.get("q"), "parsed", None) is not None and not any(
        chosen(cleaned_data.get(name)) for name in terms
    )


def count_in_one_pass(
    results: QuerySet,
    columns: dict[str, tuple[str, set]],
    terms: dict[str, str],
) -> dict[str, dict]:
    """How many of ``results`` each choice of a finder's facets has, every facet
    counted over the rows the other facets' choices keep, in one query.

    ``columns``: the facets of a column of the results (a council, a status), as
    facet name → (the field, the values chosen; none: every value); the results
    are those before any of them is applied. ``terms``: the facets of a
    many-to-many field (types of care), as facet name → field, none of them
    chosen. Each column facet is counted over the rows the other column facets'
    choices keep, each term facet over the rows all of them keep.

    The results are read once, as a common table expression that every count
    reads, rather than once a facet: for a keyword with many matches, each
    facet's own query repeated the keyword's search and the scan of every live
    row (three times 200 ms at national scale)."""
    counts = {name: {} for name in (*columns, *terms)}
    connection = connections[results.db]
    quote = connection.ops.quote_name
    fields = [field for field, _ in columns.values()]
    try:
        sql, params = (
            results.order_by().values_list("pk", *fields).query.sql_with_params()
        )
    except EmptyResultSet:
        return counts
    names = [*columns, *terms]
    meta = results.model._meta
    relations = [meta.get_field(field) for field in terms.values()]
    # One column per column facet's value, one for a term; the others NULL, of
    # the column's type (PostgreSQL takes a bare NULL as text).
    types = [meta.get_field(field).cast_db_type(connection) for field in fields]
    types += [
        relation.related_model._meta.pk.cast_db_type(connection)
        for relation in relations[:1]
    ]
    width = len(types)
    parts, values = [], list(params)

    def where(skipped: str | None) -> str:
        conditions = []
        for index, (name, (_, chosen)) in enumerate(columns.items()):
            if name != skipped and chosen:
                conditions.append(
                    f"matched.f{index} IN ({', '.join(['%s'] * len(chosen))})"
                )
                values.extend(chosen)
        return f" WHERE {' AND '.join(conditions)}" if conditions else ""

    def select(index: int, value: str) -> str:
        shown = [f"CAST(NULL AS {type_})" for type_ in types]
        shown[min(index, width - 1)] = value
        return f"SELECT {index}, {', '.join(shown)}, COUNT(*)"

    for index, name in enumerate(columns):
        value = f"matched.f{index}"
        parts.append(
            f"{select(index, value)} FROM matched{where(name)} GROUP BY {value}"
        )
    for index, relation in enumerate(relations, start=len(fields)):
        through = relation.remote_field.through._meta
        source = quote(through.get_field(relation.m2m_field_name()).column)
        target = quote(through.get_field(relation.m2m_reverse_field_name()).column)
        value = f"term.{target}"
        parts.append(
            f"{select(index, value)} FROM {quote(through.db_table)} term "
            f"INNER JOIN matched ON term.{source} = matched.k{where(None)} "
            f"GROUP BY {value}"
        )
    aliases = ", ".join(["k", *(f"f{index}" for index in range(len(fields)))])
    query = f"WITH matched ({aliases}) AS ({sql}) " + " UNION ALL ".join(parts)
    with connection.cursor() as cursor:
        cursor.execute(query, values)
        for index, *shown, n in cursor.fetchall():
            counts[names[index]][shown[min(index, width - 1)]] = n
    return counts


def counted_once(kind: str, data: QueryDict, count: Callable, lazy: bool = False):
    """``count()`` (a finder's facet counts, say) for the filters in ``data``,
    counted once per content version.

    Kept in the shared cache under the public content version
    (``councils.pagecache``), which every write to public content and every
    scheduled publication falling due replaces, so counts kept are exactly what
    counting again would give; every sort and page of the same filters share
    them. With ``lazy``, a callable that looks the counts up (or counts them) only
    when called.
    """
    chosen = sorted(
        (name, value)
        for name, values in data.lists()
        if name not in NOT_FILTERS
        for value in values
    )

    def look_up():
        key = versioned_key("finders:counts", kind, chosen)
        counts = cache.get(key)
        if counts is None:
            counts = count()
            cache.set(key, counts, timeout=COUNTS_SECONDS)
        return counts

    return look_up if lazy else look_up()
