"""The tamper-evident chain over every history table.

Each history record gets the next number of one global sequence (``audit_seq``) and a hash
(``audit_hash``): HMAC-SHA256, keyed with ``settings.AUDIT_KEY``, over a canonical serialisation of
the record's content and the previous record's hash. Editing, removing or inserting a record breaks
the chain from that point on, and without the key nobody can compute a chain that passes.

The next number is taken by locking the single :class:`~registry.audit.models.AuditChainHead` row
inside the transaction that writes the record: concurrent writers queue on that lock, so the chain
never forks, and a rolled-back transaction gives its numbers back. Records are chained where they
are inserted (:class:`ChainedRecord`'s ``save`` and the history querysets' ``bulk_create``), so
both the single save path and the bulk path go through here.

Each record is also a leaf of the Merkle log (``registry.audit.tree``), appended here under the
same lock: the chain needs ``AUDIT_KEY`` to verify, the log needs no secret at all.

This module is the bottom of the trail: ``registry.audit.history`` builds on it, never the reverse.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import decimal
import hashlib
import heapq
import hmac
import json
import operator
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.utils import timezone

from registry.audit import merkle, tree
from registry.audit.models import AuditChainHead

HEAD_PK = 1

_backdating_allowed: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "backdating_allowed", default=False
)


class UnattributedRecordError(ValueError):
    """A history record would have been chained without a user or a reason."""


# --- Canonical content ------------------------------------------------------------------------


def _utc(value: datetime.datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("history times must be aware (USE_TZ is on)")
    if value.utcoffset():
        value = value.astimezone(datetime.UTC)
    return value.replace(tzinfo=None).isoformat() + "Z"


def stored_decimal(field: models.DecimalField, value) -> decimal.Decimal:
    """The decimal as the database stores it: rounded to the field's places (halves away from
    zero, as PostgreSQL's ``numeric`` rounds), never a negative zero (PostgreSQL has none)."""
    places = decimal.Decimal(1).scaleb(-field.decimal_places)
    number = decimal.Decimal(field.to_python(value)).quantize(
        places, rounding=decimal.ROUND_HALF_UP
    )
    return abs(number) if number.is_zero() else number


def _json_number(value):
    """A JSON number as every database gives it back: PostgreSQL's ``jsonb`` keeps numbers as
    ``numeric``, so the floats ``1e16`` and ``-0.0`` come back as the integers
    ``10000000000000000`` and ``0``."""
    if isinstance(value, float) and value.is_integer():
        return int(decimal.Decimal(repr(value)))
    return value


def _stored_json(value):
    if isinstance(value, dict):
        return {key: _stored_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_stored_json(item) for item in value]
    return _json_number(value)


def _converter(field: models.Field) -> Callable[[object], object]:
    """How one tracked field's value is written into the canonical form.

    The value in memory before the insert and the value read back from the database must give
    the same text on every database, so each type is put in the form the database stores:
    decimals to their places without a negative zero, times to UTC to the microsecond, JSON as
    it reads back (keys as text, integral numbers as integers). The common case (a value
    already of the field's type) skips ``to_python``: the bulk path hashes 100,000 records at a
    time.
    """
    to_python = field.to_python
    if isinstance(field, models.JSONField):

        def json_value(v):
            if v is None or isinstance(v, bool | int | str):
                return v
            return _stored_json(json.loads(json.dumps(v, cls=field.encoder)))

        return json_value
    if isinstance(field, models.DecimalField):

        def decimal_value(v):
            return None if v is None else str(stored_decimal(field, v))

        return decimal_value
    if isinstance(field, models.DateTimeField):

        def datetime_value(v):
            if v is None:
                return None
            return _utc(v if type(v) is datetime.datetime else to_python(v))

        return datetime_value
    if isinstance(field, models.DateField | models.TimeField):
        kind = datetime.date if isinstance(field, models.DateField) else datetime.time
        return lambda v: None if v is None else (v if type(v) is kind else to_python(v)).isoformat()
    if isinstance(field, models.BooleanField):
        return lambda v: v if v is None or type(v) is bool else to_python(v)
    if isinstance(field, models.IntegerField | models.AutoField):
        return lambda v: v if v is None or type(v) is int else to_python(v)
    if isinstance(field, models.ForeignKey):
        return _converter(field.target_field)
    return lambda v: v if v is None or type(v) is str else str(to_python(v))


