"""Forms of the countries pages. They check what was typed; the services decide."""

import re

from django import forms

from countries.models import Country, WhitelistRevision

_CODE_SEPARATORS = re.compile(r"[\s,;]+")


class CountryFilterForm(forms.Form):
    q = forms.CharField(label="Search by name or code", required=False, max_length=100)
    eligible = forms.ChoiceField(
        label="Eligibility",
        required=False,
        choices=[("", "All countries"), ("yes", "On the whitelist"), ("no", "Not on the list")],
    )

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        eligible = {"yes": True, "no": False}.get(self.cleaned_data["eligible"])
        return {"q": self.cleaned_data["q"].strip(), "eligible": eligible}


class CodeListField(forms.CharField):
    """Alpha-2 codes pasted as text, separated by spaces, commas or new lines."""

    widget = forms.Textarea(
        attrs={"rows": 3, "spellcheck": "false", "autocapitalize": "characters"}
    )

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [code.upper() for code in _CODE_SEPARATORS.split(text) if code]

    def validate(self, value):
        super().validate(value)
        malformed = [code for code in value if not re.fullmatch(r"[A-Z]{2}", code)]
        if malformed:
            raise forms.ValidationError(
                "Enter two-letter ISO codes such as MX or AE; these are not: %(codes)s",
                params={"codes": ", ".join(malformed)},
            )
        known = set(Country.objects.filter(code__in=value).values_list("code", flat=True))
        unknown = [code for code in value if code not in known]
        if unknown:
            raise forms.ValidationError(
                "No country has the code %(codes)s.", params={"codes": ", ".join(unknown)}
            )


class RevisionProposalForm(forms.Form):
    """Countries to add and remove, picked from the lists or pasted as codes, and the reason."""

    title = forms.CharField(
        max_length=200,
        help_text="A short name for the decision.",
        error_messages={"required": "Enter a title."},
    )
    reason = forms.CharField(
        label="Legal basis and reason",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Recorded on every country the revision changes.",
        error_messages={"required": "Enter the legal basis and the reason."},
    )
    remove = forms.MultipleChoiceField(
        label="Countries to remove from the whitelist",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    remove_codes = CodeListField(
        label="Or paste the codes of countries to remove",
        required=False,
        help_text="Two-letter ISO codes separated by spaces, commas or new lines, such as: MX AE.",
    )
    add = forms.MultipleChoiceField(
        label="Countries to add to the whitelist",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    add_codes = CodeListField(
        label="Or paste the codes of countries to add",
        required=False,
        help_text="Two-letter ISO codes separated by spaces, commas or new lines.",
    )
    licence_treatment = forms.ChoiceField(
        label="Active licences to removed countries",
        choices=WhitelistRevision.LicenceTreatment.choices,
        initial=WhitelistRevision.LicenceTreatment.SUSPEND,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        on_list, off_list = [], []
        for code, name, eligible in Country.objects.values_list("code", "name", "eligible"):
            (on_list if eligible else off_list).append((code, f"{name} ({code})"))
        self.fields["remove"].choices = on_list
        self.fields["add"].choices = off_list

    def clean(self):
        cleaned = super().clean()
        add = sorted(set(cleaned.get("add", [])) | set(cleaned.get("add_codes", [])))
        remove = sorted(set(cleaned.get("remove", [])) | set(cleaned.get("remove_codes", [])))
        both = set(add) & set(remove)
        if both:
            raise forms.ValidationError(
                "A country cannot be both added and removed: %(codes)s.",
                params={"codes": ", ".join(sorted(both))},
            )
        if not self.errors and not add and not remove:
            raise forms.ValidationError("Choose at least one country to add or remove.")
        cleaned["add_all"], cleaned["remove_all"] = add, remove
        return cleaned


class RevisionDecisionForm(forms.Form):
    """A senior official's decision on a proposed revision."""

    APPROVE, REJECT = "approve", "reject"

    decision = forms.ChoiceField(
        choices=[(APPROVE, "Approve and apply it now"), (REJECT, "Reject it")],
        error_messages={"required": "Choose to approve or to reject."},
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when rejecting: the proposer reads it.",
    )
    # Approving applies the revision at once and cannot be undone: sent first without it, the
    # form shows the check page restating the impact; sent again from there, it acts.
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def needs_check(self) -> bool:
        return self.cleaned_data.get("decision") == self.APPROVE and not self.cleaned_data.get(
            "confirmed"
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.REJECT and not cleaned.get("note", "").strip():
            self.add_error("note", "Say why the revision is rejected.")
        return cleaned
