"""The countries pages: the list, and whitelist revisions from proposal to decision.

Views check the role, validate the form and call ``countries.services``; the rules live there.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View

from countries import selectors, services
from countries.forms import CountryFilterForm, RevisionDecisionForm, RevisionProposalForm
from countries.models import RevisionStatus, WhitelistRevision
from licenses.selectors import applications_touched_by, licences_touched_by, revision_impact
from registry.errors import DomainError
from registry.web import add_service_error, check_page, paginate


class CountryListView(PermissionRequiredMixin, View):
    # Vendors may read countries too, but through the API: the web list is for the officials and
    # auditors, who also see the revisions.
    permission_required = ("countries.view_country", "countries.view_whitelistrevision")

    def get(self, request):
        form = CountryFilterForm(request.GET)
        countries = selectors.country_list(**form.filters())
        return render(
            request,
            "countries/country_list.html",
            {
                "form": form,
                "page": paginate(request, countries),
                "eligible_total": selectors.eligible_countries().count(),
            },
        )


class RevisionListView(PermissionRequiredMixin, View):
    permission_required = "countries.view_whitelistrevision"

    def get(self, request):
        return render(
            request,
            "countries/revision_list.html",
            {
                "page": paginate(
                    request, selectors.revision_list(), per_page=settings.PAGE_SIZE // 2
                )
            },
        )


class RevisionCreateView(PermissionRequiredMixin, View):
    permission_required = "countries.propose_whitelistrevision"
    template_name = "countries/revision_form.html"

    def get(self, request):
        return render(request, self.template_name, {"form": RevisionProposalForm()})

    def post(self, request):
        form = RevisionProposalForm(request.POST)
        if form.is_valid():
            try:
                revision = services.propose_revision(
                    by=request.user,
                    title=form.cleaned_data["title"],
                    reason=form.cleaned_data["reason"],
                    add=form.cleaned_data["add_all"],
                    remove=form.cleaned_data["remove_all"],
                    licence_treatment=form.cleaned_data["licence_treatment"],
                )
            except (ValidationError, DomainError) as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    f"{revision.reference} is proposed. A senior official who did not propose "
                    "it must approve it before it applies.",
                )
                return redirect("countries:revision-detail", reference=revision.reference)
        return render(request, self.template_name, {"form": form})


def _revision_page(request, revision, *, decision_form=None, status=200):
    """The revision page: its changes, the impact preview while proposed, what it changed once
    applied, and the decision form for a senior official who did not propose it."""
    is_proposed = revision.status == RevisionStatus.PROPOSED
    may_decide = (
        is_proposed
        and request.user.has_perm("countries.approve_whitelistrevision")
        and revision.proposed_by_id != request.user.pk
    )
    applied = revision.status == RevisionStatus.APPLIED
    context = {
        "revision": revision,
        "changes": selectors.revision_changes(revision),
        "impact": revision_impact(revision) if is_proposed else None,
        "touched_licences": licences_touched_by(revision) if applied else None,
        "touched_applications": applications_touched_by(revision) if applied else None,
        "own_proposal": revision.proposed_by_id == request.user.pk,
        "may_decide": may_decide,
        "decision_form": decision_form or (RevisionDecisionForm() if may_decide else None),
    }
    return render(request, "countries/revision_detail.html", context, status=status)


class RevisionDetailView(PermissionRequiredMixin, View):
    permission_required = "countries.view_whitelistrevision"

    def get(self, request, reference):
        revision = get_object_or_404(
            WhitelistRevision.objects.select_related("proposed_by", "approved_by"),
            reference=reference,
        )
        return _revision_page(request, revision)


class RevisionDecideView(PermissionRequiredMixin, View):
    """POST only: a senior official approves (and so applies) or rejects a proposed revision."""

    permission_required = "countries.approve_whitelistrevision"
    http_method_names = ["post"]

    def post(self, request, reference):
        revision = get_object_or_404(WhitelistRevision, reference=reference)
        form = RevisionDecisionForm(request.POST)
        if form.is_valid() and form.needs_check():
            return _approval_check(request, revision, form)
        if form.is_valid():
            note = form.cleaned_data["note"].strip()
            try:
                if form.cleaned_data["decision"] == form.APPROVE:
                    services.approve_revision(revision=revision, by=request.user, note=note)
                    done = "approved and applied"
                else:
                    services.reject_revision(revision=revision, by=request.user, note=note)
                    done = "rejected"
            except (ValidationError, DomainError) as error:
                add_service_error(form, error)
            else:
                messages.success(request, f"{revision.reference} is {done}.")
                return redirect("countries:revision-detail", reference=revision.reference)
        revision.refresh_from_db()
        return _revision_page(request, revision, decision_form=form)


def _approval_check(request, revision, form):
    """The check page before a revision is applied, restating its impact as the preview does."""
    impact = revision_impact(revision)
    treatment = revision.get_licence_treatment_display()
    lines = [
        f"{len(impact.licences)} active licence(s) to removed destinations: {treatment.lower()}",
        f"{len(impact.applications)} pending application(s) screened again now; those that fail "
        "are refused by the system",
        f"{len(impact.vendors)} vendor(s) concerned: "
        + (", ".join(vendor.name for vendor in impact.vendors) or "none"),
    ]
    lines += [
        f"Licence {licence.number} ({licence.application.vendor.name})"
        for licence in impact.licences[:50]
    ]
    url = reverse("countries:revision-detail", args=[revision.reference])
    return check_page(
        request,
        heading=f"Approve and apply {revision.reference}?",
        rows=[
            ("Revision", f"{revision.reference}: {revision.title}"),
            ("Added", ", ".join(country.name for country in impact.added) or "None"),
            ("Removed", ", ".join(country.name for country in impact.removed) or "None"),
            ("Licences to removed destinations", treatment),
            ("Note", form.cleaned_data["note"].strip() or "None"),
        ],
        warning="Approving applies the revision at once: the whitelist changes, and every "
        "licence and application below is changed with it, on the record. It cannot be undone; "
        "only a new revision can change the list back.",
        hidden=[
            (name, value) for name in ("decision", "note") for value in request.POST.getlist(name)
        ],
        action_url=reverse("countries:revision-decide", args=[revision.reference]),
        back_url=url,
        button="Approve and apply the revision",
        impact=lines,
        impact_title="Its impact",
    )
