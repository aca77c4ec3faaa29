"""Reads of the audit trail for the auditors' views.

Every page costs a fixed number of queries, whatever the size of the history: the timeline is one
UNION over the history tables, ordered and cut in the database; the changed fields of the rows on
a page come from one query per kind for the records and one for their predecessors.
"""

from __future__ import annotations

import datetime
import functools
import json
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import CharField, F, OuterRef, Subquery, Value
from django.db.models.functions import Cast
from django.utils import timezone

from countries import selectors as country_selectors
from countries.models import Country, WhitelistChange, WhitelistRevision
from documents.models import DeclarationTemplate, Document
from licenses.models import DeliveryReport, Licence, LicenceApplication, Party, Product, Vendor
from registry.audit import charts, tree
from registry.models import ApiToken
from registry.templatetags.dates import when_text


@functools.cache
def _history_model(model: type[models.Model]) -> type[models.Model]:
    return model.history.model


@dataclass(frozen=True)
class Kind:
    """One kind of tracked object an auditor can look up, and the key it is known by.

    ``key_lookup`` finds a key in the history table when the key is not one of its columns;
    ``link`` is the kind whose page shows the object (a whitelist change shows on its revision's).
    """

    slug: str
    label: str
    model: type[models.Model]
    key_field: str
    key_lookup: str = ""
    link: str = ""

    @property
    def history_model(self):
        # Not ``model.history.model``: that builds a new manager at each access, and an export
        # asks once a row.
        return _history_model(self.model)

    @property
    def lookup(self) -> str:
        return self.key_lookup or self.key_field

    @property
    def link_slug(self) -> str:
        return self.link or self.slug

    def key_expression(self):
        if not self.key_lookup:
            length = self.model._meta.get_field(self.key_field).max_length or 50
            return Cast(F(self.key_field), output_field=CharField(max_length=max(50, length)))
        related, _, field_name = self.key_lookup.partition("__")
        target = self.model._meta.get_field(related).related_model
        return Subquery(
            target.objects.filter(pk=OuterRef(f"{related}_id")).values(field_name)[:1],
            output_field=CharField(max_length=50),
        )


KINDS: dict[str, Kind] = {
    kind.slug: kind
    for kind in (
        Kind("country", "Country", Country, "code"),
        Kind("revision", "Whitelist revision", WhitelistRevision, "reference"),
        Kind("vendor", "Vendor", Vendor, "registration_number"),
        Kind("product", "Product", Product, "reference"),
        Kind("application", "Licence application", LicenceApplication, "reference"),
        Kind("licence", "Licence", Licence, "number"),
        Kind("user", "Account", get_user_model(), "username"),
        Kind("declaration-template", "Declaration template", DeclarationTemplate, "version"),
    )
}
KIND_BY_MODEL = {kind.model: kind for kind in KINDS.values()}
# The timeline also shows the countries each revision adds or removes, under the revision's key.
TIMELINE_KINDS: dict[str, Kind] = {
    **KINDS,
    "whitelist-change": Kind(
        "whitelist-change",
        "Whitelist change",
        WhitelistChange,
        "revision",
        key_lookup="revision__reference",
        link="revision",
    ),
    # An application's parties and documents, under the application's reference.
    "party": Kind(
        "party",
        "Party",
        Party,
        "application",
        key_lookup="application__reference",
        link="application",
    ),
    "document": Kind(
        "document",
        "Document",
        Document,
        "application",
        key_lookup="application__reference",
        link="application",
    ),
    # A licence's delivery reports, under its number; API tokens, under their holder.
    "delivery-report": Kind(
        "delivery-report",
        "Delivery report",
        DeliveryReport,
        "licence",
        key_lookup="licence__number",
        link="licence",
    ),
    "api-token": Kind(
        "api-token", "API token", ApiToken, "user", key_lookup="user__username", link="user"
    ),
}

HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}

# Fields every history table shares that are not part of the object itself.
_COLUMNS = (
    "audit_seq",
    "history_date",
    "history_type",
    "history_user_id",
    "history_username",
    "history_change_reason",
)


@dataclass
class FieldChange:
    """One field a record changed: its raw values (``old``, ``new``: the JSON export's) and the
    words a person reads (``old_text``, ``new_text``: the pages' and the CSV's)."""

    name: str
    label: str
    old: object
    new: object
    old_text: str = ""
    new_text: str = ""


@dataclass
class Entry:
    """One history record as the auditor reads it."""

    seq: int
    kind: Kind
    key: str
    date: datetime.datetime
    type: str
    username: str
    reason: str
    changes: list[FieldChange] = field(default_factory=list)
    # The Merkle leaf hash (hex) of the record, where the caller looked it up.
    leaf: str = ""
    # The revision that made this change, for a country's record written by one.
    revision: str = ""

    @property
    def type_label(self) -> str:
        return HISTORY_TYPES.get(self.type, self.type)


