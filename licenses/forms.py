"""Forms of the vendors, applications and licences pages. They check what was typed; the
services in ``licenses.services`` decide whether it is allowed."""

from django import forms

from countries.models import Country
from licenses.models import (
    ApplicationStatus,
    LicenceStatus,
    Vendor,
    VendorStatus,
)

REASON_HELP = "Recorded in the history with your name."


def reason_field(label="Reason", **kwargs):
    return forms.CharField(
        label=label,
        error_messages={"required": "Enter the reason: it goes on the record."},
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=kwargs.pop("help_text", REASON_HELP),
        **kwargs,
    )


class VendorFilterForm(forms.Form):
    q = forms.CharField(label="Search by name or registration number", required=False)
    status = forms.ChoiceField(
        required=False, choices=[("", "All statuses"), *VendorStatus.choices]
    )


class VendorForm(forms.ModelForm):
    """The details of a vendor an official may set: never its status."""

    class Meta:
        model = Vendor
        fields = [
            "name",
            "registration_number",
            "contact_name",
            "contact_email",
            "contact_phone",
            "address",
        ]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}


class VendorEditForm(VendorForm):
    reason = reason_field("Reason for the change")

    class Meta(VendorForm.Meta):
        fields = [f for f in VendorForm.Meta.fields if f != "registration_number"]


class VendorStatusForm(forms.Form):
    SUSPEND, DEBAR, REINSTATE = "suspend", "debar", "reinstate"

    action = forms.ChoiceField(
        choices=[(SUSPEND, "Suspend"), (DEBAR, "Debar"), (REINSTATE, "Reinstate")],
        widget=forms.RadioSelect,
    )
    reason = reason_field()


class ApplicationFilterForm(forms.Form):
    PENDING = ""

    status = forms.ChoiceField(
        required=False,
        # Drafts are their vendors' alone: never in the officials' lists.
        choices=[
            (PENDING, "Waiting for a decision"),
            *[c for c in ApplicationStatus.choices if c[0] != ApplicationStatus.DRAFT],
        ],
    )
    destination = forms.ChoiceField(required=False)
    vendor = forms.ChoiceField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["destination"].choices = [("", "Any destination")] + [
            (code, name) for code, name in Country.objects.values_list("code", "name")
        ]
        self.fields["vendor"].choices = [("", "Any vendor")] + list(
            Vendor.objects.values_list("registration_number", "name")
        )

    def filters(self) -> dict:
        if not self.is_valid():
            return {"statuses": None}
        status = self.cleaned_data["status"]
        return {
            "statuses": [status] if status else None,
            "destination": self.cleaned_data["destination"],
            "vendor": self.cleaned_data["vendor"],
        }


class ApplicationDecisionForm(forms.Form):
    APPROVE, REFUSE = "approve", "refuse"

    decision = forms.ChoiceField(
        choices=[(APPROVE, "Approve and issue the licence"), (REFUSE, "Refuse")],
        error_messages={"required": "Choose to approve or to refuse."},
        widget=forms.RadioSelect,
    )
    reason = reason_field(
        "Reason for the decision", help_text="Required. The vendor sees it with the decision."
    )

    def __init__(self, *args, approvable: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not approvable:
            self.fields["decision"].choices = [(self.REFUSE, "Refuse")]
            self.fields["decision"].initial = self.REFUSE


class LicenceFilterForm(forms.Form):
    q = forms.CharField(label="Search by number, application or vendor", required=False)
    status = forms.ChoiceField(
        required=False, choices=[("", "All statuses"), *LicenceStatus.choices]
    )
    # Set by the link from a vendor's page: its registration number.
    vendor = forms.CharField(required=False, max_length=50, widget=forms.HiddenInput)


class LicenceActionForm(forms.Form):
    SUSPEND, REINSTATE, REVOKE = "suspend", "reinstate", "revoke"

    action = forms.ChoiceField(
        choices=[(SUSPEND, "Suspend"), (REINSTATE, "Reinstate"), (REVOKE, "Revoke")],
        widget=forms.RadioSelect,
    )
    reason = reason_field()