def retired_fields(history_model: type[models.Model]) -> list[models.Field]:
    """Columns the live model no longer has and its history table keeps (``project_history``'s
    ``retired``): the records written while they existed were hashed with them."""
    names = getattr(history_model, "retired_fields", ())
    return [history_model._meta.get_field(name) for name in names]


@cache
def _layout(
    history_model: type[models.Model], *, live: bool = False
) -> tuple[tuple[str, ...], Callable, tuple]:
    """The tracked field names of a history model (sorted), a getter and their converters.

    The retired columns count too, except when comparing with a live row (``live``), which has
    none of them.
    """
    fields = list(history_model.tracked_fields)
    if not live:
        fields += retired_fields(history_model)
    fields.sort(key=lambda f: f.attname)
    names = tuple(f.attname for f in fields)
    getter = operator.attrgetter(*names) if len(names) > 1 else (lambda o: (getattr(o, names[0]),))
    return names, getter, tuple(_converter(f) for f in fields)


def tracked_values(history_model: type[models.Model], obj: models.Model) -> dict:
    """The canonical values of the tracked fields of ``obj`` (a history record or a live row),
    the retired columns left out, so both compare."""
    names, getter, converters = _layout(history_model, live=True)
    return {
        name: convert(value)
        for name, convert, value in zip(names, converters, getter(obj), strict=True)
    }


_utc_cache: dict[datetime.datetime, str] = {}


def _utc_cached(value: datetime.datetime) -> str:
    # A batch shares one time; a small cache saves converting it for every record.
    text = _utc_cache.get(value)
    if text is None:
        if len(_utc_cache) > 1024:
            _utc_cache.clear()
        text = _utc_cache[value] = _utc(value)
    return text


@cache
def _added_later(history_model: type[models.Model]) -> frozenset[str]:
    """Attnames of the fields the tracked model declares in ``audit_fields_added_later``.

    Records written before such a field existed were hashed without it. While its value is empty
    (null, or the empty text a new text column starts with) it is left out of the canonical form,
    so those records still verify; once set, it is hashed like any other field, and setting or
    clearing it behind the trail breaks the chain.
    """
    tracked = getattr(history_model, "instance_type", None)
    names = getattr(tracked, "audit_fields_added_later", ())
    return frozenset(tracked._meta.get_field(name).attname for name in names)


def canonical(record: models.Model) -> bytes:
    """The bytes a record's hash covers.

    A JSON array: table, sequence number, time (UTC), type, user id, username, reason, then the
    tracked fields' names and values in name order (less the empty fields added later).
    """
    model = type(record)
    names, getter, converters = _layout(model)
    values = [convert(value) for convert, value in zip(converters, getter(record), strict=True)]
    late = _added_later(model)
    if late:
        kept = [
            (n, v)
            for n, v in zip(names, values, strict=True)
            if (v is not None and v != "") or n not in late
        ]
        names, values = tuple(n for n, _ in kept), [v for _, v in kept]
    document = [
        model._meta.db_table,
        record.audit_seq,
        _utc_cached(record.history_date),
        record.history_type,
        record.history_user_id,
        record.history_username,
        record.history_change_reason,
        names,
        values,
    ]
    return _dumps(document).encode()


_dumps = json.JSONEncoder(
    separators=(",", ":"), ensure_ascii=False, sort_keys=True, default=str
).encode


@cache
def _keyed(key: bytes):
    return hmac.new(key, digestmod=hashlib.sha256)


def _key() -> bytes:
    key = getattr(settings, "AUDIT_KEY", "")
    if not key:
        raise ImproperlyConfigured("AUDIT_KEY is not set: the audit chain cannot be written.")
    return key.encode()


def record_hash(record: models.Model, previous_hash: str, *, key: bytes | None = None) -> str:
    return _link(canonical(record), previous_hash, key or _key())


