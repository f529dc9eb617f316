"""Filters for market pages, market data downloads and the "What changed" log."""

import django_filters
from django import forms

from . import search
from .finders import FinderFilterSet, choices_by_name
from .models import (
    CommissioningIntention,
    Council,
    Indicator,
    IndicatorValue,
    Publication,
    TypeOfCare,
)

CHECKBOXES = {"class": "govuk-checkboxes__input"}


def council_filter(**kwargs):
    """Councils chosen by slug. Give ``field_name`` as the path to the council's
    slug (``council__slug``): django-filter compares it with the chosen slugs."""
    return django_filters.ModelMultipleChoiceFilter(
        label="Council",
        queryset=Council.objects.all(),
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple(attrs=CHECKBOXES),
        error_messages={
            "invalid_choice": "There is no council “%(value)s”: choose councils "
            "from the list"
        },
        **kwargs,
    )


def type_of_care_filter(field_name="type_of_care__slug", **kwargs):
    """Types of care chosen by slug; ``field_name`` is the path to their slug."""
    return django_filters.ModelMultipleChoiceFilter(
        field_name=field_name,
        label="Type of care",
        queryset=TypeOfCare.objects.all(),
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple(attrs=CHECKBOXES),
        error_messages={
            "invalid_choice": "There is no type of care “%(value)s”: choose from "
            "the list"
        },
        **kwargs,
    )


class CouncilChoiceFilter(FinderFilterSet):
    """Which councils a market page or indicator comparison shows (all when none)."""

    council = council_filter(method="filter_council")

    def filter_council(self, queryset, name, value):
        return queryset.filter(slug__in=[c.slug for c in value]) if value else queryset

    class Meta:
        model = Council
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices_by_name(self.form.fields["council"])

    def council_count(self) -> int:
        """How many councils there are to choose from: the picker's rows, read
        once for its checkboxes too (``choices_by_name``)."""
        return len(self.form.fields["council"].facet_choices)

    def chosen_councils(self, *, limit: int | None = None) -> list[Council]:
        """The councils chosen (every council when none), by name; at most
        ``limit`` of them."""
        councils = self.qs.select_related("region").order_by("name")
        return list(councils[:limit] if limit else councils)


class IntentionFilter(django_filters.FilterSet):
    """Commissioning intentions by council and type of care, for downloads."""

    council = council_filter(field_name="council__slug")
    type_of_care = type_of_care_filter()

    class Meta:
        model = CommissioningIntention
        fields = []


class IndicatorValueFilter(django_filters.FilterSet):
    """Indicator figures by indicator, council and type of care, for downloads.

    Choosing councils keeps their region's and England's figures, so every
    download carries its comparators.
    """

    indicator = django_filters.ModelMultipleChoiceFilter(
        field_name="indicator__slug",
        label="Indicator",
        queryset=Indicator.objects.all(),
        to_field_name="slug",
        error_messages={
            "invalid_choice": "There is no indicator “%(value)s”: choose from the list"
        },
    )
    council = council_filter(method="filter_council")
    type_of_care = type_of_care_filter(
        field_name="indicator__types_of_care__slug", distinct=True
    )

    class Meta:
        model = IndicatorValue
        fields = []

    def filter_council(self, queryset, name, value):
        return queryset.for_areas(value) if value else queryset


class ChangeFilter(FinderFilterSet):
    """The "What changed" log by council and by type of care (all when none)."""

    council = council_filter(field_name="council__slug")
    type_of_care = type_of_care_filter(method="filter_type_of_care")

    class Meta:
        model = Publication
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices_by_name(self.form.fields["council"], self.form.fields["type_of_care"])

    def filter_type_of_care(self, queryset, name, value):
        return queryset.about(value) if value else queryset


class Keywords(str):
    """Keywords as typed, with the query they were read as (``parsed``)."""

    parsed: "search.ParsedQuery"

    def matches(self, kind: str):
        """What the sources of kind ``kind`` are filtered by, worked out once
        however many facets filter by it: the list of matching ids when there are
        few (``search.few_matching_ids``), else the subquery."""
        found = self.__dict__.setdefault("_matches", {})
        if kind not in found:
            ids = search.few_matching_ids(kind, self.parsed)
            found[kind] = search.matching_ids(kind, self.parsed) if ids is None else ids
        return found[kind]


class KeywordField(forms.CharField):
    """Words for the site search engine: an unsearchable query is a form error.
    Cleans to ``Keywords``, read once however many facets filter by them. The
    phrases the words are read with are kept per content version
    (``search.kept_phrases``), as a finder's matches and counts are."""

    def clean(self, value):
        text = super().clean(value)
        if not text or not text.strip():
            return text
        try:
            parsed = search.parse_query(text, search.kept_phrases())
        except search.QueryError as error:
            raise forms.ValidationError(str(error), code="query") from error
        keywords = Keywords(text)
        keywords.parsed = parsed
        return keywords


class KeywordFilter(django_filters.CharFilter):
    """A finder's keyword box, searched by the site search engine in the documents
    of one kind (``councils.search``): words are stemmed ("supported living" finds
    "support living") and types of care kept together ("home care")."""

    field_class = KeywordField

    def __init__(self, *, kind: str, **kwargs):
        self.kind = kind
        kwargs.setdefault("label", "Keywords")
        super().__init__(**kwargs)

    def filter(self, qs, value):
        if getattr(value, "parsed", None) is None:
            return qs
        return search.with_matches(qs, value.matches(self.kind))
