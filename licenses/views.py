"""The officials' pages for vendors, licence applications and licences.

Each view checks its permission, validates the form and calls ``licenses.services``; refusals
from the services come back as form errors, and the page is shown again with what was typed.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View

from documents import selectors as documents_selectors
from documents.forms import DocumentReviewForm
from documents.models import IssuedDocument
from documents.responses import issued_attachment
from licenses import approvals, issuing, selectors, services
from licenses.casework_views import casework_context
from licenses.forms import (
    AppealDecisionForm,
    ApplicationDecisionForm,
    LicenceActionForm,
    LicenceFilterForm,
    VendorEditForm,
    VendorFilterForm,
    VendorForm,
    VendorStatusForm,
)
from licenses.models import Appeal, ApplicationStatus, Licence, LicenceApplication, Vendor
from registry.errors import DomainError
from registry.web import add_service_error, check_page, paginate
from screening import selectors as screening_selectors

SERVICE_ERRORS = (ValidationError, DomainError)

# --- Vendors ------------------------------------------------------------------------------------


class VendorListView(PermissionRequiredMixin, View):
    permission_required = "licenses.view_vendor"

    def get(self, request):
        form = VendorFilterForm(request.GET)
        filters = form.cleaned_data if form.is_valid() else {}
        vendors = selectors.vendor_list(
            q=filters.get("q", "").strip(), status=filters.get("status", "")
        )
        return render(
            request,
            "licenses/vendor_list.html",
            {"form": form, "page": paginate(request, vendors, per_page=settings.PAGE_SIZE // 2)},
        )


class VendorCreateView(PermissionRequiredMixin, View):
    permission_required = "licenses.add_vendor"
    template_name = "licenses/vendor_form.html"

    def get(self, request):
        return render(request, self.template_name, {"form": VendorForm()})

    def post(self, request):
        form = VendorForm(request.POST)
        if form.is_valid():
            try:
                vendor = services.register_vendor(by=request.user, **form.cleaned_data)
            except SERVICE_ERRORS as error:
                add_service_error(form, error)
            else:
                messages.success(request, f"{vendor.name} is registered.")
                return redirect(
                    "licenses:vendor-detail", registration_number=vendor.registration_number
                )
        return render(request, self.template_name, {"form": form})


def _vendor(registration_number):
    return get_object_or_404(Vendor, registration_number=registration_number)


def _vendor_page(request, vendor, *, status_form=None):
    applications = (
        LicenceApplication.objects.filter(vendor=vendor)
        .exclude(status=ApplicationStatus.DRAFT)
        .select_related("product", "destination")
    )
    licences = Licence.objects.filter(application__vendor=vendor).select_related(
        "application__destination", "application__product"
    )
    context = {
        "vendor": vendor,
        "products": vendor.products.order_by("reference"),
        "applications": applications.order_by("-submitted_at")[:20],
        "application_total": applications.count(),
        "licences": licences.order_by("-valid_from", "-number")[:20],
        "licence_total": licences.count(),
        "status_form": status_form
        or (
            VendorStatusForm(status=vendor.status)
            if request.user.has_perm("licenses.change_vendor")
            else None
        ),
    }
    return render(request, "licenses/vendor_detail.html", context)


class VendorDetailView(PermissionRequiredMixin, View):
    permission_required = "licenses.view_vendor"

    def get(self, request, registration_number):
        return _vendor_page(request, _vendor(registration_number))


class VendorEditView(PermissionRequiredMixin, View):
    permission_required = "licenses.change_vendor"
    template_name = "licenses/vendor_edit.html"

    def get(self, request, registration_number):
        vendor = _vendor(registration_number)
        return render(
            request, self.template_name, {"vendor": vendor, "form": VendorEditForm(instance=vendor)}
        )

    def post(self, request, registration_number):
        vendor = _vendor(registration_number)
        # The form works on its own copy, so a refused change never touches ``vendor``.
        form = VendorEditForm(request.POST, instance=Vendor.objects.get(pk=vendor.pk))
        if form.is_valid():
            changes = {k: v for k, v in form.cleaned_data.items() if k != "reason"}
            try:
                services.update_vendor(
                    vendor=vendor, by=request.user, reason=form.cleaned_data["reason"], **changes
                )
            except SERVICE_ERRORS as error:
                add_service_error(form, error)
            else:
                messages.success(request, f"{vendor.name}'s details are saved.")
                return redirect("licenses:vendor-detail", registration_number=registration_number)
        return render(request, self.template_name, {"vendor": vendor, "form": form})


class VendorStatusView(PermissionRequiredMixin, View):
    """POST only: suspend, debar or reinstate a vendor. Vendors are never deleted."""

    permission_required = "licenses.change_vendor"
    http_method_names = ["post"]
    actions = {
        VendorStatusForm.SUSPEND: ("suspend_vendor", "suspended"),
        VendorStatusForm.DEBAR: ("debar_vendor", "debarred"),
        VendorStatusForm.REINSTATE: ("reinstate_vendor", "reinstated"),
    }

    def post(self, request, registration_number):
        vendor = _vendor(registration_number)
        form = VendorStatusForm(request.POST, status=vendor.status)
        if form.is_valid() and form.needs_check():
            url = reverse("licenses:vendor-detail", args=[registration_number])
            return check_page(
                request,
                heading=f"Debar {vendor.name}?",
                rows=[
                    ("Vendor", f"{vendor.name} ({vendor.registration_number})"),
                    ("Action", "Debar"),
                    ("Reason", form.cleaned_data["reason"]),
                ],
                warning="A debarred vendor's applications fail screening until it is reinstated: "
                "every new submission is refused. The debarment is recorded with your name.",
                hidden=form.hidden_values(),
                action_url=reverse("licenses:vendor-status", args=[registration_number]),
                back_url=url,
                button="Debar the vendor",
            )
        if form.is_valid():
            service, done = self.actions[form.cleaned_data["action"]]
            try:
                getattr(services, service)(
                    vendor=vendor, by=request.user, reason=form.cleaned_data["reason"]
                )
            except SERVICE_ERRORS as error:
                add_service_error(form, error)
            else:
                messages.success(request, f"{vendor.name} is {done}.")
                return redirect("licenses:vendor-detail", registration_number=registration_number)
        vendor.refresh_from_db()
        return _vendor_page(request, vendor, status_form=form)


# --- Applications -------------------------------------------------------------------------------


def current_screening(application) -> list:
    """The rules as they would run on a decision now, for an application still pending."""
    party_facts, _ = selectors.party_screening_for([application.pk])
    facts, _ = selectors.screening_facts_and_revision(
        vendor=application.vendor,
        product=application.product,
        licence_type=application.licence_type,
        destination=application.destination,
        end_user_kind=application.end_user.kind,
        application_id=application.pk,
        stage=approvals.DECISION,
        party_screening=party_facts[application.pk],
    )
    return approvals.screen(facts)


def application_page(
    request,
    application,
    *,
    decision_form=None,
    review_forms=None,
    appeal_form=None,
    **casework_forms,
):
    """The application, its parties and documents, its screening, its case-work and the decision
    form.

    ``review_forms`` holds a document review form that failed, by the document's key."""
    pending = application.is_pending
    screening_now = current_screening(application) if pending else None
    approvable = pending and all(result.passed for result in screening_now)
    # A decision the services refused because the case moved on meanwhile is shown again with
    # what the official typed, beside the error.
    kept = decision_form is not None and bool(decision_form.errors)
    may_decide = (pending or kept) and request.user.has_perm("licenses.decide_licenceapplication")
    appeal = Appeal.objects.filter(application=application).select_related("refused_by").first()
    may_decide_appeal = (
        appeal is not None
        and appeal.status == Appeal.Status.OPEN
        and request.user.has_perm("licenses.decide_appeal")
        and appeal.refused_by_id != request.user.pk
    )
    context = {
        "application": application,
        "screening_now": screening_now,
        "failed_now": [r for r in screening_now or [] if not r.passed],
        "approvable": approvable,
        "may_decide": may_decide,
        "show_decision": pending or kept,
        "decision_form": decision_form
        or (ApplicationDecisionForm(approvable=approvable) if may_decide else None),
        "licence": getattr(application, "licence", None)
        if application.status == ApplicationStatus.APPROVED
        else None,
        "parties": application.parties.select_related("country").order_by("pk"),
        "documents": _documents_with_forms(request, application, review_forms or {}),
        "review_failed": bool(review_forms),
        "criteria": issuing.criteria_texts(application.refusal_criteria or []),
        "issued_documents": documents_selectors.issued_for(application),
        "appeal": appeal,
        "appeal_documents": documents_selectors.for_application(application).filter(
            key__in=(appeal.documents if appeal else [])
        ),
        "may_decide_appeal": may_decide_appeal,
        "appeal_form": appeal_form or (AppealDecisionForm() if may_decide_appeal else None),
        "party_matches": screening_selectors.matches_for_application(application.pk),
        "may_rescreen": may_decide,
        **casework_context(request, application, **casework_forms),
    }
    return render(request, "licenses/application_detail.html", context)


