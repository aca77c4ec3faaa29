"""The officials' pages for vendors, licence applications and licences.

Each view checks its permission, validates the form and calls ``licenses.services``; refusals
from the services come back as form errors, and the page is shown again with what was typed.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from documents import selectors as documents_selectors
from documents.forms import DocumentReviewForm
from licenses import approvals, selectors, services
from licenses.casework_views import casework_context
from licenses.forms import (
    ApplicationDecisionForm,
    LicenceActionForm,
    LicenceFilterForm,
    VendorEditForm,
    VendorFilterForm,
    VendorForm,
    VendorStatusForm,
)
from licenses.models import ApplicationStatus, Licence, LicenceApplication, Vendor
from registry.errors import DomainError
from registry.web import add_service_error, paginate

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
        or (VendorStatusForm() if request.user.has_perm("licenses.change_vendor") else None),
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
        form = VendorStatusForm(request.POST)
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
    facts, _ = selectors.screening_facts_and_revision(
        vendor=application.vendor,
        product=application.product,
        licence_type=application.licence_type,
        destination=application.destination,
        end_user_kind=application.end_user.kind,
        application_id=application.pk,
        stage=approvals.DECISION,
    )
    return approvals.screen(facts)


def application_page(
    request, application, *, decision_form=None, review_forms=None, **casework_forms
):
    """The application, its parties and documents, its screening, its case-work and the decision
    form.

    ``review_forms`` holds a document review form that failed, by the document's key."""
    pending = application.is_pending
    screening_now = current_screening(application) if pending else None
    approvable = pending and all(result.passed for result in screening_now)
    may_decide = pending and request.user.has_perm("licenses.decide_licenceapplication")
    context = {
        "application": application,
        "screening_now": screening_now,
        "failed_now": [r for r in screening_now or [] if not r.passed],
        "approvable": approvable,
        "may_decide": may_decide,
        "decision_form": decision_form
        or (ApplicationDecisionForm(approvable=approvable) if may_decide else None),
        "licence": getattr(application, "licence", None)
        if application.status == ApplicationStatus.APPROVED
        else None,
        "parties": application.parties.select_related("country").order_by("pk"),
        "documents": _documents_with_forms(request, application, review_forms or {}),
        "review_failed": bool(review_forms),
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
    """POST only: approve (issuing the licence) or refuse, with a reason."""

    permission_required = "licenses.decide_licenceapplication"
    http_method_names = ["post"]

    def post(self, request, reference):
        application = viewable_application(reference)
        form = ApplicationDecisionForm(request.POST)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            try:
                if form.cleaned_data["decision"] == form.APPROVE:
                    licence = services.approve_application(
                        application=application, by=request.user, reason=reason
                    )
                    done = f"approved: licence {licence.number} is issued"
                else:
                    services.refuse_application(
                        application=application, by=request.user, reason=reason
                    )
                    done = "refused"
            except SERVICE_ERRORS as error:
                add_service_error(form, error)
            else:
                messages.success(request, f"{application.reference} is {done}.")
                return redirect("licenses:application-detail", reference=reference)
        return application_page(request, viewable_application(reference), decision_form=form)


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
    context = {
        "licence": licence,
        "history": licence.history.order_by("-history_date", "-history_id")[:20],
        "reports": selectors.delivery_reports(licence),
        "action_form": action_form
        or (LicenceActionForm() if request.user.has_perm("licenses.manage_licence") else None),
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
        form = LicenceActionForm(request.POST)
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
