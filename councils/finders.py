"""What the finders (opportunities, arrangements, services) and site search share:
the applied-filters summary with a link to remove each filter, and the
"Showing 21 to 40 of 46" line."""

import re
from dataclasses import dataclass

from django import forms
from django.http import QueryDict

# Not filters: how the results are shown.
NOT_FILTERS = {"page", "sort"}
# "Reablement (3)": the count the facets add to a choice's label.
COUNT_SUFFIX = re.compile(r"\s*\(\d[\d,]*\)$")


@dataclass(frozen=True)
class AppliedFilter:
    group: str
    label: str
    remove_url: str


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