def _documents_with_forms(request, application, review_forms: dict) -> list:
    """The application's documents, each with its review form when the official may review it
    now (a failed one as it was sent)."""
    may_review = application.is_pending and request.user.has_perm("documents.review_document")
    documents = list(documents_selectors.for_application(application))
    for document in documents:
        document.review_form = review_forms.get(document.key)
        if document.review_form is None and may_review and document.review == "received":
            document.review_form = DocumentReviewForm(auto_id=f"review-{document.key}-%s")
    return documents


def viewable_application(reference):
    """The application an official may open: any but a draft, which is its vendor's alone."""
    return get_object_or_404(
        LicenceApplication.objects.select_related(
            "vendor",
            "product",
            "destination",
            "screened_against",
            "decided_by",
            "submitted_by",
            "assigned_to",
        ).exclude(status=ApplicationStatus.DRAFT),
        reference=reference,
    )


class ApplicationDetailView(PermissionRequiredMixin, View):
    permission_required = "licenses.view_licenceapplication"

    def get(self, request, reference):
        return application_page(request, viewable_application(reference))


class ApplicationReviewView(PermissionRequiredMixin, View):
    """POST only: an official takes a submitted application into review."""

    permission_required = "licenses.decide_licenceapplication"
    http_method_names = ["post"]

    def post(self, request, reference):
        application = viewable_application(reference)
        try:
            services.start_review(application=application, by=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"{application.reference} is now under review.")
        return redirect("licenses:application-detail", reference=reference)


