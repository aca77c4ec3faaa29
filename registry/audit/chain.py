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
import itertools
import json
import operator
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, models, transaction
from django.utils import timezone

from registry.audit import merkle, prefetch, tree
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


def _conversion(field: models.Field) -> tuple[type | None, Callable[[object], object]]:
    """How one tracked field's value is written into the canonical form: ``(kept, convert)``.

    The value in memory before the insert and the value read back from the database must give
    the same text on every database, so each type is put in the form the database stores:
    decimals to their places without a negative zero, times to UTC to the microsecond, JSON as
    it reads back (keys as text, integral numbers as integers). ``convert`` takes any value;
    a value of the type ``kept`` (and ``None``) goes in as it is, which is what ``convert``
    would make of it: the common case skips the call (the bulk path hashes 100,000 records at a
    time, the verifier millions).
    """
    to_python = field.to_python
    if isinstance(field, models.JSONField):

        def json_value(v):
            if v is None or isinstance(v, bool | int | str):
                return v
            return _stored_json(json.loads(json.dumps(v, cls=field.encoder)))

        return None, json_value
    if isinstance(field, models.DecimalField):

        def decimal_value(v):
            return None if v is None else str(stored_decimal(field, v))

        return None, decimal_value
    if isinstance(field, models.DateTimeField):

        def datetime_value(v):
            if v is None:
                return None
            return _utc(v if type(v) is datetime.datetime else to_python(v))

        return None, datetime_value
    if isinstance(field, models.DateField | models.TimeField):
        kind = datetime.date if isinstance(field, models.DateField) else datetime.time
        return None, (
            lambda v: None if v is None else (v if type(v) is kind else to_python(v)).isoformat()
        )
    if isinstance(field, models.BooleanField):
        return bool, lambda v: v if v is None or type(v) is bool else to_python(v)
    if isinstance(field, models.IntegerField | models.AutoField):
        return int, lambda v: v if v is None or type(v) is int else to_python(v)
    if isinstance(field, models.ForeignKey):
        return _conversion(field.target_field)
    return str, lambda v: v if v is None or type(v) is str else str(to_python(v))


def _converter(field: models.Field) -> Callable[[object], object]:
    return _conversion(field)[1]


def retired_fields(history_model: type[models.Model]) -> list[models.Field]:
    """Columns the live model no longer has and its history table keeps (``project_history``'s
    ``retired``): the records written while they existed were hashed with them."""
    names = getattr(history_model, "retired_fields", ())
    return [history_model._meta.get_field(name) for name in names]


def _fields(history_model: type[models.Model], *, live: bool = False) -> list[models.Field]:
    fields = list(history_model.tracked_fields)
    if not live:
        fields += retired_fields(history_model)
    return sorted(fields, key=lambda f: f.attname)


@cache
def _layout(
    history_model: type[models.Model], *, live: bool = False
) -> tuple[tuple[str, ...], Callable, tuple]:
    """The tracked field names of a history model (sorted), a getter and their converters.

    The retired columns count too, except when comparing with a live row (``live``), which has
    none of them.
    """
    fields = _fields(history_model, live=live)
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


_utc_cache: dict[datetime.datetime | str, str] = {}


def _utc_cached(value: datetime.datetime | str) -> str:
    """:func:`_utc` of a time, or of the ISO 8601 text of one (as the verifier reads it from
    PostgreSQL, see ``_UtcText``)."""
    # A batch shares one time; a small cache saves converting it for every record.
    text = _utc_cache.get(value)
    if text is None:
        if len(_utc_cache) > 1024:
            _utc_cache.clear()
        moment = datetime.datetime.fromisoformat(value) if type(value) is str else value
        text = _utc_cache[value] = _utc(moment)
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


