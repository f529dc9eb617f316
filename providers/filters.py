import django_filters
from django import forms
from django.core.validators import RegexValidator

from councils.filters import KeywordFilter
from councils.models import Council

from .models import CareService, Rating, ServiceType, Specialism

POSTCODE_DISTRICT = RegexValidator(
    r"^[A-Za-z]{1,2}[0-9][A-Za-z0-9]?$",
    "Enter a postcode district like DH1 or NE8: the part of a postcode before the "
    "space",
)


class CareServiceFilter(django_filters.FilterSet):
    """The public directory's filters; every choice is validated."""

    q = KeywordFilter(
        kind="service",
        help_text="A name, provider, postcode or type of service. Words typed "
        "together are found together.",
    )
    postcode_district = django_filters.CharFilter(
        method="filter_district",
        label="Postcode district, for example DH1",
        max_length=4,
        validators=[POSTCODE_DISTRICT],
        error_messages={"max_length": POSTCODE_DISTRICT.message},
    )

    SETTING_CHOICES = [("care_home", "Care homes"), ("community", "Community-based")]

    council = django_filters.ModelChoiceFilter(
        queryset=Council.objects.all(),
        to_field_name="slug",
        empty_label="All councils",
        error_messages={"invalid_choice": "Choose a council from the list"},
    )
    service_type = django_filters.ModelChoiceFilter(
        field_name="service_types",
        queryset=ServiceType.objects.all(),
        to_field_name="slug",
        empty_label="All service types",
        label="Service type",
        error_messages={"invalid_choice": "Choose a service type from the list"},
    )
    client_group = django_filters.ModelChoiceFilter(
        field_name="specialisms",
        queryset=Specialism.objects.all(),
        to_field_name="slug",
        empty_label="All client groups",
        label="Specialism or client group",
        error_messages={
            "invalid_choice": "Choose a specialism or client group from the list"
        },
    )
    rating = django_filters.ChoiceFilter(
        choices=Rating.choices,
        empty_label="Any rating",
        label="CQC rating",
        error_messages={"invalid_choice": "Choose a CQC rating from the list"},
    )
    setting = django_filters.ChoiceFilter(
        choices=SETTING_CHOICES,
        method="filter_setting",
        empty_label="Care homes and community",
        label="Care home or community",
        error_messages={
            "invalid_choice": "Choose care homes or community-based services"
        },
    )

    class Meta:
        model = CareService
        fields = [
            "q",
            "postcode_district",
            "council",
            "service_type",
            "client_group",
            "rating",
            "setting",
        ]

    def filter_district(self, queryset, name, value):
        return queryset.in_postcode_district(value)

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
            elif isinstance(bound.widget, forms.TextInput):
                bound.widget.attrs.setdefault("class", "govuk-input")
        return form
