import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.db.models import Count

from councils import finders
from councils.filters import KeywordFilter
from councils.models import Council

from .models import CareService, Rating, ServiceType, Specialism

POSTCODE_DISTRICT = RegexValidator(
    r"^[A-Za-z]{1,2}[0-9][A-Za-z0-9]?$",
    "Enter a postcode district like DH1 or NE8: the part of a postcode before the "
    "space",
)


CHECKBOXES = {"class": "govuk-checkboxes__input"}
SORTS = {
    "name": ("Name A to Z", lambda services: services.order_by("name", "pk")),
    "council": (
        "Council",
        lambda services: services.order_by("council__name", "name", "pk"),
    ),
    "rated": (
        "Most recently rated",
        lambda services: services.most_recently_rated_first(),
    ),
}
DEFAULT_SORT = "name"


class CareServiceFilter(finders.FinderFilterSet):
    """The public directory's filters; every choice is validated."""

    q = KeywordFilter(
        kind="service",
        help_text="A name, provider, postcode or type of service.",
    )
    postcode_district = django_filters.CharFilter(
        method="filter_district",
        label="Postcode district, for example DH1",
        max_length=4,
        validators=[POSTCODE_DISTRICT],
        error_messages={"max_length": POSTCODE_DISTRICT.message},
    )

    SETTING_CHOICES = [("care_home", "Care homes"), ("community", "Community-based")]
    # The facets of the vocabularies: the filter's name and the many-to-many field.
    TERM_FACETS = {"service_type": "service_types", "client_group": "specialisms"}

    council = finders.FacetChoiceFilter(
        label="Council",
        queryset=Council.objects.all(),
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple(attrs=CHECKBOXES),
        method="filter_council",
        error_messages={"invalid_choice": "Choose a council from the list"},
    )
    service_type = finders.FacetChoiceFilter(
        queryset=ServiceType.objects.all(),
        to_field_name="slug",
        label="Service type",
        widget=forms.CheckboxSelectMultiple(attrs=CHECKBOXES),
        method="filter_service_type",
        error_messages={"invalid_choice": "Choose a service type from the list"},
    )
    client_group = finders.FacetChoiceFilter(
        queryset=Specialism.objects.all(),
        to_field_name="slug",
        label="Specialism or client group",
        widget=forms.CheckboxSelectMultiple(attrs=CHECKBOXES),
        method="filter_client_group",
        error_messages={
            "invalid_choice": "Choose a specialism or client group from the list"
        },
    )
    rating = django_filters.MultipleChoiceFilter(
        choices=Rating.choices,
        label="CQC rating",
        widget=forms.CheckboxSelectMultiple(attrs=CHECKBOXES),
        method="filter_rating",
        error_messages={"invalid_choice": "Choose a CQC rating from the list"},
    )
    setting = django_filters.MultipleChoiceFilter(
        choices=SETTING_CHOICES,
        method="filter_setting",
        label="Care home or community",
        widget=forms.CheckboxSelectMultiple(attrs=CHECKBOXES),
        error_messages={
            "invalid_choice": "Choose care homes or community-based services"
        },
    )
    sort = django_filters.ChoiceFilter(
        label="Sort by",
        choices=[(key, label) for key, (label, _) in SORTS.items()],
        empty_label=None,
        method="sort_results",
        error_messages={
            "invalid_choice": "Choose how to sort from the list: “%(value)s” is "
            "not one of the orders"
        },
    )

    class Meta:
        model = CareService
        fields = []

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("sort"):
            queryset = SORTS[DEFAULT_SORT][1](queryset)
        return queryset

    def sort_results(self, queryset, name, value):
        return SORTS[value or DEFAULT_SORT][1](queryset)

    @property
    def sort_key(self) -> str:
        if self.is_bound and self.is_valid():
            return self.form.cleaned_data.get("sort") or DEFAULT_SORT
        return DEFAULT_SORT

    def filter_council(self, queryset, name, value):
        return queryset.filter(council__in=value) if finders.chosen(value) else queryset

    def filter_service_type(self, queryset, name, value):
        return self._through(queryset, CareService.service_types, "servicetype", value)

    def filter_client_group(self, queryset, name, value):
        return self._through(queryset, CareService.specialisms, "specialism", value)

    def _through(self, queryset, relation, column: str, value):
        # Through the join table, so a service in two chosen terms appears once.
        if not finders.chosen(value):
            return queryset
        return queryset.filter(
            pk__in=relation.through.objects.filter(**{f"{column}__in": value}).values(
                "careservice_id"
            )
        )

    def filter_rating(self, queryset, name, value):
        return queryset.filter(rating__in=value) if value else queryset

    def queryset_without(self, *excluded: str):
        """The results with every filter applied except ``excluded``, unordered."""
        queryset = self.queryset.all()
        for name, value in self.form.cleaned_data.items():
            if name not in (*excluded, "sort"):
                queryset = self.filters[name].filter(queryset, value)
        return queryset.order_by()

    def facet_counts(self) -> dict[str, dict]:
        """The facet counts (``count_facets``) for these filters, counted once per
        content version (``councils.finders.counted_once``): every sort and page
        of the same filters share them."""
        return finders.counted_once("services facets", self.data, self.count_facets)

    def count_facets(self) -> dict[str, dict]:
        """How many services each choice has, one query per facet (for a
        keyword, one query for all of them: ``count_in_one_pass``), and how many
        results in all (``total``: the council counts, summed over the councils
        chosen, or all of them)."""
        data = self.form.cleaned_data
        if finders.searched_without_terms(data, self.TERM_FACETS):
            counts = self.count_in_one_pass()
        else:
            counts = self.count_each_facet()
        chosen = {council.pk for council in data.get("council") or []}
        counts["total"] = sum(
            n
            for council_id, n in counts["council"].items()
            if not chosen or council_id in chosen
        )
        return counts

    def count_in_one_pass(self) -> dict[str, dict]:
        """The facet counts for a keyword, when no service type or specialism is
        chosen: the results without the council, rating and setting filters,
        read once for every facet, so the keyword is searched once
        (``councils.finders.count_in_one_pass``; at national scale "nursing
        home" took 160 ms counted a facet at a time)."""
        data = self.form.cleaned_data
        settings = {"care_home": True, "community": False}
        return finders.count_in_one_pass(
            self.queryset_without("council", "rating", "setting"),
            {
                "council": (
                    "council",
                    {council.pk for council in data.get("council") or []},
                ),
                "rating": ("rating", set(data.get("rating") or [])),
                "setting": (
                    "care_home",
                    {settings[value] for value in data.get("setting") or []},
                ),
            },
            self.TERM_FACETS,
        )

    def count_each_facet(self) -> dict[str, dict]:
        """The facet counts, one query per facet over the results without that
        facet's own filter."""
        counts = {}
        for name, column in (
            ("council", "council_id"),
            ("rating", "rating"),
            ("setting", "care_home"),
        ):
            rows = (
                self.queryset_without(name)
                .values(column)
                .annotate(n=Count("pk"))
                .values_list(column, "n")
            )
            counts[name] = dict(rows)
        for name, relation, column in (
            ("service_type", CareService.service_types, "servicetype_id"),
            ("client_group", CareService.specialisms, "specialism_id"),
        ):
            rows = (
                relation.through.objects.filter(
                    careservice_id__in=self.queryset_without(name).values("pk")
                )
                .values(column)
                .annotate(n=Count("careservice_id"))
                .order_by()
                .values_list(column, "n")
            )
            counts[name] = dict(rows)
        return counts

    def label_facets(self, counts: dict[str, dict]) -> None:
        """Show each choice's count in its label, e.g. "Dementia (3)"."""
        fields = self.form.fields
        names = ("council", "service_type", "client_group")
        rows = finders.facet_rows([fields[name] for name in names])
        for name, found in zip(names, rows, strict=True):
            finders.label_model_facet(
                fields[name], counts[name], number=",", rows=found
            )
        fields["rating"].choices = [
            (value, f"{label} ({counts['rating'].get(value, 0):,})")
            for value, label in Rating.choices
        ]
        settings = {"care_home": True, "community": False}
        fields["setting"].choices = [
            (value, f"{label} ({counts['setting'].get(settings[value], 0):,})")
            for value, label in self.SETTING_CHOICES
        ]

    def filter_district(self, queryset, name, value):
        return queryset.in_postcode_district(value)

    def filter_setting(self, queryset, name, value):
        if not value or set(value) == {"care_home", "community"}:
            return queryset
        if value == ["care_home"]:
            return queryset.care_homes()
        return queryset.community_based()

    @property
    def form(self):
        form = super().form
        for bound in form.fields.values():
            if isinstance(bound.widget, forms.Select):
                bound.widget.attrs.setdefault("class", "govuk-select")
            elif isinstance(bound.widget, forms.TextInput):
                bound.widget.attrs.setdefault("class", "govuk-input")
        return form