_dumps = json.JSONEncoder(
    separators=(",", ":"), ensure_ascii=False, sort_keys=True, default=str
).encode
if json.encoder.c_make_encoder is not None:
    # The same encoder's C core, made once: ``JSONEncoder.encode`` builds it again on every call,
    # which costs as much as the encoding of a record. No circular check (``markers`` None): a
    # record's content is read from columns and cannot refer to itself.
    _encode_chunks = json.encoder.c_make_encoder(
        None, str, json.encoder.c_encode_basestring, None, ":", ",", True, False, True
    )

    def _dumps(value, _chunks=_encode_chunks, _join="".join) -> str:
        return _join(_chunks(value, 0))


# A record as the verifier reads it: its id and hash, then the columns its canonical form covers
# (these, then the tracked fields in name order).
RECORD_COLUMNS = (
    "audit_seq",
    "history_date",
    "history_type",
    "history_user_id",
    "history_username",
    "history_change_reason",
)
ID, HASH, SEQ = 0, 1, 2


class Codec:
    """The canonical form of one history model's records, from a row of its ``columns``.

    ``encode`` is compiled once per model: the tracked fields' values are put in place by
    position, and the whole array is serialised by one call of the C JSON encoder. It is the
    only encoder of the canonical form: :func:`canonical` reads a record's attributes into the
    same row (``read``), and the verifier reads the rows straight from the table
    (``values_list(*columns)``), so both hash the same bytes.
    """

    __slots__ = ("columns", "encode", "model", "read", "table")

    def __init__(self, history_model: type[models.Model]):
        fields = _fields(history_model)
        names = tuple(f.attname for f in fields)
        self.model = history_model
        self.table = history_model._meta.db_table
        pk = history_model._meta.pk.attname
        self.columns = (pk, "audit_hash", *RECORD_COLUMNS, *names)
        self.read = operator.attrgetter(*self.columns)
        self.encode = _compile(self.table, names, fields, _added_later(history_model))


def _compile(
    table: str, names: tuple[str, ...], fields: list[models.Field], late: frozenset[str]
) -> Callable[[Sequence], bytes]:
    """The encoder of one model's rows: ``[table, seq, time, type, user id, username, reason,
    names, values]`` as compact JSON, UTF-8."""
    first = 2 + len(RECORD_COLUMNS)
    scope: dict[str, object] = {
        "_dumps": _dumps,
        "_utc": _utc_cached,
        "TABLE": table,
        "NAMES": names,
    }
    values = []
    for i, field in enumerate(fields):
        kept, convert = _conversion(field)
        scope[f"c{i}"] = convert
        if kept is None:
            values.append(f"c{i}(row[{first + i}])")
        else:
            scope[f"t{i}"] = kept
            values.append(f"v if (v := row[{first + i}]) is None or type(v) is t{i} else c{i}(v)")
    late_at = tuple(i for i, name in enumerate(names) if name in late)
    lines = ["def encode(row):", f"    values = [{', '.join(values)}]", "    names = NAMES"]
    if late_at:
        # A field added later is left out while it is empty (see _added_later).
        scope["LATE"] = late_at
        lines += [
            "    empty = [i for i in LATE if values[i] is None or values[i] == '']",
            "    if empty:",
            "        names = tuple(n for i, n in enumerate(NAMES) if i not in empty)",
            "        values = [v for i, v in enumerate(values) if i not in empty]",
        ]
    lines.append(
        "    return _dumps([TABLE, row[2], _utc(row[3]), row[4], row[5], row[6], row[7], names, "
        "values]).encode()"
    )
    # The source is built from the model's own field list, never from data.
    exec("\n".join(lines), scope)
    return scope["encode"]


@cache
def codec(history_model: type[models.Model]) -> Codec:
    return Codec(history_model)


def canonical(record: models.Model) -> bytes:
    """The bytes a record's hash covers.

    A JSON array: table, sequence number, time (UTC), type, user id, username, reason, then the
    tracked fields' names and values in name order (less the empty fields added later).
    """
    form = codec(type(record))
    return form.encode(form.read(record))


_BLOCK = hashlib.sha256().block_size


