"""The registry of alert sources, and the two topics every source can answer.

A feature app registers, from its ``AppConfig.ready()``::

    sources.register(
        "tenders",
        label="Tender opportunities",
        finder="tenders:tender-list",
        filterset=TenderFilter,
        changed=lambda start, end: Tender.objects.visible().filter(...),
        item=lambda tender: sources.Item(...),
        topics={"council": "council", "type_of_care": "type_of_care"},
    )

``changed(start, end)`` is the queryset of what is new or changed in the window;
the subscription's validated filters are applied to it by the source's FilterSet,
so an alert matches exactly what the finder would show. ``topics`` names the
filter that answers a council or type-of-care subscription.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode

from django.http import QueryDict

# Filters that change how a finder shows results, not which: never part of a search.
NOT_FILTERS = {"page", "sort", "format"}


@dataclass(frozen=True)
class Item:
    """One thing an email tells about."""

    key: str  # unique per thing and per change, e.g. "tenders:12:2026-11-30T10:00"
    title: str
    url: str  # a path on the portal
    summary: str
    happened_at: datetime


@dataclass(frozen=True)
class Source:
    key: str
    label: str
    filterset: type
    changed: Callable[[datetime, datetime], object]
    item: Callable[[object], Item]
    finder: str = ""
    topics: dict[str, str] = field(default_factory=dict)

    def bind(self, query: str, queryset=None):
        """The source's FilterSet bound to a stored or asked-for query."""
        data = QueryDict(query)
        if queryset is None:
            return self.filterset(data=data)
        return self.filterset(data=data, queryset=queryset)


@dataclass(frozen=True)
class Topic:
    """A subscription answered by every source that has its filter."""

    key: str
    filter_name: str
    label: str


TOPICS = {
    "council": Topic("council", "council", "this council"),
    "market": Topic("market", "type_of_care", "this type of care"),
}

_registry: dict[str, Source] = {}


def register(key: str, **kwargs) -> Source:
    if key in TOPICS:
        raise ValueError(f"{key!r} is a topic, not a source")
    source = Source(key=key, **kwargs)
    _registry[key] = source
    return source


def get(key: str) -> Source | None:
    return _registry.get(key)


def all_sources() -> list[Source]:
    return list(_registry.values())


def answering(topic: Topic) -> list[Source]:
    """The sources whose FilterSets take the topic's filter."""
    return [s for s in _registry.values() if topic.filter_name in s.topics]


def canonical_query(filterset) -> str:
    """The filters asked for, as one sorted query string: the same search typed in
    another order is the same subscription. Only the FilterSet's own filters
    count, and empty ones are dropped."""
    data = filterset.data
    pairs = sorted(
        (name, value.strip())
        for name in filterset.filters
        if name not in NOT_FILTERS
        for value in data.getlist(name)
        if value.strip()
    )
    return urlencode(pairs)


def describe(filterset) -> list[tuple[str, str]]:
    """(label, value) pairs for the filters in use, as a person reads them."""
    rows = []
    cleaned = filterset.form.cleaned_data
    for name, bound_filter in filterset.filters.items():
        if name in NOT_FILTERS:
            continue
        value = cleaned.get(name)
        if value in (None, "", [], False) or (hasattr(value, "exists") and not value):
            continue
        field = filterset.form.fields[name]
        labels = (
            {str(k): str(v) for k, v in field.choices}
            if getattr(field, "choices", None) and not hasattr(field, "queryset")
            else {}
        )
        if hasattr(value, "__iter__") and not isinstance(value, str):
            shown = ", ".join(labels.get(str(v), str(v)) for v in value)
        elif labels:
            shown = labels.get(str(value), str(value))
        elif value is True:
            shown = "Yes"
        else:
            shown = str(value)
        rows.append((str(bound_filter.label or name).capitalize(), str(shown)))
    return rows