def _link(content: bytes, previous_hash: str, key: bytes) -> str:
    mac = _keyed(key).copy()
    mac.update(previous_hash.encode() + b"\n" + content)
    return mac.hexdigest()


# --- Writing ----------------------------------------------------------------------------------

# How far a record's time may be from the server's clock when it is chained: the bulk path takes
# its time once, before writing a large batch.
CLOCK_TOLERANCE = datetime.timedelta(minutes=5)


BACKDATED_NOTE = "seed: dated in the past"


class BackdatedRecordError(ValueError):
    """A caller other than the seed gave a history record a time of its own."""


def backdating_allowed() -> bool:
    return _backdating_allowed.get()


@contextlib.contextmanager
def backdating() -> Iterator[None]:
    """Lets the seed date its records in the past. No other caller may backdate a record."""
    token = _backdating_allowed.set(True)
    try:
        yield
    finally:
        _backdating_allowed.reset(token)


def _server_time(records: Sequence[models.Model]) -> None:
    """Stamps the server's UTC time on each record, unless the seed is backdating.

    A time given by the caller is refused when it is not the present, so no record can be dated
    in the past (or the future) except inside :func:`backdating`.
    """
    now = timezone.now()
    if backdating_allowed():
        # The seed's records say that they were dated in the past, so no reader mistakes them.
        for record in records:
            given = record.history_date
            reason = record.history_change_reason or ""
            if (
                given is not None
                and abs(given - now) > CLOCK_TOLERANCE
                and BACKDATED_NOTE not in reason
            ):
                record.history_change_reason = f"{reason} [{BACKDATED_NOTE}]"
        return
    for record in records:
        given = record.history_date
        if given is not None and abs(given - now) > CLOCK_TOLERANCE:
            raise BackdatedRecordError(
                f"{record._meta.label}: only the seed may date a record away from the present."
            )
        record.history_date = now


def _locked_head():
    head = AuditChainHead.objects.select_for_update().filter(pk=HEAD_PK).first()
    if head is None:
        # A fresh or flushed database: the migration's row is gone, start the chain again.
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=HEAD_PK)
    return head


def chain(records: Sequence[models.Model]) -> None:
    """Numbers and hashes new history records in order, under one lock on the chain's head.

    Must run inside the transaction that inserts them, so the numbers commit or roll back with
    the records.
    """
    if not records:
        return
    for record in records:
        if record.history_user_id is None:
            raise UnattributedRecordError(
                f"{record._meta.label}: a history record needs the acting user."
            )
        if not (record.history_change_reason or "").strip():
            raise UnattributedRecordError(f"{record._meta.label}: a history record needs a reason.")
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError(
            "History records are chained inside the transaction that writes them."
        )
    _server_time(records)
    key = _key()
    head = _locked_head()
    seq, previous = head.last_seq, head.last_hash
    first, leaves = seq, []
    for record in records:
        seq += 1
        record.audit_seq = seq
        content = canonical(record)
        record.audit_hash = previous = _link(content, previous, key)
        leaves.append(merkle.leaf_hash(content))
    head.last_seq, head.last_hash = seq, previous
    head.save(update_fields=["last_seq", "last_hash"])
    tree.append(first, leaves, backfill=leaves_between)


def leaves_between(start: int, end: int, *, chunk_size: int = 5000) -> Iterator[bytes]:
    """The Merkle leaf hashes of the records at positions ``[start, end)`` (``audit_seq`` - 1),
    in order: what the log holds for records older than it."""
    streams = [
        (
            (record.audit_seq, record)
            for record in model.objects.filter(audit_seq__gt=start, audit_seq__lte=end)
            .order_by("audit_seq")
            .iterator(chunk_size=chunk_size)
        )
        for model in history_models()
    ]
    for _, record in heapq.merge(*streams, key=lambda item: item[0]):
        yield merkle.leaf_hash(canonical(record))


class ChainedRecord:
    """Mixed into the base of every history model: its records are numbered and hashed here."""

    def save(self, *args, **kwargs):
        with transaction.atomic(using=kwargs.get("using"), savepoint=False):
            if self.audit_seq is None:
                chain([self])
            super().save(*args, **kwargs)


# --- Reading and verifying --------------------------------------------------------------------


