"""The auditors' pages: read-only, for holders of ``registry.view_audit_trail`` only.

Anonymous visitors are sent to sign in (``login_required`` comes first: ``permission_required``
with ``raise_exception`` alone would refuse them); every other signed-in user gets 403. The views
parse the query with a form and hand it to the selectors; invalid input answers 400 with the
form's errors.
"""

import re

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from registry.audit import exports, selectors, statistics, tree
from registry.audit.forms import DiffForm, StatisticsForm, TimelineForm, WhitelistForm
from registry.web import paginate

PERMISSION = "registry.view_audit_trail"


def _invalid(request, form, template, context=None):
    if request.GET.get("format") in ("csv", "json"):
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    return render(request, template, {"form": form, **(context or {})}, status=400)


@login_required
@require_GET
@permission_required(PERMISSION, raise_exception=True)
def timeline(request):
    form = TimelineForm(request.GET or None)
    if request.GET and not form.is_valid():
        return _invalid(request, form, "audit/timeline.html", {"chart": None})
    filters = selectors.TimelineFilter()
    if form.is_bound:
        start, end = form.bounds()
        filters = selectors.TimelineFilter(
            start=start,
            end=end,
            username=form.cleaned_data["user"].strip(),
            kind=form.cleaned_data["kind"],
            key=form.cleaned_data["object"].strip(),
        )
    fmt = form.cleaned_data.get("format") if form.is_bound else ""
    if fmt in ("csv", "json"):
        return _timeline_export(filters, fmt, _export_name(form))
    page = paginate(request, selectors.timeline(filters), count_limit=settings.LIST_COUNT_LIMIT)
    query = request.GET.copy()
    query.pop("page", None)
    entries = selectors.entries(list(page.object_list))
    return render(
        request,
        "audit/timeline.html",
        {
            "form": form,
            "page": page,
            "entries": entries,
            "leaves": tree.leaf_hashes(entry.seq for entry in entries),
            "query": query.urlencode(),
            "chart": selectors.whitelist_size_chart(),
        },
    )


TIMELINE_COLUMNS = [
    "seq",
    "leaf_hash",
    "when",
    "who",
    "type",
    "kind",
    "object",
    "reason",
    "changes",
]


def _export_name(form) -> str:
    """``audit-trail`` and the filter, as a file name can carry it:
    ``audit-trail_user-official_kind-vendor_2021-11-01-to-2021-12-01``."""
    parts = ["audit-trail"]
    data = form.cleaned_data
    for name in ("user", "kind", "object"):
        value = (data.get(name) or "").strip()
        if value:
            parts.append(f"{name}-{value}")
    start, end = form.dates()
    if start or end:
        parts.append(f"{start or 'start'}-to-{end or 'now'}")
    return re.sub(r"[^A-Za-z0-9._-]+", "-", "_".join(parts))[:150]


def _timeline_export(filters, fmt, name="audit-trail"):
    """Every matching change, oldest last, streamed: a large trail never sits whole in memory.
    Each carries its position (``seq``) and its Merkle leaf hash."""
    entries = selectors.iter_entries(filters)
    if fmt == "csv":
        rows = (
            [
                e.seq,
                e.leaf,
                e.date.isoformat(),
                e.username,
                e.type_label,
                e.kind.slug,
                e.key,
                e.reason,
                "; ".join(
                    f"{c.label}: {c.new_text}"
                    if e.type == "+"
                    else f"{c.label}: {c.old_text} → {c.new_text}"
                    for c in e.changes
                ),
            ]
            for e in entries
        )
        return exports.csv_stream(f"{name}.csv", TIMELINE_COLUMNS, rows)
    items = (
        {
            "seq": e.seq,
            "leaf_hash": e.leaf,
            "when": e.date,
            "who": e.username,
            "type": e.type_label,
            "kind": e.kind.slug,
            "object": e.key,
            "reason": e.reason,
            "changes": [{"field": c.name, "old": c.old, "new": c.new} for c in e.changes],
        }
        for e in entries
    )
    filters_json = {
        "from": filters.start,
        "to_before": filters.end,
        "user": filters.username,
        "kind": filters.kind,
        "object": filters.key,
    }
    return exports.json_stream(f"{name}.json", {"filters": filters_json}, "changes", items)


@login_required
@require_GET
@permission_required(PERMISSION, raise_exception=True)
def whitelist(request):
    form = WhitelistForm(request.GET)
    if not form.is_valid():
        return _invalid(request, form, "audit/whitelist.html")
    result = selectors.whitelist_as_of(form.cleaned_data["as_of"])
    stamp = result.at.strftime("%Y-%m-%dT%H%M%S")
    revision = result.revision
    fmt = form.cleaned_data["format"] or "html"
    if fmt == "csv":
        return exports.csv_response(
            f"whitelist-{stamp}.csv",
            ["code", "alpha3", "name", "as_of", "revision_in_force"],
            (
                [
                    c.code,
                    c.alpha3,
                    c.name,
                    result.at.isoformat(),
                    revision.reference if revision else "",
                ]
                for c in result.countries
            ),
        )
    if fmt == "json":
        return exports.json_response(
            f"whitelist-{stamp}.json",
            {
                "as_of": result.at,
                "revision_in_force": _revision_json(revision),
                "count": len(result.countries),
                "countries": [
                    {"code": c.code, "alpha3": c.alpha3, "name": c.name} for c in result.countries
                ],
            },
        )
    return render(
        request,
        "audit/whitelist.html",
        {"form": form, "result": result, "chart": selectors.whitelist_size_chart()},
    )