class ApplicationDecideView(PermissionRequiredMixin, View):
    """POST only: approve (issuing the licence and its certificate, after a check page) or refuse
    on criteria (issuing the refusal letter), with a reason. A refusal from the services (the
    case moved on meanwhile) shows the form again with what was typed."""

    permission_required = "licenses.decide_licenceapplication"
    http_method_names = ["post"]

    def post(self, request, reference):
        application = viewable_application(reference)
        form = ApplicationDecisionForm(request.POST)
        if form.is_valid() and form.needs_check() and _approvable(application):
            return _approval_check(request, application, form)
        if form.is_valid():
            data = form.cleaned_data
            reason = data["reason"]
            try:
                if data["decision"] == form.APPROVE:
                    licence = services.approve_application(
                        application=application,
                        by=request.user,
                        reason=reason,
                        conditions=data.get("conditions") or [],
                        other_conditions=data.get("other_conditions") or "",
                    )
                    done = f"approved: licence {licence.number} is issued with its certificate"
                else:
                    services.refuse_application(
                        application=application,
                        by=request.user,
                        reason=reason,
                        criteria=data["criteria"],
                    )
                    done = "refused: the refusal letter is issued"
            except SERVICE_ERRORS as error:
                add_service_error(form, error)
            else:
                messages.success(request, f"{application.reference} is {done}.")
                return redirect("licenses:application-detail", reference=reference)
        return application_page(request, viewable_application(reference), decision_form=form)


