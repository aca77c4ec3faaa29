"""The officials' case-work pages: the queue at scale and its CSV, and the case-work actions on
an application's page (take, assign, ask the vendor, note, refuse for information not given).

Each action checks its permission, validates its form and calls ``licenses.casework``; refusals
come back as form errors on the application's page, with what was typed.
"""

import csv

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View

from licenses import casework, selectors
from licenses.forms import (
    ApplicationFilterForm,
    AssignCaseForm,
    CaseNoteForm,
    InformationRequestForm,
    reason_field,
)
from licenses.models import ApplicationStatus, InformationRequestStatus
from registry import working_days
from registry.errors import DomainError
from registry.models import User
from registry.web import add_service_error, paginate

SERVICE_ERRORS = (ValidationError, DomainError)
DECIDE = "licenses.decide_licenceapplication"


def clock(application, *, today, calendar) -> dict:
    """What the queue and the case page say about the working-day target."""
    if not application.is_pending or application.target_date is None:
        return {"shown": False}
    if application.status == ApplicationStatus.AWAITING_VENDOR:
        return {"shown": True, "stopped": True}
    left = working_days.remaining(today, application.target_date, calendar=calendar)
    return {"shown": True, "stopped": False, "remaining": left, "overdue": left < 0, "late": -left}


def page_numbers(page, *, around: int = 2) -> list[int | None]:
    """The page numbers to link: the first, the last, and those near the current one; ``None``
    where numbers are left out. When the rows were counted only so far (``capped``) the last
    page is not known: the numbers end with a gap instead."""
    last = page.paginator.num_pages
    capped = getattr(page.paginator, "capped", False)
    wanted = {1, *range(page.number - around, page.number + around + 1)}
    if not capped:
        wanted.add(last)
    numbers: list[int | None] = []
    for n in sorted(n for n in wanted if 1 <= n <= last):
        if numbers and n - numbers[-1] > 1:
            numbers.append(None)
        numbers.append(n)
    if capped:
        numbers.append(None)
    return numbers


class ApplicationQueueView(PermissionRequiredMixin, View):
    permission_required = "licenses.view_licenceapplication"

    def get(self, request):
        form = ApplicationFilterForm(request.GET, user=request.user)
        filters = form.filters()
        page = paginate(
            request,
            selectors.application_queue(**filters),
            per_page=form.page_size(),
            count_limit=settings.LIST_COUNT_LIMIT,
        )
        today, calendar = timezone.localdate(), working_days.calendar()
        rows = [
            (application, clock(application, today=today, calendar=calendar))
            for application in page.object_list
        ]
        return render(
            request,
            "licenses/application_list.html",
            {
                "form": form,
                "page": page,
                "rows": rows,
                "page_numbers": page_numbers(page),
                "sort": filters["sort"],
                "sort_columns": SORT_COLUMNS,
            },
        )


SORT_COLUMNS = [
    ("reference", "Application"),
    ("submitted", "Submitted"),
    ("vendor", "Vendor"),
    ("product", "Product"),
    ("destination", "Destination"),
    ("status", "Status"),
    ("assignee", "Assignee"),
    ("target", "Target"),
]

CSV_HEADER = [
    "reference",
    "status",
    "submitted_at",
    "vendor",
    "vendor_registration_number",
    "licence_type",
    "product",
    "destination",
    "end_user",
    "assignee",
    "target_date",
    "decided_at",
]


# A cell starting with one of these is read by spreadsheets as a formula (CSV injection). The
# auditors' exports guard the same way; the apps do not import the auditors' pages.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


class _Line:
    def write(self, value: str) -> str:
        return value