@cache
def _keyed(key: bytes) -> tuple:
    """HMAC-SHA256 (RFC 2104) with ``key`` absorbed: the inner and outer hashes after the padded
    key, which each link copies (``hmac``'s own copy costs more than the hashing of a record)."""
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_BLOCK, b"\0")
    return (
        hashlib.sha256(bytes(byte ^ 0x36 for byte in key)),
        hashlib.sha256(bytes(byte ^ 0x5C for byte in key)),
    )


def _key() -> bytes:
    key = getattr(settings, "AUDIT_KEY", "")
    if not key:
        raise ImproperlyConfigured("AUDIT_KEY is not set: the audit chain cannot be written.")
    return key.encode()


def record_hash(record: models.Model, previous_hash: str, *, key: bytes | None = None) -> str:
    return _link(canonical(record), previous_hash, key or _key())


def _link(content: bytes, previous_hash: str, key: bytes) -> str:
    """HMAC-SHA256 of the previous hash, a newline and the record's canonical bytes."""
    return _keyed_link(_keyed(key), content, previous_hash)


def _keyed_link(pads: tuple, content: bytes, previous_hash: str) -> str:
    """:func:`_link` with the key's pads already absorbed (``_keyed``), for the verifier's
    loop over millions of records."""
    inner, outer = pads[0].copy(), pads[1].copy()
    inner.update(previous_hash.encode() + b"\n" + content)
    outer.update(inner.digest())
    return outer.hexdigest()


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
    leaf = merkle.leaf_hash
    for form, rows in runs(after=start, upto=end, chunk_size=chunk_size):
        encode = form.encode
        for row in rows:
            yield leaf(encode(row))


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


class _UtcText(models.Func):
    """A time as ISO 8601 text in UTC to the microsecond, whatever the session's time zone.
    PostgreSQL's driver takes longer to read a time than the rest of a record's row; the text
    is read as it is and parsed once per distinct time (``_utc_cached``).

    The cast to text writes the ISO form (psycopg2 sets ``DateStyle`` to ISO on every
    connection), a third of what ``to_char`` costs the server for each record.
    """

    template = "(%(expressions)s AT TIME ZONE 'UTC')::text || '+00:00'"
    output_field = models.CharField()


def _rows(model, after: int | None, upto: int | None, chunk_size: int) -> Iterator[tuple]:
    queryset = model.objects.filter(audit_seq__isnull=False)
    if after is not None:
        queryset = queryset.filter(audit_seq__gt=after)
    if upto is not None:
        queryset = queryset.filter(audit_seq__lte=upto)
    columns = list(codec(model).columns)
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return queryset.order_by("audit_seq").values_list(*columns).iterator(chunk_size=chunk_size)
    at = columns.index("history_date")
    queryset = queryset.annotate(history_date_utc=_UtcText("history_date"))
    columns[at] = "history_date_utc"
    values = queryset.order_by("audit_seq").values_list(*columns)
    return itertools.chain.from_iterable(_batches(connection, values, chunk_size))


def _batches(connection, queryset, chunk_size: int) -> Iterator[list[tuple]]:
    """The rows ``queryset.iterator()`` gives, a batch at a time, from a server-side cursor
    whose next batch is fetched while the current one is hashed (``registry.audit.prefetch``).
    The fields that convert what the driver reads (JSON, for one) convert it here as they do
    there; the other tables' rows are the driver's own tuples."""
    compiler = queryset.query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    converters = compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]])
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        for batch in prefetch.batches(cursor, chunk_size):
            if converters:
                batch = list(map(tuple, compiler.apply_converters(batch, converters)))
            yield batch


