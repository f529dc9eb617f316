from django import forms

from . import search

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
    council = forms.MultipleChoiceField(
        label="Council",
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs=CHECKBOXES),
        error_messages={
            "invalid_choice": "There is no council “%(value)s”: choose councils "
            "from the list"
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The phrases a query is read with and the councils to choose from.
        self.vocabulary = search.vocabulary()
        self.councils = self.vocabulary.councils
        # Set by the view once the search is counted: each council's matches.
        self.council_counts: dict[int, int] | None = None
        # A callable: the 153 choices are made when read, once, with the counts.
        self.fields["council"].choices = self._council_choices

    def _council_choices(self) -> list[tuple[str, str]]:
        counts = self.council_counts
        return [
            (slug, name if counts is None else f"{name} ({counts.get(pk, 0):,})")
            for pk, slug, name in self.councils
        ]

    def clean_council(self) -> list[int]:
        """The ids of the councils chosen."""
        chosen = set(self.cleaned_data["council"])
        return [pk for pk, slug, _ in self.councils if slug in chosen]

    def clean_q(self):
        text = self.cleaned_data["q"]
        if not text.strip():
            return None
        try:
            return search.parse_query(text, self.vocabulary.phrases)
        except search.QueryError as error:
            raise forms.ValidationError(str(error), code="query") from error