@dataclass(frozen=True)
class TimelineFilter:
    start: datetime.datetime | None = None
    end: datetime.datetime | None = None
    username: str = ""
    kind: str = ""
    key: str = ""


def timeline(filters: TimelineFilter) -> models.QuerySet:
    """Every history record of the tracked models, newest first, as rows of the shared columns
    and the kind (``entries`` adds the rest).

    A lazy UNION: a paginator counts it and slices it in the database.
    """
    parts = []
    for kind in TIMELINE_KINDS.values():
        if filters.kind and kind.slug != filters.kind:
            continue
        queryset = kind.history_model.objects.order_by()
        if filters.start:
            queryset = queryset.filter(history_date__gte=filters.start)
        if filters.end:
            queryset = queryset.filter(history_date__lt=filters.end)
        if filters.username:
            queryset = queryset.filter(history_username__iexact=filters.username)
        if filters.key:
            queryset = queryset.filter(**{kind.lookup: filters.key})
        # The object's key is looked up for the rows of a page only (``entries``): in the union
        # it would be worked out for every record that ties on the newest dates before the cut.
        parts.append(
            queryset.annotate(object_kind=Value(kind.slug, output_field=CharField())).values(
                *_COLUMNS, "object_kind"
            )
        )
    if not parts:
        return KINDS["country"].history_model.objects.none().values(*_COLUMNS)
    union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return union.order_by("-history_date", "-audit_seq")


def entries(rows) -> list[Entry]:
    """The page's rows with the fields each record changed, old and new.

    Two queries per kind on the page (the records with their predecessor's id, then the
    predecessors), and one per related model to name the objects that foreign keys point to.
    """
    by_kind: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        by_kind[row["object_kind"]].append(row["audit_seq"])

    records: dict[int, tuple[Kind, models.Model, models.Model | None]] = {}
    for slug, seqs in by_kind.items():
        kind = TIMELINE_KINDS[slug]
        history_model = kind.history_model
        previous_id = (
            history_model.objects.filter(id=OuterRef("id"), audit_seq__lt=OuterRef("audit_seq"))
            .order_by("-audit_seq")
            .values("history_id")[:1]
        )
        found = list(
            history_model.objects.filter(audit_seq__in=seqs).annotate(
                previous_history_id=Subquery(previous_id), object_key=kind.key_expression()
            )
        )
        previous = history_model.objects.in_bulk(
            [r.previous_history_id for r in found if r.previous_history_id]
        )
        for record in found:
            records[record.audit_seq] = (kind, record, previous.get(record.previous_history_id))

    result = []
    for row in rows:
        kind, record, previous = records[row["audit_seq"]]
        result.append(_entry(kind, record, previous, key=record.object_key))
    _name_related(result)
    _describe(result)
    return result


def iter_entries(filters: TimelineFilter, *, chunk_size: int = 500):
    """Every entry of the timeline, read and described a chunk at a time (for the exports)."""
    chunk = []
    for row in timeline(filters).iterator(chunk_size=chunk_size):
        chunk.append(row)
        if len(chunk) == chunk_size:
            yield from _with_leaves(entries(chunk))
            chunk = []
    if chunk:
        yield from _with_leaves(entries(chunk))


def _with_leaves(result: list[Entry]) -> list[Entry]:
    """The entries with their Merkle leaf hash: one query for the lot."""
    leaves = tree.leaf_hashes(entry.seq for entry in result)
    for entry in result:
        entry.leaf = leaves.get(entry.seq, "")
    return result


def object_history(kind: Kind, key: str) -> list[Entry]:
    """Every record of one object, oldest first (in the order they were written)."""
    records = list(kind.history_model.objects.filter(**{kind.key_field: key}).order_by("audit_seq"))
    result, previous = [], None
    for record in records:
        result.append(_entry(kind, record, previous))
        previous = record
    _name_related(result)
    _describe(result)
    if kind.model is Country and result:
        _link_revisions(result, key)
    return result


def _link_revisions(result: list[Entry], code: str) -> None:
    """Names the revision behind each of a country's records that one wrote: a revision that
    changed this country (its ``WhitelistChange``) and whose reason the record carries. A reason
    merely typed to look like one links nowhere."""
    references = set(
        WhitelistChange.objects.filter(country__code=code).values_list(
            "revision__reference", flat=True
        )
    )
    for entry in result:
        reference = entry.reason.split(":", 1)[0]
        if reference in references:
            entry.revision = reference


def _tracked(history_model) -> list[models.Field]:
    return [f for f in history_model.tracked_fields if f.attname != "id"]


