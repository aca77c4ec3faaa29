"""Transparency statistics of a year, computed from the audit trail as it stood at a moment.

Everything is read from the history records dated at or before ``as_of`` — never from the live
rows — so the same year and the same moment give the same figures, byte for byte, whatever
happened since (a later appeal, a correction), and every figure can be traced to the records of
the objects it counts (``tests/audit/test_statistics.py`` reconciles them).

What is counted, for the calendar year in the configured time zone:

- applications submitted in the year; approvals and refusals decided in the year (an
  application's state as of the moment: its latest record at or before it). Refusals by the
  system at intake (screening at submission) are counted apart from the refusals after review
  (by an official, or by the system when a whitelist revision screened a pending case again);
- each by destination, product category and control entry, and refusals by criterion: the
  criteria a refusal records when it records them (``criteria``), else its failing screening rules,
  else its refusal code, else ``not recorded``;
- the processing time of the decisions after review: working days (``registry.working_days``)
  from submission to decision, median and 90th percentile (nearest rank);
- licences suspended or revoked in the year, by the whitelist revision that did it (``null``:
  an official's decision).

Counts of 1 and 2 are shown as ``"<3"``; where a column of a table has exactly one such count, the
next smallest is shown as ``"*"`` too, so no suppressed count can be worked out from the total.
A median or percentile over fewer than 3 decisions is not shown.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from countries.models import Country, WhitelistRevision
from licenses.models import (
    ApplicationStatus,
    Licence,
    LicenceApplication,
    LicenceStatus,
    Product,
    ProductCategory,
)
from registry import working_days
from registry.audit.history import SYSTEM_USERNAME

SUPPRESS_BELOW = 3
SMALL = "<3"
SECONDARY = "*"
NOT_RECORDED = "not recorded"

APPLICATION_FIELDS = (
    "reference",
    "status",
    "submitted_at",
    "decided_at",
    "decided_by_id",
    "destination_id",
    "product_id",
    "screening",
    "rescreened_by_revision_id",
    "refusal_code",
    "refusal_criteria",
)
COLUMNS = ("applications", "approvals", "refusals", "refusals_at_intake")


def _latest(history_model, at: datetime.datetime, fields) -> dict[int, dict]:
    """Each object's latest record at or before ``at``, as a dict of ``fields``."""
    rows = (
        history_model.objects.filter(history_date__lte=at)
        .order_by("id", "history_date", "audit_seq")
        .values_list("id", *fields)
    )
    latest: dict[int, dict] = {}
    for row in rows.iterator(chunk_size=5000):
        latest[row[0]] = dict(zip(fields, row[1:], strict=True))
    return latest


def _system_user_id() -> int | None:
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(username=SYSTEM_USERNAME)
        .values_list("pk", flat=True)
        .first()
    )


def criteria_of(state: dict) -> list[str]:
    """The criteria a refusal rests on, as its record gives them (see the module's note).

    The criteria the refusal recorded (``refusal_criteria``: [code, …], or [{"code": …}, …]) win;
    records written before refusals named their criteria fall back to the failing rules."""
    recorded = state.get("refusal_criteria")
    if recorded:
        return sorted({str(c.get("code", c)) if isinstance(c, dict) else str(c) for c in recorded})
    failed = sorted({r["rule"] for r in state.get("screening") or [] if not r.get("passed")})
    if failed:
        return failed
    if state.get("refusal_code"):
        return [state["refusal_code"]]
    return [NOT_RECORDED]


@dataclass
class Figures:
    """The raw figures (nothing suppressed): what the document is made of."""

    year: int
    as_of: datetime.datetime
    totals: Counter = field(default_factory=Counter)
    by_destination: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    by_category: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    by_control_entry: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    by_criterion: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    by_revision: dict[str | None, Counter] = field(default_factory=lambda: defaultdict(Counter))
    processing_days: list[int] = field(default_factory=list)
    # Which applications and licence records each total counts: the trace of every figure.
    counted: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    destination_names: dict[str, str] = field(default_factory=dict)
    revision_titles: dict[str, str] = field(default_factory=dict)


def year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    start = timezone.make_aware(datetime.datetime(year, 1, 1))
    return start, timezone.make_aware(datetime.datetime(year + 1, 1, 1))


def compute(year: int, as_of: datetime.datetime) -> Figures:
    figures = Figures(year=year, as_of=as_of)
    start, end = year_bounds(year)
    system_id = _system_user_id()
    countries = {
        pk: (code, name) for pk, code, name in Country.objects.values_list("pk", "code", "name")
    }
    products = _latest(Product.history.model, as_of, ("category", "control_entry"))
    applications = _latest(LicenceApplication.history.model, as_of, APPLICATION_FIELDS)
    calendar = working_days.calendar()

    for state in applications.values():
        code, name = countries.get(state["destination_id"], ("", ""))
        figures.destination_names[code] = name
        product = products.get(state["product_id"], {"category": "", "control_entry": ""})
        rows = (
            figures.by_destination[code],
            figures.by_category[product["category"]],
            figures.by_control_entry[product["control_entry"]],
        )
        column = None
        submitted, decided = state["submitted_at"], state["decided_at"]
        if submitted is not None and start <= submitted < end:
            _count(figures, rows, "applications", state["reference"])
        if decided is None or not start <= decided < end:
            continue
        if state["status"] == ApplicationStatus.APPROVED:
            column = "approvals"
        elif state["status"] == ApplicationStatus.REFUSED:
            at_intake = (
                state["decided_by_id"] == system_id and state["rescreened_by_revision_id"] is None
            )
            column = "refusals_at_intake" if at_intake else "refusals"
            for criterion in criteria_of(state):
                figures.by_criterion[criterion][column] += 1
        if column is None:
            continue
        _count(figures, rows, column, state["reference"])
        if column != "refusals_at_intake":
            figures.processing_days.append(
                working_days.count(
                    timezone.localdate(submitted), timezone.localdate(decided), calendar=calendar
                )
            )

    _licence_actions(figures, start, end)
    return figures