def _approvable(application) -> bool:
    """Worth a check page: an approval the services would refuse at once is not restated."""
    return application.is_pending and all(r.passed for r in current_screening(application))


def _approval_check(request, application, form):
    data = form.cleaned_data
    conditions = dict(form.fields["conditions"].choices) if "conditions" in form.fields else {}
    chosen = [conditions.get(code, code) for code in data.get("conditions") or []]
    chosen += [line.strip() for line in (data.get("other_conditions") or "").splitlines() if line]
    years = services.LICENCE_YEARS[application.licence_type]
    return check_page(
        request,
        heading=f"Approve {application.reference}?",
        rows=[
            ("Vendor", application.vendor.name),
            ("Product", f"{application.product.name} ({application.product.control_entry})"),
            ("Destination", application.destination.name),
            ("End user", getattr(application.end_user, "name", "")),
            ("Licence", f"{application.get_licence_type_display()}, valid {years} year(s)"),
            ("Conditions", "\n".join(chosen) or "None"),
            ("Reason", data["reason"]),
        ],
        warning="Approving issues the licence and its signed certificate at once. A licence is "
        "never withdrawn: it can only be suspended or revoked afterwards, on the record.",
        hidden=form.hidden_values(),
        action_url=reverse("licenses:application-decide", args=[application.reference]),
        back_url=reverse("licenses:application-detail", args=[application.reference]),
        button="Approve and issue the licence",
    )


class AppealDecideView(PermissionRequiredMixin, View):
    """POST only: a senior official who did not take the refusal upholds or overturns it."""

    permission_required = "licenses.decide_appeal"
    http_method_names = ["post"]

    def post(self, request, reference):
        application = viewable_application(reference)
        form = AppealDecisionForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            overturn = data["outcome"] == form.OVERTURN
            try:
                services.decide_appeal(
                    application=application,
                    by=request.user,
                    overturn=overturn,
                    reason=data["reason"],
                    conditions=data.get("conditions") or [],
                )
            except SERVICE_ERRORS as error:
                add_service_error(form, error)
            else:
                done = (
                    "overturned on appeal: the licence is issued"
                    if overturn
                    else "refused: the refusal is upheld on appeal"
                )
                messages.success(request, f"{application.reference} is {done}.")
                return redirect("licenses:application-detail", reference=reference)
        return application_page(request, viewable_application(reference), appeal_form=form)


class IssuedDocumentFileView(PermissionRequiredMixin, View):
    """An issued certificate or letter, as the PDF download the vendor gets."""

    permission_required = "documents.view_issueddocument"

    def get(self, request, reference, key):
        application = viewable_application(reference)
        document = get_object_or_404(IssuedDocument, application=application, key=key)
        return issued_attachment(document)


# --- Licences -----------------------------------------------------------------------------------