def csv_stream(filename: str, header: list[str], rows) -> StreamingHttpResponse:
    """A CSV download written while it is read: 100,000 rows never sit whole in memory."""
    writer = csv.writer(_Line())

    def lines():
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([_cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class ApplicationExportView(PermissionRequiredMixin, View):
    """The filtered queue as CSV, streamed: every matching row, not one page."""

    permission_required = "licenses.view_licenceapplication"

    def get(self, request):
        form = ApplicationFilterForm(request.GET, user=request.user)
        rows = (
            selectors.application_queue(**form.filters())
            .annotate(end_user_name=selectors.end_user_name())
            .values_list(
                "reference",
                "status",
                "submitted_at",
                "vendor__name",
                "vendor__registration_number",
                "licence_type",
                "product__reference",
                "destination__code",
                "end_user_name",
                "assigned_to__username",
                "target_date",
                "decided_at",
            )
            .iterator(chunk_size=2000)
        )
        return csv_stream("applications.csv", CSV_HEADER, rows)


# --- On the application's page ------------------------------------------------------------------


class RefuseForMissingInformationForm(forms.Form):
    reason = reason_field("Reason for the refusal")


def casework_context(request, application, **forms) -> dict:
    """The case-work panels of the application's page: assignee, target, requests, notes."""
    user = request.user
    is_official = user.has_perm(DECIDE)
    may_act = is_official and (
        application.assigned_to_id in (None, user.pk) or user.has_perm(casework.ASSIGN)
    )
    requests = list(application.information_requests.select_related("raised_by"))
    expired = any(r.status == InformationRequestStatus.EXPIRED for r in requests)
    return {
        "clock": clock(application, today=timezone.localdate(), calendar=working_days.calendar()),
        "information_requests": requests,
        "notes": list(application.notes.select_related("author"))
        if is_official or user.has_perm("registry.view_audit_trail")
        else [],
        "may_take": is_official and application.is_pending and not application.assigned_to_id,
        "assign_form": forms.get("assign_form")
        or (
            AssignCaseForm() if user.has_perm(casework.ASSIGN) and application.is_pending else None
        ),
        "request_form": forms.get("request_form")
        or (
            InformationRequestForm()
            if may_act and application.status == ApplicationStatus.UNDER_REVIEW
            else None
        ),
        "note_form": forms.get("note_form") or (CaseNoteForm() if is_official else None),
        "missing_form": forms.get("missing_form")
        or (
            RefuseForMissingInformationForm()
            if may_act and expired and application.status == ApplicationStatus.AWAITING_VENDOR
            else None
        ),
    }


def _page_again(request, reference, **forms):
    from licenses.views import application_page, viewable_application

    return application_page(request, viewable_application(reference), **forms)


def _done(request, reference, text):
    messages.success(request, text)
    return redirect("licenses:application-detail", reference=reference)


class TakeCaseView(PermissionRequiredMixin, View):
    permission_required = DECIDE
    http_method_names = ["post"]

    def post(self, request, reference):
        from licenses.views import viewable_application

        try:
            casework.take_case(application=viewable_application(reference), by=request.user)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("licenses:application-detail", reference=reference)
        return _done(request, reference, f"{reference} is now yours.")


class AssignCaseView(PermissionRequiredMixin, View):
    permission_required = casework.ASSIGN
    http_method_names = ["post"]

    def post(self, request, reference):
        from licenses.views import viewable_application

        form = AssignCaseForm(request.POST)
        if form.is_valid():
            to = User.objects.get(username=form.cleaned_data["assignee"])
            try:
                casework.assign_case(
                    application=viewable_application(reference),
                    by=request.user,
                    to=to,
                    reason=form.cleaned_data["reason"],
                )
            except SERVICE_ERRORS as error:
                add_service_error(form, error)
            else:
                return _done(request, reference, f"{reference} is assigned to {to.username}.")
        return _page_again(request, reference, assign_form=form)


class RaiseRequestView(PermissionRequiredMixin, View):
    permission_required = DECIDE
    http_method_names = ["post"]

    def post(self, request, reference):
        from licenses.views import viewable_application

        form = InformationRequestForm(request.POST)
        if form.is_valid():
            try:
                raised = casework.raise_request(
                    application=viewable_application(reference),
                    by=request.user,
                    question=form.cleaned_data["question"],
                    due_on=casework.due_in(form.cleaned_data["due_in"]),
                )
            except SERVICE_ERRORS as error:
                add_service_error(form, error)
            else:
                return _done(
                    request,
                    reference,
                    f"The vendor is asked; the answer is due by {raised.due_on:%-d %b %Y}.",
                )
        return _page_again(request, reference, request_form=form)


class AddNoteView(PermissionRequiredMixin, View):
    permission_required = DECIDE
    http_method_names = ["post"]

    def post(self, request, reference):
        from licenses.views import viewable_application

        form = CaseNoteForm(request.POST)
        if form.is_valid():
            try:
                note = casework.add_note(
                    application=viewable_application(reference),
                    by=request.user,
                    **form.cleaned_data,
                )
            except SERVICE_ERRORS as error:
                add_service_error(form, error)
            else:
                kind = "shared with the vendor" if note.shared else "internal"
                return _done(request, reference, f"The note is added ({kind}).")
        return _page_again(request, reference, note_form=form)


class RefuseForMissingInformationView(PermissionRequiredMixin, View):
    permission_required = DECIDE
    http_method_names = ["post"]

    def post(self, request, reference):
        from licenses.views import viewable_application

        form = RefuseForMissingInformationForm(request.POST)
        if form.is_valid():
            try:
                casework.refuse_for_missing_information(
                    application=viewable_application(reference),
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except SERVICE_ERRORS as error:
                add_service_error(form, error)
            else:
                return _done(
                    request, reference, f"{reference} is refused: information not provided."
                )
        return _page_again(request, reference, missing_form=form)
