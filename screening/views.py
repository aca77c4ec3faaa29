"""The officials' screening pages: the match queue and its decisions, the concern list (kept by
senior officials) and the list snapshots with their quarantine.

Each view names its permission; vendors hold none of them (403), and no page of the API shows a
list, an entry or a score.
"""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from registry.errors import DomainError
from registry.web import add_service_error, paginate
from screening import selectors, services
from screening.forms import ConcernForm, MatchDecisionForm, MatchFilterForm, ReleaseForm, RetireForm
from screening.models import ConcernEntry, MatchStatus, PartyMatch, WatchlistSnapshot

SERVICE_ERRORS = (ValidationError, DomainError)


class MatchListView(PermissionRequiredMixin, View):
    """Officials and auditors: matches newest first, the highest score first among them."""

    permission_required = "screening.view_partymatch"

    def get(self, request):
        form = MatchFilterForm(request.GET or {"status": MatchStatus.OPEN})
        status = form.cleaned_data["status"] if form.is_valid() else MatchStatus.OPEN
        page = paginate(request, selectors.match_queue(status=status))
        context = {"form": form, "page": page, "list_status": selectors.list_status()}
        return render(request, "screening/match_list.html", context)


def _match(pk) -> PartyMatch:
    return get_object_or_404(
        PartyMatch.objects.select_related(
            "party__application__vendor",
            "party__country",
            "snapshot",
            "entry",
            "concern",
            "denial__application",
            "decided_by",
        ),
        pk=pk,
    )


def _match_page(request, match, *, form=None):
    may_decide = match.status == MatchStatus.OPEN and request.user.has_perm(
        "screening.decide_partymatch"
    )
    context = {
        "match": match,
        "application": match.party.application,
        "form": form or (MatchDecisionForm() if may_decide else None),
        "history": match.history.order_by("-history_date", "-history_id"),
        "licence": _live_licence(match),
    }
    return render(request, "screening/match_detail.html", context)


def _live_licence(match):
    """The licence issued on the party's application, when it is active: a confirmed match on
    it is offered for suspension."""
    licence = getattr(match.party.application, "licence", None)
    return licence if licence is not None and licence.status == "active" else None


class MatchDetailView(PermissionRequiredMixin, View):
    permission_required = "screening.view_partymatch"

    def get(self, request, pk):
        return _match_page(request, _match(pk))


class MatchDecideView(PermissionRequiredMixin, View):
    """POST only: an official decides a match false positive or confirmed, with a reason."""

    permission_required = "screening.decide_partymatch"
    http_method_names = ["post"]

    def post(self, request, pk):
        match = _match(pk)
        form = MatchDecisionForm(request.POST)
        if form.is_valid():
            try:
                services.decide_match(
                    match=match,
                    by=request.user,
                    decision=form.cleaned_data["decision"],
                    reason=form.cleaned_data["reason"],
                )
            except SERVICE_ERRORS as error:
                add_service_error(form, error)
            else:
                match.refresh_from_db()
                messages.success(
                    request, f"Match {match.pk} is {match.get_status_display().lower()}."
                )
                return redirect("screening:match-detail", pk=pk)
        return _match_page(request, _match(pk), form=form)


# --- The concern list ----------------------------------------------------------------------------


def _concern_page(request, *, form=None, status=200):
    may_manage = request.user.has_perm("screening.manage_concernentry")
    context = {
        "entries": paginate(request, selectors.concern_list()),
        "form": form or (ConcernForm() if may_manage else None),
    }
    return render(request, "screening/concern_list.html", context, status=status)


class ConcernListView(PermissionRequiredMixin, View):
    """Officials and auditors read the concern list; senior officials add to it."""

    permission_required = "screening.view_concernentry"

    def get(self, request):
        return _concern_page(request)


class ConcernAddView(PermissionRequiredMixin, View):
    permission_required = "screening.manage_concernentry"
    http_method_names = ["post"]

    def post(self, request):
        form = ConcernForm(request.POST)
        if form.is_valid():
            try:
                entry = services.add_concern(
                    by=request.user,
                    name=form.cleaned_data["name"],
                    alt_names=form.cleaned_alt_names(),
                    countries=form.cleaned_countries(),
                    reason=form.cleaned_data["reason"],
                )
            except SERVICE_ERRORS as error:
                add_service_error(form, error)
            else:
                messages.success(request, f"{entry.name} is on the concern list.")
                return redirect("screening:concern-list")
        return _concern_page(request, form=form)


class ConcernDetailView(PermissionRequiredMixin, View):
    permission_required = "screening.view_concernentry"

    def get(self, request, pk, form=None):
        entry = get_object_or_404(ConcernEntry, pk=pk)
        may_retire = entry.status == "active" and request.user.has_perm(
            "screening.manage_concernentry"
        )
        context = {
            "entry": entry,
            "form": form or (RetireForm() if may_retire else None),
            "history": entry.history.order_by("-history_date", "-history_id"),
        }
        return render(request, "screening/concern_detail.html", context)


class ConcernRetireView(PermissionRequiredMixin, View):
    permission_required = "screening.manage_concernentry"
    http_method_names = ["post"]

    def post(self, request, pk):
        entry = get_object_or_404(ConcernEntry, pk=pk)
        form = RetireForm(request.POST)
        if form.is_valid():
            try:
                services.retire_concern(
                    entry=entry, by=request.user, reason=form.cleaned_data["reason"]
                )
            except SERVICE_ERRORS as error:
                add_service_error(form, error)
            else:
                messages.success(request, f"{entry.name} is retired from the concern list.")
                return redirect("screening:concern-detail", pk=pk)
        return ConcernDetailView().get(request, pk, form=form)


# --- Snapshots -----------------------------------------------------------------------------------


class SnapshotListView(PermissionRequiredMixin, View):
    """Officials and auditors: every snapshot, the one in use, and the quarantined ones."""

    permission_required = "screening.view_watchlistsnapshot"

    def get(self, request, release_form=None, release_pk=None):
        status = selectors.list_status()
        may_release = request.user.has_perm("screening.release_watchlistsnapshot")
        context = {
            "page": paginate(request, selectors.snapshot_list()),
            "list_status": status,
            "may_release": may_release,
            "release_form": release_form,
            "release_pk": release_pk,
        }
        return render(request, "screening/snapshot_list.html", context)


class SnapshotReleaseView(PermissionRequiredMixin, View):
    permission_required = "screening.release_watchlistsnapshot"
    http_method_names = ["post"]

    def post(self, request, pk):
        snapshot = get_object_or_404(WatchlistSnapshot, pk=pk)
        form = ReleaseForm(request.POST, auto_id=f"release-{pk}-%s")
        if form.is_valid():
            try:
                services.release_snapshot(
                    snapshot=snapshot, by=request.user, reason=form.cleaned_data["reason"]
                )
            except SERVICE_ERRORS as error:
                add_service_error(form, error)
            else:
                messages.success(request, f"Snapshot {snapshot.pk} is released.")
                return redirect("screening:snapshot-list")
        return SnapshotListView().get(request, release_form=form, release_pk=pk)