class LicenceListView(PermissionRequiredMixin, View):
    permission_required = "licenses.view_licence"

    def get(self, request):
        form = LicenceFilterForm(request.GET)
        filters = form.cleaned_data if form.is_valid() else {}
        licences = selectors.licence_list(
            q=filters.get("q", "").strip(),
            status=filters.get("status", ""),
            vendor=filters.get("vendor", ""),
        )
        return render(
            request,
            "licenses/licence_list.html",
            {"form": form, "page": paginate(request, licences, per_page=settings.PAGE_SIZE // 2)},
        )


def _licence(number):
    return get_object_or_404(
        Licence.objects.select_related(
            "application__vendor", "application__product", "application__destination"
        ),
        number=number,
    )


def _licence_page(request, licence, *, action_form=None):
    may_act = request.user.has_perm("licenses.manage_licence") and LicenceActionForm.offered_for(
        licence.status
    )
    confirmed = list(screening_selectors.confirmed_for_licence_parties(licence.application_id))
    initial = {}
    suggested = next((m for m in confirmed if str(m.pk) == request.GET.get("match")), None)
    if suggested is not None and licence.status == "active":
        # Offered from a confirmed match: suspension, with the match as the reason.
        initial = {
            "action": LicenceActionForm.SUSPEND,
            "reason": f"Confirmed restricted-party match {suggested.pk}: {suggested.party.name} "
            f"is listed as {suggested.entry_name} ({suggested.get_source_display()}).",
        }
    context = {
        "licence": licence,
        "history": licence.history.order_by("-history_date", "-history_id")[:20],
        "confirmed_matches": confirmed,
        "reports": selectors.delivery_reports(licence),
        "action_form": action_form
        or (LicenceActionForm(status=licence.status, initial=initial) if may_act else None),
        "certificate": documents_selectors.certificate(licence),
    }
    return render(request, "licenses/licence_detail.html", context)


class LicenceDetailView(PermissionRequiredMixin, View):
    permission_required = "licenses.view_licence"

    def get(self, request, number):
        return _licence_page(request, _licence(number))


class LicenceActionView(PermissionRequiredMixin, View):
    """POST only: suspend, reinstate or revoke a licence with a reason."""

    permission_required = "licenses.manage_licence"
    http_method_names = ["post"]
    actions = {
        LicenceActionForm.SUSPEND: ("suspend_licence", "suspended"),
        LicenceActionForm.REINSTATE: ("reinstate_licence", "reinstated"),
        LicenceActionForm.REVOKE: ("revoke_licence", "revoked"),
    }

    def post(self, request, number):
        licence = _licence(number)
        form = LicenceActionForm(request.POST, status=licence.status)
        if form.is_valid() and form.needs_check():
            application = licence.application
            return check_page(
                request,
                heading=f"Revoke licence {licence.number}?",
                rows=[
                    ("Licence", f"{licence.number}, {licence.get_status_display().lower()}"),
                    ("Vendor", application.vendor.name),
                    ("Destination", application.destination.name),
                    ("Valid until", f"{licence.valid_until:%d %B %Y}"),
                    ("Reason", form.cleaned_data["reason"]),
                ],
                warning="Revoking is final: a revoked licence is never reinstated. The public "
                "check answers \u201crevoked\u201d for it from now on.",
                hidden=form.hidden_values(),
                action_url=reverse("licenses:licence-action", args=[number]),
                back_url=reverse("licenses:licence-detail", args=[number]),
                button="Revoke the licence",
            )
        if form.is_valid():
            service, done = self.actions[form.cleaned_data["action"]]
            try:
                getattr(services, service)(
                    licence=licence, by=request.user, reason=form.cleaned_data["reason"]
                )
            except SERVICE_ERRORS as error:
                add_service_error(form, error)
            else:
                messages.success(request, f"Licence {licence.number} is {done}.")
                return redirect("licenses:licence-detail", number=number)
        return _licence_page(request, _licence(number), action_form=form)


class ApplicationRescreenView(PermissionRequiredMixin, View):
    """POST only: an official screens the application's parties again now and records any new
    match (a refusal since the submission may have added a name to the denial register)."""

    permission_required = "licenses.decide_licenceapplication"
    http_method_names = ["post"]

    def post(self, request, reference):
        application = viewable_application(reference)
        if not application.is_pending:
            messages.error(request, f"{application.reference} is decided: nothing to screen.")
        else:
            found = services.rescreen_application(application=application, by=request.user)
            messages.success(
                request, f"Parties screened again: {found} new match{'es' if found != 1 else ''}."
            )
        return redirect("licenses:application-detail", reference=reference)