def _revision_json(revision):
    if revision is None:
        return None
    return {
        "reference": revision.reference,
        "title": revision.title,
        "applied_at": revision.applied_at,
    }


@login_required
@require_GET
@permission_required(PERMISSION, raise_exception=True)
def whitelist_diff(request):
    form = DiffForm(request.GET)
    if not form.is_valid():
        return _invalid(request, form, "audit/whitelist_diff.html")
    start, end = form.cleaned_data["from_"], form.cleaned_data["to"]
    lines = selectors.whitelist_diff(start, end)
    fmt = form.cleaned_data["format"] or "html"
    header = ["action", "code", "name", "when", "who", "reason"]
    rows = [
        [line.action, line.country.code, line.country.name, line.date, line.username, line.reason]
        for line in lines
    ]
    if fmt == "csv":
        return exports.csv_response("whitelist-diff.csv", header, rows)
    if fmt == "json":
        return exports.json_response(
            "whitelist-diff.json",
            {
                "from": start,
                "to": end,
                "changes": [dict(zip(header, row, strict=True)) for row in rows],
            },
        )
    return render(
        request,
        "audit/whitelist_diff.html",
        {
            "form": form,
            "added": [line for line in lines if line.action == "added"],
            "removed": [line for line in lines if line.action == "removed"],
            "start": start,
            "end": end,
        },
    )


@login_required
@require_GET
@permission_required(PERMISSION, raise_exception=True)
def object_history(request, kind, key):
    found = selectors.KINDS.get(kind)
    if found is None:
        raise Http404("No such kind of object.")
    entries = selectors.object_history(found, key)
    if not entries:
        raise Http404("No history for that object.")
    return render(
        request,
        "audit/object_history.html",
        {
            "kind": found,
            "key": key,
            "entries": entries,
            "leaves": tree.leaf_hashes(entry.seq for entry in entries),
        },
    )


@login_required
@require_GET
@permission_required(PERMISSION, raise_exception=True)
def statistics_page(request):
    """The year's transparency statistics as the trail stood at a moment; the same year and
    moment give the same JSON bytes (``&format=json``), whose SHA-256 the page states."""
    data = request.GET.copy()
    data.setdefault("year", str(timezone.localdate().year))
    form = StatisticsForm(data)
    if not form.is_valid():
        return _invalid(request, form, "audit/statistics.html")
    year, as_of = form.cleaned_data["year"], form.cleaned_data["as_of"]
    published = statistics.publish(year, as_of)
    if form.cleaned_data["format"] == "json":
        response = HttpResponse(published.content, content_type="application/json")
        stamp = as_of.strftime("%Y-%m-%dT%H%M%S")
        response["Content-Disposition"] = f'inline; filename="statistics-{year}-as-of-{stamp}.json"'
        response["X-Content-SHA256"] = published.sha256
        return response
    return render(
        request,
        "audit/statistics.html",
        {
            "form": form,
            "year": year,
            "as_of": as_of,
            "data": published.data,
            "sha256": published.sha256,
            "permalink": f"?year={year}&as_of={as_of.isoformat()}",
            "tables": _statistics_tables(published.data),
        },
    )


_DECISION_HEADINGS = ["Applications", "Approvals", "Refusals", "Refusals at intake"]
_DECISION_COLUMNS = ["applications", "approvals", "refusals", "refusals_at_intake"]


def _statistics_tables(data: dict) -> list[dict]:
    """The document's tables as rows of cells, first cell the row's heading."""

    def table(key, caption, first, label, headings, columns):
        return {
            "id": key.replace("_", "-"),
            "caption": caption,
            "headings": [first, *headings],
            "rows": [[label(row), *(row[c] for c in columns)] for row in data[key]],
        }

    return [
        table(
            "by_destination",
            "By destination",
            "Destination",
            lambda r: f"{r['name']} ({r['code']})",
            _DECISION_HEADINGS,
            _DECISION_COLUMNS,
        ),
        table(
            "by_category",
            "By product category",
            "Category",
            lambda r: r["label"],
            _DECISION_HEADINGS,
            _DECISION_COLUMNS,
        ),
        table(
            "by_control_entry",
            "By control-list entry",
            "Control entry",
            lambda r: r["control_entry"],
            _DECISION_HEADINGS,
            _DECISION_COLUMNS,
        ),
        table(
            "refusals_by_criterion",
            "Refusals by criterion",
            "Criterion",
            lambda r: r["criterion"].replace("_", " "),
            ["Refusals", "Refusals at intake"],
            ["refusals", "refusals_at_intake"],
        ),
        table(
            "licences_by_revision",
            "Licences suspended or revoked",
            "By",
            lambda r: f"{r['revision']} {r['title']}" if r["revision"] else "An official",
            ["Suspended", "Revoked"],
            ["licences_suspended", "licences_revoked"],
        ),
    ]
