"""Forms of the screening pages; the rules are the services'."""

from django import forms

from screening.models import MatchStatus

REASON_HELP = "It goes on the record with your name."


def reason_field(label="Reason"):
    return forms.CharField(
        label=label,
        error_messages={"required": "Enter the reason: it goes on the record."},
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=REASON_HELP,
        max_length=2000,
    )


class MatchFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "All"), *MatchStatus.choices],
    )


class MatchDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[
            (MatchStatus.FALSE_POSITIVE, "False positive: not the listed party"),
            (MatchStatus.CONFIRMED, "Confirmed: the party is the listed one"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose false positive or confirmed."},
    )
    reason = reason_field()


class ConcernForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=200,
        error_messages={"required": "Enter the name of the party of concern."},
    )
    alt_names = forms.CharField(
        label="Other names",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One a line, in any script.",
    )
    countries = forms.CharField(
        label="Countries",
        required=False,
        max_length=200,
        help_text="Alpha-2 codes, separated by spaces or commas, such as IR AE.",
    )
    reason = reason_field("Why the agency is concerned")

    def cleaned_alt_names(self) -> list[str]:
        return [
            line.strip() for line in self.cleaned_data["alt_names"].splitlines() if line.strip()
        ]

    def cleaned_countries(self) -> list[str]:
        raw = self.cleaned_data["countries"].replace(",", " ")
        return [code for code in raw.split() if code]


class RetireForm(forms.Form):
    reason = reason_field("Why it is retired")


class ReleaseForm(forms.Form):
    reason = reason_field("Why the snapshot can be used")