def _count(figures: Figures, rows, column: str, reference: str) -> None:
    figures.totals[column] += 1
    figures.counted[column].append(reference)
    for row in rows:
        row[column] += 1


def _licence_actions(figures: Figures, start, end) -> None:
    """Licences suspended or revoked in the year: a record that moves the status there."""
    records = (
        Licence.history.model.objects.filter(history_date__lte=figures.as_of)
        .order_by("id", "history_date", "audit_seq")
        .values_list("id", "number", "history_date", "status", "changed_by_revision_id")
    )
    revisions = dict(WhitelistRevision.objects.values_list("pk", "reference"))
    titles = dict(WhitelistRevision.objects.values_list("reference", "title"))
    previous: tuple | None = None
    for record in records.iterator(chunk_size=5000):
        pk, number, date, status, revision_id = record
        before = previous if previous is not None and previous[0] == pk else None
        previous = record
        if status not in (LicenceStatus.SUSPENDED, LicenceStatus.REVOKED):
            continue
        if before is not None and before[3] == status:
            continue
        if not start <= date < end:
            continue
        by_revision = revision_id is not None and (before is None or before[4] != revision_id)
        reference = revisions.get(revision_id) if by_revision else None
        column = "licences_suspended" if status == LicenceStatus.SUSPENDED else "licences_revoked"
        figures.totals[column] += 1
        figures.counted[column].append(number)
        figures.by_revision[reference][column] += 1
        if reference:
            figures.revision_titles[reference] = titles.get(reference, "")


# --- The document -----------------------------------------------------------------------------


def _shown(value: int) -> int | str:
    return SMALL if 0 < value < SUPPRESS_BELOW else value


def _table(rows: dict, columns: tuple[str, ...], describe) -> list[dict]:
    """Rows sorted by key, each count suppressed as the module says."""
    keys = sorted(
        (k for k in rows if any(rows[k][c] for c in columns)), key=lambda k: (k is None, k or "")
    )
    table = [{**describe(key), **{c: _shown(rows[key][c]) for c in columns}} for key in keys]
    for column in columns:
        small = [row for row in table if row[column] == SMALL]
        if len(small) != 1:
            continue
        others = sorted(
            (row for row in table if isinstance(row[column], int) and row[column] > 0),
            key=lambda row: row[column],
        )
        if others:
            others[0][column] = SECONDARY
    return table


def _median(days: list[int]) -> str:
    ordered = sorted(days)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return str(ordered[middle])
    total = ordered[middle - 1] + ordered[middle]
    return str(total // 2) + (".5" if total % 2 else "")


def _percentile(days: list[int], p: int) -> int:
    ordered = sorted(days)
    return ordered[max(0, math.ceil(p * len(ordered) / 100) - 1)]


def document(figures: Figures) -> dict:
    days = figures.processing_days
    enough = len(days) >= SUPPRESS_BELOW
    labels = dict(ProductCategory.choices)
    return {
        "title": "Transparency statistics of export-licence decisions",
        "year": figures.year,
        "as_of": figures.as_of.astimezone(datetime.UTC).isoformat(),
        "time_zone": settings.TIME_ZONE,
        "suppression": (
            'Counts of 1 and 2 are shown as "<3"; where that leaves one suppressed count in a '
            'column, the next smallest is shown as "*".'
        ),
        "totals": {
            name: _shown(figures.totals[name])
            for name in (*COLUMNS, "licences_suspended", "licences_revoked")
        },
        "processing_working_days": {
            "decisions": _shown(len(days)),
            "median": _median(days) if enough else None,
            "percentile_90": _percentile(days, 90) if enough else None,
        },
        "by_destination": _table(
            figures.by_destination,
            COLUMNS,
            lambda code: {"code": code, "name": figures.destination_names.get(code, "")},
        ),
        "by_category": _table(
            figures.by_category,
            COLUMNS,
            lambda category: {"category": category, "label": labels.get(category, category)},
        ),
        "by_control_entry": _table(
            figures.by_control_entry, COLUMNS, lambda entry: {"control_entry": entry}
        ),
        "refusals_by_criterion": _table(
            figures.by_criterion,
            ("refusals", "refusals_at_intake"),
            lambda criterion: {"criterion": criterion},
        ),
        "licences_by_revision": _table(
            figures.by_revision,
            ("licences_suspended", "licences_revoked"),
            lambda reference: {
                "revision": reference,
                "title": figures.revision_titles.get(reference, "") if reference else "",
            },
        ),
    }


def render(figures: Figures) -> bytes:
    """The document's bytes: JSON, keys sorted, one space of indent, UTF-8, a final newline."""
    return (
        json.dumps(document(figures), sort_keys=True, indent=1, ensure_ascii=False) + "\n"
    ).encode("utf-8")


@dataclass(frozen=True)
class Published:
    figures: Figures
    content: bytes
    sha256: str

    @property
    def data(self) -> dict:
        return json.loads(self.content)


def publish(year: int, as_of: datetime.datetime) -> Published:
    figures = compute(year, as_of)
    content = render(figures)
    return Published(figures, content, hashlib.sha256(content).hexdigest())
