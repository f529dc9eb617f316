"""The "What changed" log's filters, shared by its page and its feed."""

import django_filters

from .models import Council, Publication


class ChangeFilter(django_filters.FilterSet):
    council = django_filters.ModelChoiceFilter(
        queryset=Council.objects.all(),
        to_field_name="slug",
        empty_label="All councils",
        label="Council",
        error_messages={
            "invalid_choice": "Choose a council from the list",
        },
    )

    class Meta:
        model = Publication
        fields = ["council"]
