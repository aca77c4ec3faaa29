"""Forms of the documents' pages. They check what was typed; the services decide."""

from django import forms

from documents.models import DeclarationTemplate


class DocumentReviewForm(forms.Form):
    ACCEPT, REJECT = "accept", "reject"

    decision = forms.ChoiceField(
        choices=[(ACCEPT, "Accept"), (REJECT, "Reject")],
        error_messages={"required": "Choose to accept or to reject."},
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required to reject. The vendor sees it with the review.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.REJECT and not cleaned.get("reason", "").strip():
            self.add_error("reason", "Enter the reason for the rejection: the vendor sees it.")
        return cleaned


class DeclarationTemplateForm(forms.ModelForm):
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Enter the reason: it goes on the record."},
        help_text="Recorded in the history with your name.",
    )

    class Meta:
        model = DeclarationTemplate
        fields = ["version", "title", "in_force_from", "text"]
        widgets = {
            "in_force_from": forms.DateInput(attrs={"type": "date"}),
            "text": forms.Textarea(attrs={"rows": 10}),
        }
        help_texts = {"version": "Such as DECA-2027-01."}
