"""The forms of the second-factor step and of enrolment."""

from django import forms


class CodeForm(forms.Form):
    """A code from the authenticator app, or one of the backup codes."""

    code = forms.CharField(
        label="Code",
        max_length=32,
        help_text="The 6 digits your authenticator app shows now, or one of your backup codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )


class EnrolmentForm(forms.Form):
    code = forms.CharField(
        label="Code from your app",
        max_length=12,
        help_text="After adding the registry to your app, enter the 6 digits it shows.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class TokenForm(forms.Form):
    """A new API token: its name and the day it expires."""

    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="What the token is for, such as “Order system, production”.",
    )
    expires_on = forms.DateField(
        label="Expiry date",
        help_text="The token stops working at the end of this day. At most a year from today.",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Give the expiry date as a date, such as 2027-03-31."},
    )


class RevokeTokenForm(forms.Form):
    """Why a token is revoked; ``confirmed`` is set by the check-your-answers step."""

    reason = forms.CharField(
        label="Why are you revoking it?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept in the token's history, with your name.",
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)
