"""The tamper-evident chain over every history table.

Each history record gets the next number of one global sequence (``audit_seq``) and a hash
(``audit_hash``): HMAC-SHA256, keyed with ``settings.AUDIT_KEY``, over a canonical serialisation of
the record's content and the previous record's hash. Editing, removing or inserting a record breaks
the chain from that point on, and without the key nobody can compute a chain that passes.

The next number is taken by locking the single :class:`~registry.models.AuditChainHead` row inside
the transaction that writes the record: concurrent writers queue on that lock, so the chain never
forks, and a rolled-back transaction gives its numbers back. Records are chained where they are
inserted (``AuditedHistoricalRecord.save`` and its queryset's ``bulk_create``), so both the single
save path and the bulk path go through here.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import hmac
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.utils import timezone

HEAD_PK = 1


class UnattributedRecordError(ValueError):
    """A history record would have been chained without a user or a reason."""


# --- Canonical content ------------------------------------------------------------------------


def _utc(value: datetime.datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("history times must be aware (USE_TZ is on)")
    return value.astimezone(datetime.UTC).isoformat()


def _converter(field: models.Field) -> Callable[[object], object]:
    """How one tracked field's value is written into the canonical form.

    The value in memory before the insert and the value read back from the database must give
    the same text, so each type is normalised (decimals to their places, times to UTC).
    """
    if isinstance(field, models.JSONField):
        return lambda v: v
    if isinstance(field, models.DecimalField):
        places = decimal.Decimal(1).scaleb(-field.decimal_places)

        def decimal_value(v):
            return None if v is None else str(decimal.Decimal(field.to_python(v)).quantize(places))

        return decimal_value
    if isinstance(field, models.DateTimeField):
        return lambda v: None if v is None else _utc(field.to_python(v))
    if isinstance(field, models.DateField | models.TimeField):
        return lambda v: None if v is None else field.to_python(v).isoformat()
    if isinstance(field, models.BooleanField | models.IntegerField | models.AutoField):
        return lambda v: None if v is None else field.to_python(v)
    if isinstance(field, models.ForeignKey):
        target = _converter(field.target_field)
        return target
    return lambda v: None if v is None else str(field.to_python(v))


@cache
def _field_converters(history_model: type[models.Model]) -> tuple[tuple[str, Callable], ...]:
    return tuple(
        (field.attname, _converter(field))
        for field in sorted(history_model.tracked_fields, key=lambda f: f.attname)
    )


def tracked_values(history_model: type[models.Model], obj: models.Model) -> dict:
    """The canonical values of the tracked fields of ``obj`` (a history record or a live row)."""
    converters = _field_converters(history_model)
    return {attname: convert(getattr(obj, attname)) for attname, convert in converters}


def canonical(record: models.Model) -> bytes:
    """The bytes a record's hash covers: table, sequence, time (UTC), type, who, why, content."""
    model = type(record)
    document = [
        model._meta.db_table,
        record.audit_seq,
        _utc(record.history_date),
        record.history_type,
        record.history_user_id,
        record.history_username,
        record.history_change_reason,
        tracked_values(model, record),
    ]
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    ).encode()


def _key() -> bytes:
    key = getattr(settings, "AUDIT_KEY", "")
    if not key:
        raise ImproperlyConfigured("AUDIT_KEY is not set: the audit chain cannot be written.")
    return key.encode()


def record_hash(record: models.Model, previous_hash: str, *, key: bytes | None = None) -> str:
    message = previous_hash.encode() + b"\n" + canonical(record)
    return hmac.new(key or _key(), message, hashlib.sha256).hexdigest()


# --- Writing ----------------------------------------------------------------------------------

# How far a record's time may be from the server's clock when it is chained: the bulk path takes
# its time once, before writing a large batch.
CLOCK_TOLERANCE = datetime.timedelta(minutes=5)


class BackdatedRecordError(ValueError):
    """A caller other than the seed gave a history record a time of its own."""