def _entry(kind: Kind, record, previous, *, key: str | None = None) -> Entry:
    changes = []
    for f in _tracked(type(record)):
        new = getattr(record, f.attname)
        old = getattr(previous, f.attname) if previous is not None else None
        if previous is None and new in (None, "", [], {}):
            continue
        if previous is not None and old == new:
            continue
        changes.append(FieldChange(f.attname, str(f.verbose_name), old, new))
    return Entry(
        seq=record.audit_seq,
        kind=kind,
        key=key if key is not None else str(getattr(record, kind.key_field)),
        date=record.history_date,
        type=record.history_type,
        username=record.history_username,
        reason=record.history_change_reason or "",
        changes=changes,
    )


def _name_related(result: list[Entry]) -> None:
    """Replaces foreign-key ids in the changes by the key a person knows the object by."""
    user_model = get_user_model()
    wanted: dict[type[models.Model], set[int]] = defaultdict(set)
    for entry in result:
        fields = {f.attname: f for f in _tracked(entry.kind.history_model)}
        for change in entry.changes:
            f = fields.get(change.name)
            if isinstance(f, models.ForeignKey):
                target = f.related_model
                change.target = target
                wanted[target].update(v for v in (change.old, change.new) if v is not None)
    names: dict[type[models.Model], dict[int, str]] = {}
    for target, ids in wanted.items():
        if target is user_model:
            names[target] = dict(
                user_model.objects.filter(pk__in=ids).values_list("pk", user_model.USERNAME_FIELD)
            )
        elif target in KIND_BY_MODEL:
            key_field = KIND_BY_MODEL[target].key_field
            names[target] = dict(target.objects.filter(pk__in=ids).values_list("pk", key_field))
    for entry in result:
        for change in entry.changes:
            target = getattr(change, "target", None)
            if target is None:
                continue
            known = names.get(target, {})
            change.old = known.get(change.old, change.old)
            change.new = known.get(change.new, change.new)
            change.label = change.label.removesuffix(" id")


def _describe(result: list[Entry]) -> None:
    """The words of each change's values: a choice's label, yes or no, a date in the app's one
    format, a screening as its rules' outcomes; never a code or a Python repr."""
    for entry in result:
        fields = {f.attname: f for f in _tracked(entry.kind.history_model)}
        for change in entry.changes:
            f = fields.get(change.name)
            change.old_text = value_text(f, change.old)
            change.new_text = value_text(f, change.new)


def value_text(f, value) -> str:
    if value is None or value == "":
        return "—"
    choices = dict(f.flatchoices) if f is not None and f.choices else {}
    if choices and value in choices:
        return str(choices[value])
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.date):
        return when_text(value)
    if isinstance(value, list) and all(isinstance(item, dict) and "rule" in item for item in value):
        return "; ".join(
            f"{item['rule'].replace('_', ' ')}: {'passed' if item.get('passed') else 'failed'}"
            for item in value
        )
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return str(value)


# --- The whitelist ----------------------------------------------------------------------------


@dataclass(frozen=True)
class WhitelistAsOf:
    at: datetime.datetime
    countries: list[Country]
    revision: WhitelistRevision | None


def whitelist_as_of(at: datetime.datetime) -> WhitelistAsOf:
    return WhitelistAsOf(
        at=at,
        countries=list(country_selectors.whitelist_as_of(at)),
        revision=country_selectors.revision_in_force(at),
    )


@dataclass(frozen=True)
class DiffLine:
    country: Country
    action: str
    date: datetime.datetime | None
    username: str
    reason: str


def whitelist_diff(start: datetime.datetime, end: datetime.datetime) -> list[DiffLine]:
    """The countries added and removed between two moments, each with its last change's record."""
    before = set(country_selectors.whitelist_as_of(start).values_list("pk", flat=True))
    after = set(country_selectors.whitelist_as_of(end).values_list("pk", flat=True))
    changed = before ^ after
    if not changed:
        return []
    low, high = min(start, end), max(start, end)
    last_record = {}
    for record in (
        Country.history.model.objects.filter(
            id__in=changed, history_date__gt=low, history_date__lte=high
        )
        .order_by("audit_seq")
        .only("id", "history_date", "history_username", "history_change_reason")
    ):
        last_record[record.id] = record
    lines = []
    for country in Country.objects.filter(pk__in=changed).order_by("name"):
        record = last_record.get(country.pk)
        lines.append(
            DiffLine(
                country=country,
                action="added" if country.pk in after else "removed",
                date=record.history_date if record else None,
                username=record.history_username if record else "",
                reason=(record.history_change_reason or "") if record else "",
            )
        )
    return lines


def whitelist_size_chart(
    *, width: int = 640, height: int = 220, now: datetime.datetime | None = None
) -> charts.SizeChart | None:
    """The whitelist's size after each applied revision, laid out for the auditors' pages."""
    return charts.size_chart(
        country_selectors.whitelist_steps(), width=width, height=height, now=now or timezone.now()
    )
