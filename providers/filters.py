import django_filters
from django import forms

from councils.models import Council

from .models import CareService, Rating, ServiceType, Specialism


class CareServiceFilter(django_filters.FilterSet):
    """The public directory's filters; every choice is validated."""

    SETTING_CHOICES = [("care_home", "Care homes"), ("community", "Community-based")]

    council = django_filters.ModelChoiceFilter(
        queryset=Council.objects.all(),
        to_field_name="slug",
        empty_label="All councils",
    )
    service_type = django_filters.ModelChoiceFilter(
        field_name="service_types",
        queryset=ServiceType.objects.all(),
        to_field_name="slug",
        empty_label="All service types",
        label="Service type",
    )
    client_group = django_filters.ModelChoiceFilter(
        field_name="specialisms",
        queryset=Specialism.objects.all(),
        to_field_name="slug",
        empty_label="All client groups",
        label="Specialism or client group",
    )
    rating = django_filters.ChoiceFilter(
        choices=Rating.choices, empty_label="Any rating", label="CQC rating"
    )
    setting = django_filters.ChoiceFilter(
        choices=SETTING_CHOICES,
        method="filter_setting",
        empty_label="Care homes and community",
        label="Care home or community",
    )

    class Meta:
        model = CareService
        fields = ["council", "service_type", "client_group", "rating", "setting"]

    def filter_setting(self, queryset, name, value):
        if value == "care_home":
            return queryset.care_homes()
        return queryset.community_based()

    @property
    def form(self):
        form = super().form
        for bound in form.fields.values():
            if isinstance(bound.widget, forms.Select):
                bound.widget.attrs.setdefault("class", "govuk-select")
        return form