def _server_time(records: Sequence[models.Model]) -> None:
    """Stamps the server's UTC time on each record, unless the seed is backdating.

    A time given by the caller is refused when it is not the present, so no record can be dated
    in the past (or the future) except inside ``registry.history.backdating()``.
    """
    from registry.history import backdating_allowed

    if backdating_allowed():
        return
    now = timezone.now()
    for record in records:
        given = record.history_date
        if given is not None and abs(given - now) > CLOCK_TOLERANCE:
            raise BackdatedRecordError(
                f"{record._meta.label}: only the seed may date a record away from the present."
            )
        record.history_date = now


def _locked_head():
    from registry.models import AuditChainHead

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
    for record in records:
        seq += 1
        record.audit_seq = seq
        record.audit_hash = previous = record_hash(record, previous, key=key)
    head.last_seq, head.last_hash = seq, previous
    head.save(update_fields=["last_seq", "last_hash"])


# --- Reading and verifying --------------------------------------------------------------------


def history_models() -> list[type[models.Model]]:
    """Every history model that carries the chain's fields, in a fixed order."""
    from registry.history import AuditedHistoricalRecord

    found = [
        model
        for model in apps.get_models()
        if issubclass(model, AuditedHistoricalRecord) and hasattr(model, "tracked_fields")
    ]
    return sorted(found, key=lambda m: m._meta.db_table)


@dataclass(frozen=True)
class Break:
    """The first place where the chain does not hold."""

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
    records: int
    last_seq: int
    broken: Break | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def _ordered(model, chunk_size: int) -> Iterator[tuple[int, str, models.Model]]:
    queryset = model.objects.filter(audit_seq__isnull=False).order_by("audit_seq")
    for record in queryset.iterator(chunk_size=chunk_size):
        yield record.audit_seq, model._meta.db_table, record


def verify_chain(*, chunk_size: int = 5000) -> ChainReport:
    """Walks every history record in sequence order and checks each link, then the head.

    Memory stays bounded: each table is streamed in sequence order and the streams are merged.
    """
    import heapq

    from registry.models import AuditChainHead

    models_ = history_models()
    for model in models_:
        stray = model.objects.filter(audit_seq__isnull=True).order_by("pk").first()
        if stray is not None:
            return ChainReport(
                0,
                0,
                Break(
                    None, model._meta.db_table, stray.pk, "inserted outside the chain (unnumbered)"
                ),
            )

    key = _key()
    expected, previous, count = 1, "", 0
    last_seen: tuple[str, int] | None = None
    streams = [_ordered(model, chunk_size) for model in models_]
    for seq, table, record in heapq.merge(*streams, key=lambda item: item[0]):
        if seq < expected:
            return ChainReport(
                count,
                seq,
                Break(seq, table, record.pk, "a second record with the same number (inserted)"),
            )
        if seq > expected:
            gap = f"record {expected}" if seq == expected + 1 else f"records {expected}-{seq - 1}"
            return ChainReport(
                count, seq, Break(seq, table, record.pk, f"{gap} before it is missing (removed)")
            )
        if not hmac.compare_digest(record_hash(record, previous, key=key), record.audit_hash):
            return ChainReport(
                count,
                seq,
                Break(
                    seq,
                    table,
                    record.pk,
                    "its content or hash does not match the chain (edited, or forged without "
                    "the key)",
                ),
            )
        previous, expected, count = record.audit_hash, expected + 1, count + 1
        last_seen = (table, record.pk)

    head = AuditChainHead.objects.filter(pk=HEAD_PK).first()
    last_seq = expected - 1
    head_seq, head_hash = (head.last_seq, head.last_hash) if head else (0, "")
    if head_seq != last_seq or head_hash != previous:
        table, pk = last_seen or ("", None)
        return ChainReport(
            count,
            last_seq,
            Break(
                last_seq or None,
                table,
                pk,
                f"the chain ends here but its head records {head_seq} records "
                "(the tail was cut, or the head was altered)",
            ),
        )
    return ChainReport(count, last_seq, None)
