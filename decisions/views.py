"""The catalogues' pages: officials read them; senior officials add, retire and reinstate."""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from decisions import services
from decisions.models import DecisionCriterion, StandardCondition
from registry.errors import DomainError
from registry.web import add_service_error

CATALOGUES = {
    "criteria": (DecisionCriterion, "Decision criteria", "a refusal rests on"),
    "conditions": (StandardCondition, "Standard conditions", "an approval may attach"),
}


class EntryForm(forms.Form):
    code = forms.SlugField(
        max_length=40,
        help_text="Lower case letters, digits and underscores, such as diversion_risk.",
        error_messages={"required": "Enter the code."},
    )
    text = forms.CharField(
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Enter the text."},
    )
    reason = forms.CharField(
        help_text="Recorded in the history with your name.",
        error_messages={"required": "Enter the reason: it goes on the record."},
    )


class RetireForm(forms.Form):
    code = forms.SlugField(max_length=40, widget=forms.HiddenInput)
    retire = forms.BooleanField(required=False, widget=forms.HiddenInput)
    reason = forms.CharField(
        error_messages={"required": "Enter the reason: it goes on the record."}
    )


class CatalogueView(PermissionRequiredMixin, View):
    """GET: officials and auditors read the catalogue. POST: senior officials add an entry, or
    retire or reinstate one (``decisions.change_…``)."""

    def get_permission_required(self):
        model = CATALOGUES[self.kwargs["catalogue"]][0]
        action = "view" if self.request.method == "GET" else "change"
        return [f"decisions.{action}_{model._meta.model_name}"]

    def get(self, request, catalogue):
        return self.page(request, catalogue)

    def page(self, request, catalogue, *, form=None, retire_form=None, status=200):
        model, title, what = CATALOGUES[catalogue]
        may_change = request.user.has_perm(f"decisions.change_{model._meta.model_name}")
        return render(
            request,
            "decisions/catalogue.html",
            {
                "catalogue": catalogue,
                "title": title,
                "what": what,
                "entries": model.objects.order_by("retired", "code"),
                "may_change": may_change,
                "form": form or (EntryForm() if may_change else None),
                "retire_form": retire_form,
            },
            status=status,
        )

    def post(self, request, catalogue):
        model = CATALOGUES[catalogue][0]
        if "retire" in request.POST:
            form = RetireForm(request.POST)
            if form.is_valid():
                entry = get_object_or_404(model, code=form.cleaned_data["code"])
                retire = form.cleaned_data["retire"]
                try:
                    services.set_retired(
                        entry=entry,
                        by=request.user,
                        retired=retire,
                        reason=form.cleaned_data["reason"],
                    )
                except (ValidationError, DomainError) as error:
                    add_service_error(form, error)
                else:
                    done = "retired" if retire else "back in use"
                    messages.success(request, f"{entry.code} is {done}.")
                    return redirect(f"decisions:{catalogue}")
            return self.page(request, catalogue, retire_form=form, status=400)
        form = EntryForm(request.POST)
        if form.is_valid():
            try:
                entry = services.add_entry(model=model, by=request.user, **form.cleaned_data)
            except (ValidationError, DomainError) as error:
                add_service_error(form, error)
            else:
                messages.success(request, f"{entry.code} is added.")
                return redirect(f"decisions:{catalogue}")
        return self.page(request, catalogue, form=form, status=400)