def runs(
    *, after: int | None = None, upto: int | None = None, chunk_size: int = 5000
) -> Iterator[tuple[Codec, Iterator[tuple]]]:
    """Every numbered history record as a row of its model's :class:`Codec` columns, in
    ``audit_seq`` order (records of the same number in table order), numbered ``after`` <
    seq <= ``upto``.

    Each table is streamed in sequence order and the streams are merged, so memory stays
    bounded. The rows come in runs from one table each, as ``(codec, rows)``: a trail is mostly
    long runs of one table, and a run is read without comparing each row with the other
    tables' (only with the next number another table holds). Read each run to its end before
    the next one.
    """
    heads = []
    for order, model in enumerate(history_models()):
        rows = _rows(model, after, upto, chunk_size)
        row = next(rows, None)
        if row is not None:
            heads.append((row[SEQ], order, row, rows, codec(model)))
    heapq.heapify(heads)
    while heads:
        _, order, row, rows, form = heapq.heappop(heads)
        run = _run(heads, order, row, rows, form)
        yield form, run
        for _ in run:  # what the reader left of the run, so that the next one is right
            pass


def _run(heads: list, order: int, row: tuple, rows: Iterator[tuple], form: Codec):
    yield row
    if not heads:
        yield from rows
        return
    bound, before = heads[0][0], heads[0][1]
    for row in rows:
        seq = row[SEQ]
        if seq > bound or (seq == bound and order > before):
            heapq.heappush(heads, (seq, order, row, rows, form))
            return
        yield row


RecordSink = Callable[[str, list[tuple], list[bytes]], None]

# Records are encoded and checked a batch of one table's run at a time: the canonical bytes of a
# batch are made by one ``map`` and handed on in one call, not one Python call per record.
BATCH = 1000

_EDITED = "its content or hash does not match the chain (edited, or forged without the key)"
_INSERTED = "a second record with the same number (inserted)"


def _missing_before(expected: int, seq: int) -> str:
    gap = f"record {expected}" if seq == expected + 1 else f"records {expected}-{seq - 1}"
    return f"{gap} before it is missing (removed)"


def verify_chain(*, chunk_size: int = 5000, each: RecordSink | None = None) -> ChainReport:
    """Walks every history record in sequence order and checks each link, then the head.

    A break does not stop the walk: each record is checked against the hash its predecessor
    carries, so an edited record is reported once and a later tampering is reported too. Memory
    stays bounded: each table is streamed in sequence order and the streams are merged.

    Each record's canonical bytes are built once, from its row: ``each(table, rows, contents)``,
    when given, receives them batch by batch (up to :data:`BATCH` rows of one table, with their
    canonical bytes), every record once and in sequence order: the Merkle log's check hashes its
    leaves from them, in the same pass.
    """
    models_ = history_models()
    breaks: list[Break] = []
    for model in models_:
        strays = model.objects.filter(audit_seq__isnull=True).order_by("pk")
        for pk in strays.values_list("pk", flat=True).iterator(chunk_size=chunk_size):
            breaks.append(
                Break(None, model._meta.db_table, pk, "inserted outside the chain (unnumbered)")
            )

    pads, link = _keyed(_key()), _keyed_link
    compare, islice = hmac.compare_digest, itertools.islice
    expected, previous, count = 1, "", 0
    last_table, last_row = "", None
    with transaction.atomic():  # PostgreSQL then streams each table instead of copying it
        for form, rows in runs(chunk_size=chunk_size):
            table, encode = form.table, form.encode
            while batch := list(islice(rows, BATCH)):
                contents = list(map(encode, batch))
                if each is not None:
                    each(table, batch, contents)
                for row, content in zip(batch, contents, strict=True):
                    seq = row[SEQ]
                    if seq == expected:
                        if not compare(link(pads, content, previous), row[HASH]):
                            breaks.append(Break(seq, table, row[ID], _EDITED))
                    elif seq < expected:
                        breaks.append(Break(seq, table, row[ID], _INSERTED))
                        continue
                    else:
                        breaks.append(Break(seq, table, row[ID], _missing_before(expected, seq)))
                    previous, expected = row[HASH], seq + 1
                    count += 1
                    last_table, last_row = table, row

    head = AuditChainHead.objects.filter(pk=HEAD_PK).first()
    last_seq = expected - 1
    head_seq, head_hash = (head.last_seq, head.last_hash) if head else (0, "")
    if head_seq != last_seq or head_hash != previous:
        table, pk = last_table, (last_row[ID] if last_row is not None else None)
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
