from django import forms

from . import search
from .models import Council

CHECKBOXES = {"class": "govuk-checkboxes__input"}


def _kind_choices():
    return [(kind.key, kind.label) for kind in search.kinds()]


class SearchForm(forms.Form):
    """The site search: words, and which kinds of page and councils to look in."""

    q = forms.CharField(
        label="Search the portal",
        required=False,
        help_text=(
            'Put words in quotes to find them together ("day opportunities"). '
            "Put - before a word to leave it out."
        ),
        widget=forms.TextInput(attrs={"class": "govuk-input", "type": "search"}),
    )
    kind = forms.MultipleChoiceField(
        label="Kind of page",
        required=False,
        choices=_kind_choices,
        widget=forms.CheckboxSelectMultiple(attrs=CHECKBOXES),
        error_messages={
            "invalid_choice": "There is no kind of page “%(value)s”: choose from "
            "the list"
        },
    )
    council = forms.ModelMultipleChoiceField(
        label="Council",
        required=False,
        queryset=Council.objects.all(),
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple(attrs=CHECKBOXES),
        error_messages={
            "invalid_choice": "There is no council “%(value)s”: choose councils "
            "from the list"
        },
    )

    def clean_q(self):
        text = self.cleaned_data["q"]
        if not text.strip():
            return None
        try:
            return search.parse_query(text)
        except search.QueryError as error:
            raise forms.ValidationError(str(error), code="query") from error