def history_models() -> list[type[models.Model]]:
    """Every history model that carries the chain's fields, in a fixed order."""
    found = [
        model
        for model in apps.get_models()
        if issubclass(model, ChainedRecord) and hasattr(model, "tracked_fields")
    ]
    return sorted(found, key=lambda m: m._meta.db_table)


@dataclass(frozen=True)
class Break:
    """One place where the chain does not hold."""

    seq: int | None
    table: str
    history_id: int | None
    problem: str

    def __str__(self) -> str:
        where = f"record {self.seq}" if self.seq is not None else "a record"
        if self.history_id is not None:
            where += f" ({self.table}, history_id {self.history_id})"
        elif self.table:
            where += f" ({self.table})"
        return f"{where}: {self.problem}"


@dataclass(frozen=True)
class ChainReport:
    """The whole walk: every break found, not only the first, and where the chain ends."""

    records: int
    last_seq: int
    breaks: tuple[Break, ...] = ()
    last_hash: str = ""

    @property
    def ok(self) -> bool:
        return not self.breaks

    @property
    def broken(self) -> Break | None:
        return self.breaks[0] if self.breaks else None

    @property
    def head(self) -> str:
        """The end of the chain as ``SEQ:HASH``, for an operator to record elsewhere."""
        return f"{self.last_seq}:{self.last_hash}"


def _ordered(model, chunk_size: int) -> Iterator[tuple[int, str, models.Model]]:
    queryset = model.objects.filter(audit_seq__isnull=False).order_by("audit_seq")
    for record in queryset.iterator(chunk_size=chunk_size):
        yield record.audit_seq, model._meta.db_table, record


def verify_chain(*, chunk_size: int = 5000) -> ChainReport:
    """Walks every history record in sequence order and checks each link, then the head.

    A break does not stop the walk: each record is checked against the hash its predecessor
    carries, so an edited record is reported once and a later tampering is reported too. Memory
    stays bounded: each table is streamed in sequence order and the streams are merged.
    """
    models_ = history_models()
    breaks: list[Break] = []
    for model in models_:
        strays = model.objects.filter(audit_seq__isnull=True).order_by("pk")
        for stray in strays.iterator(chunk_size=chunk_size):
            breaks.append(
                Break(
                    None, model._meta.db_table, stray.pk, "inserted outside the chain (unnumbered)"
                )
            )

    key = _key()
    expected, previous, count = 1, "", 0
    last_seen: tuple[str, int] | None = None
    streams = [_ordered(model, chunk_size) for model in models_]
    for seq, table, record in heapq.merge(*streams, key=lambda item: item[0]):
        if seq < expected:
            breaks.append(
                Break(seq, table, record.pk, "a second record with the same number (inserted)")
            )
            continue
        if seq > expected:
            gap = f"record {expected}" if seq == expected + 1 else f"records {expected}-{seq - 1}"
            breaks.append(Break(seq, table, record.pk, f"{gap} before it is missing (removed)"))
        elif not hmac.compare_digest(record_hash(record, previous, key=key), record.audit_hash):
            breaks.append(
                Break(
                    seq,
                    table,
                    record.pk,
                    "its content or hash does not match the chain (edited, or forged without "
                    "the key)",
                )
            )
        previous, expected, count = record.audit_hash, seq + 1, count + 1
        last_seen = (table, record.pk)

    head = AuditChainHead.objects.filter(pk=HEAD_PK).first()
    last_seq = expected - 1
    head_seq, head_hash = (head.last_seq, head.last_hash) if head else (0, "")
    if head_seq != last_seq or head_hash != previous:
        table, pk = last_seen or ("", None)
        breaks.append(
            Break(
                last_seq or None,
                table,
                pk,
                f"the chain ends here but its head records {head_seq} records "
                "(the tail was cut, or the head was altered)",
            )
        )
    return ChainReport(count, last_seq, tuple(breaks), previous)


def record_at(seq: int) -> models.Model | None:
    """The history record numbered ``seq``, from whichever table holds it."""
    for model in history_models():
        record = model.objects.filter(audit_seq=seq).first()
        if record is not None:
            return record
    return None
