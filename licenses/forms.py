"""Forms of the vendors, applications and licences pages. They check what was typed; the
services in ``licenses.services`` decide whether it is allowed."""

import unicodedata

from django import forms

from countries.models import Country
from decisions.models import DecisionCriterion, StandardCondition
from licenses import casework, selectors
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


class ConfirmableForm(forms.Form):
    """A form whose action cannot be undone: sent first without ``confirmed``, it shows the check
    page (``templates/registry/confirm.html``); sent again from there, it acts."""

    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def needs_check(self) -> bool:
        return not self.cleaned_data.get("confirmed")

    def hidden_values(self) -> list[tuple[str, str]]:
        """What was typed, as the check page sends it again (every value of every field)."""
        values = []
        for name in self.fields:
            if name == "confirmed":
                continue
            for value in self.data.getlist(name) if hasattr(self.data, "getlist") else []:
                values.append((name, value))
        return values


class VendorStatusForm(ConfirmableForm):
    SUSPEND, DEBAR, REINSTATE = "suspend", "debar", "reinstate"
    # What each status allows (the services' transition table decides; this only offers).
    OFFERED = {
        VendorStatus.ACTIVE: [(SUSPEND, "Suspend"), (DEBAR, "Debar")],
        VendorStatus.SUSPENDED: [(REINSTATE, "Reinstate"), (DEBAR, "Debar")],
        VendorStatus.DEBARRED: [(REINSTATE, "Reinstate")],
    }

    action = forms.ChoiceField(
        choices=[(SUSPEND, "Suspend"), (DEBAR, "Debar"), (REINSTATE, "Reinstate")],
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "That action is not open to a vendor in this status."},
    )
    reason = reason_field()

    def __init__(self, *args, status: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if status is not None:
            self.fields["action"].choices = self.OFFERED.get(status, [])

    def needs_check(self) -> bool:
        """Debarring is checked first: it ends the vendor's licensing until reinstated."""
        return self.cleaned_data.get("action") == self.DEBAR and super().needs_check()


def reading_key(name: str) -> str:
    """A name as people read it in a sorted list: "Côte d'Ivoire" near "Costa Rica"."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def destinations_by_name() -> list[tuple[str, str]]:
    """(code, name) of every country, sorted as people read the names. One query."""
    return sorted(Country.objects.values_list("code", "name"), key=lambda c: reading_key(c[1]))


class ApplicationFilterForm(forms.Form):
    """The queue's search, filters, sort and page size. A value it cannot use is an error on
    its field, and the queue is shown without it."""

    PENDING, ALL = "", "all"
    PAGE_SIZES = [25, 50, 100]

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        help_text="Reference, vendor, end user or product.",
    )
    status = forms.ChoiceField(
        required=False,
        # Drafts are their vendors' alone: never in the officials' lists.
        choices=[
            (PENDING, "Waiting for a decision"),
            (ALL, "All"),
            *[c for c in ApplicationStatus.choices if c[0] != ApplicationStatus.DRAFT],
        ],
    )
    destination = forms.CharField(
        required=False,
        max_length=100,
        help_text="Type a country's name or code.",
        widget=forms.TextInput(attrs={"list": "destination-options", "autocomplete": "off"}),
    )
    assignee = forms.ChoiceField(required=False)
    submitted_from = forms.DateField(
        label="Submitted from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    submitted_to = forms.DateField(
        label="Submitted to", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = forms.ChoiceField(required=False, widget=forms.HiddenInput)
    per_page = forms.TypedChoiceField(
        label="Rows a page",
        required=False,
        coerce=int,
        empty_value=PAGE_SIZES[0],
        choices=[(n, str(n)) for n in PAGE_SIZES],
    )
    # Set by the link from a vendor's page: its registration number.
    vendor = forms.CharField(required=False, max_length=50, widget=forms.HiddenInput)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.destinations = destinations_by_name()
        officials = casework.assignable_officials().values_list("username", flat=True)
        self.fields["assignee"].choices = [
            ("", "Anyone or no one"),
            ("me", "My cases"),
            ("none", "Not assigned"),
            *((name, name) for name in officials),
        ]
        self.fields["sort"].choices = [("", "")] + [
            (f"{sign}{key}", key) for key in selectors.QUEUE_SORTS for sign in ("", "-")
        ]

    def clean_destination(self):
        value = self.cleaned_data["destination"].strip()
        if not value:
            return ""
        key = reading_key(value)
        for code, name in self.destinations:
            if key in (code.casefold(), reading_key(name)):
                return code
        raise forms.ValidationError("No country has this name or code.")

    def clean(self):
        data = super().clean()
        start, end = data.get("submitted_from"), data.get("submitted_to")
        if start and end and start > end:
            self.add_error("submitted_to", "Give a date on or after the “from” date.")
        return data

    def filters(self) -> dict:
        """The selector's arguments, leaving out any field that is in error."""
        self.is_valid()
        data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        status = data.get("status", "")
        return {
            "statuses": [status] if status not in (self.PENDING, self.ALL) else None,
            "all_statuses": status == self.ALL,
            "destination": data.get("destination", ""),
            "vendor": data.get("vendor", ""),
            "q": data.get("q", "").strip(),
            "assignee": data.get("assignee", ""),
            "me": self.user,
            "submitted_from": data.get("submitted_from"),
            "submitted_to": data.get("submitted_to"),
            "sort": data.get("sort", ""),
        }

    def page_size(self) -> int:
        valid = self.is_valid() or "per_page" not in self.errors
        return (valid and self.cleaned_data.get("per_page")) or self.PAGE_SIZES[0]


def _criteria_choices():
    return [
        (criterion.code, f"{criterion.text} ({criterion.code})")
        for criterion in DecisionCriterion.objects.filter(retired=False).order_by("code")
    ]


def _condition_choices():
    return [
        (condition.code, condition.text)
        for condition in StandardCondition.objects.filter(retired=False).order_by("code")
    ]


class ApplicationDecisionForm(ConfirmableForm):
    APPROVE, REFUSE = "approve", "refuse"

    decision = forms.ChoiceField(
        choices=[(APPROVE, "Approve and issue the licence"), (REFUSE, "Refuse")],
        error_messages={"required": "Choose to approve or to refuse."},
        widget=forms.RadioSelect,
    )
    criteria = forms.MultipleChoiceField(
        label="Criteria the refusal rests on",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="For a refusal: at least one. They go on the refusal letter.",
    )
    conditions = forms.MultipleChoiceField(
        label="Standard conditions of the licence",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="For an approval. They go on the licence and its certificate.",
    )
    other_conditions = forms.CharField(
        label="Other conditions",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For an approval: one condition a line.",
    )
    reason = reason_field(
        "Reason for the decision", help_text="Required. The vendor sees it with the decision."
    )

    def __init__(self, *args, approvable: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criteria"].choices = _criteria_choices()
        self.fields["conditions"].choices = _condition_choices()
        if not approvable:
            self.fields["decision"].choices = [(self.REFUSE, "Refuse")]
            self.fields["decision"].initial = self.REFUSE
            del self.fields["conditions"]
            del self.fields["other_conditions"]

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.REFUSE and not data.get("criteria"):
            self.add_error("criteria", "Choose at least one criterion the refusal rests on.")
        if data.get("decision") == self.REFUSE and (
            data.get("conditions") or (data.get("other_conditions") or "").strip()
        ):
            self.add_error("conditions", "Conditions are attached to an approval, not a refusal.")
        return data

    def needs_check(self) -> bool:
        """Only an approval is checked first: it issues a licence that cannot be taken back."""
        return self.cleaned_data.get("decision") == self.APPROVE and super().needs_check()


class AppealDecisionForm(forms.Form):
    UPHOLD, OVERTURN = "uphold", "overturn"

    outcome = forms.ChoiceField(
        label="Outcome of the appeal",
        choices=[
            (UPHOLD, "Uphold the refusal"),
            (OVERTURN, "Overturn the refusal and issue the licence"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose to uphold or to overturn the refusal."},
    )
    conditions = forms.MultipleChoiceField(
        label="Standard conditions of the licence",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only if you overturn the refusal.",
    )
    reason = reason_field(
        "Reason for the decision on the appeal", help_text="The vendor sees it with the decision."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["conditions"].choices = _condition_choices()


class LicenceFilterForm(forms.Form):
    q = forms.CharField(label="Search by number, application or vendor", required=False)
    status = forms.ChoiceField(
        required=False, choices=[("", "All statuses"), *LicenceStatus.choices]
    )
    # Set by the link from a vendor's page: its registration number.
    vendor = forms.CharField(required=False, max_length=50, widget=forms.HiddenInput)


class LicenceActionForm(ConfirmableForm):
    SUSPEND, REINSTATE, REVOKE = "suspend", "reinstate", "revoke"
    # What each status allows (the services' transition table decides; this only offers).
    OFFERED = {
        LicenceStatus.ACTIVE: [(SUSPEND, "Suspend"), (REVOKE, "Revoke")],
        LicenceStatus.SUSPENDED: [(REINSTATE, "Reinstate"), (REVOKE, "Revoke")],
    }

    action = forms.ChoiceField(
        choices=[(SUSPEND, "Suspend"), (REINSTATE, "Reinstate"), (REVOKE, "Revoke")],
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "That action is not open to a licence in this status."},
    )
    reason = reason_field()

    def __init__(self, *args, status: str = LicenceStatus.ACTIVE, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = self.OFFERED.get(status, [])

    @classmethod
    def offered_for(cls, status: str) -> bool:
        return bool(cls.OFFERED.get(status))

    def needs_check(self) -> bool:
        """Revoking is final: it is checked first."""
        return self.cleaned_data.get("action") == self.REVOKE and super().needs_check()


class TakeCaseForm(forms.Form):
    """Nothing to type: the button says it all."""


class AssignCaseForm(forms.Form):
    assignee = forms.ChoiceField(
        label="Assign to", error_messages={"required": "Choose the official to assign it to."}
    )
    reason = reason_field("Reason for the assignment")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", "Choose an official")] + [
            (name, name)
            for name in casework.assignable_officials().values_list("username", flat=True)
        ]


class InformationRequestForm(forms.Form):
    question = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=casework.TEXT_MAX_LENGTH,
        error_messages={"required": "Enter the question for the vendor."},
        help_text="The vendor reads it through the API.",
    )
    due_in = forms.IntegerField(
        label="Due in (working days)",
        min_value=1,
        max_value=casework.MAX_DUE_WORKING_DAYS,
        initial=10,
        error_messages={
            "required": "Enter how many working days the vendor has.",
            "min_value": "Give the vendor at least 1 working day: the due date must be after "
            "today.",
            "max_value": f"Give the vendor at most {casework.MAX_DUE_WORKING_DAYS} working days.",
            "invalid": "Enter a whole number of working days.",
        },
    )


class CaseNoteForm(forms.Form):
    text = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=casework.TEXT_MAX_LENGTH,
        error_messages={"required": "Enter the note."},
    )
    shared = forms.BooleanField(
        label="Share with the vendor",
        required=False,
        help_text="Shared notes are shown to the vendor through the API; others stay internal.",
    )
