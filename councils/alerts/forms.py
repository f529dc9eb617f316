from django import forms

from .models import Frequency

EMAIL_ERRORS = {
    "required": "Enter your email address",
    "invalid": "Enter an email address in the correct format, like name@example.com",
    "max_length": "Enter an email address of 254 characters or fewer",
}


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages=EMAIL_ERRORS,
        widget=forms.EmailInput(
            attrs={
                "class": "govuk-input",
                "autocomplete": "email",
                "spellcheck": "false",
            }
        ),
    )
    frequency = forms.ChoiceField(
        label="How often do you want to get emails?",
        choices=Frequency.choices,
        initial=Frequency.DAILY,
        widget=forms.RadioSelect(attrs={"class": "govuk-radios__input"}),
        error_messages={
            "required": "Choose how often you want to get emails",
            "invalid_choice": "Choose how often you want to get emails from the list",
        },
    )


class ManageRequestForm(forms.Form):
    email = SubscribeForm.base_fields["email"]


class FrequencyForm(forms.Form):
    subscription = forms.IntegerField(widget=forms.HiddenInput)
    frequency = SubscribeForm.base_fields["frequency"]
