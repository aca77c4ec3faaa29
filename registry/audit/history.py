"""The one way tracked models are written: every write carries who made it and why.

django-simple-history records a change when a model instance is saved, through Django's signals.
It does not see ``QuerySet.update()``, ``bulk_create``, ``bulk_update`` or ``delete()``, so the
tracked models refuse those outside this module's helpers, which write the history rows
themselves. Every history record must name its user (a person, or the system actor for the seed
and scheduled jobs) and a reason; a save without them fails instead of leaving an anonymous record.

Services call :func:`save` for one object and :func:`bulk_update` for many. The history records
are numbered and hashed by ``registry.audit.chain``, which this module builds on (never the
reverse). The signal receivers below are connected by the audit app's ``ready()``.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import decimal
import functools
import json
import operator
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connections, models, router, transaction
from django.db.models import signals
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.signals import pre_save
from django.utils import timezone
from simple_history.manager import HistoricalQuerySet
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record
from simple_history.utils import get_history_manager_for_model

from registry.audit import chain
from registry.audit.chain import backdating as backdating  # re-exported: the seed uses it here

SYSTEM_USERNAME = "system"

_bulk_writes_allowed: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "bulk_writes_allowed", default=False
)
# The one object that :func:`save` is saving now: a tracked object saves only through it.
_saving: contextvars.ContextVar[object | None] = contextvars.ContextVar("saving", default=None)
# Inside :func:`chained_together`: the history records written so far, not yet chained.
_held: contextvars.ContextVar[list | None] = contextvars.ContextVar("held", default=None)


class HistoryBypassError(RuntimeError):
    """A write to a tracked model tried to skip its history record."""


class MissingAuditContextError(ValueError):
    """A history record would have been written without a user or a reason."""


class HistoryTamperError(RuntimeError):
    """Something tried to change or remove a history record: they are append-only."""


def history_enabled() -> bool:
    return getattr(settings, "SIMPLE_HISTORY_ENABLED", True)


# --- Tracked models ---------------------------------------------------------------------------


class TrackedQuerySet(models.QuerySet):
    """Refuses the queryset writes that bypass history, except inside this module's helpers."""

    def _refuse_unless_allowed(self, operation: str) -> None:
        if not _bulk_writes_allowed.get():
            raise HistoryBypassError(
                f"{self.model._meta.label}.objects.{operation}() would write without history; "
                "use a service, which calls registry.audit.history.save() or bulk_update()."
            )

    def update(self, **kwargs):
        self._refuse_unless_allowed("update")
        return super().update(**kwargs)

    def bulk_create(self, objs, *args, **kwargs):
        self._refuse_unless_allowed("bulk_create")
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        self._refuse_unless_allowed("bulk_update")
        return super().bulk_update(objs, fields, *args, **kwargs)

    def delete(self):
        raise HistoryBypassError(
            f"{self.model._meta.label} records are never deleted: suspend, withdraw or revoke."
        )

    delete.queryset_only = True


def _refuse_unless_saving(obj: models.Model) -> None:
    if _saving.get() is not obj:
        raise HistoryBypassError(
            f"{obj._meta.label}: saved outside registry.audit.history.save(), so without its "
            "user, its reason and the service's checks; write it through a service."
        )


def _normalise(obj: models.Model) -> None:
    """Puts each decimal in the form the database will store and the chain hashes (its places,
    no negative zero), so the record and the row read back hash the same on every database."""
    for field in obj._meta.concrete_fields:
        if isinstance(field, models.DecimalField):
            value = getattr(obj, field.attname)
            if value is not None:
                setattr(obj, field.attname, chain.stored_decimal(field, value))


class TrackedModel(models.Model):
    """Base of every model whose history is kept. Nothing on record is ever deleted.

    A tracked object is saved only by :func:`save` (and written in bulk only by
    :func:`bulk_update`): any other caller of ``save()`` — the admin, a model form, a script, a
    future view — gets :class:`HistoryBypassError` instead of a change without its user, its
    reason and its service's checks.
    """

    objects = TrackedQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        _refuse_unless_saving(self)
        if not history_enabled():
            raise HistoryBypassError(
                f"{self._meta.label}: history is switched off (SIMPLE_HISTORY_ENABLED), "
                "so this write would go unrecorded."
            )
        if hasattr(self, "skip_history_when_saving"):
            raise HistoryBypassError(f"{self._meta.label}: a save may not skip its history record.")
        _normalise(self)
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise HistoryBypassError(
            f"{self._meta.label} records are never deleted: suspend, withdraw or revoke."
        )


def _refuse_raw_saves(sender, instance=None, raw=False, **kwargs):
    """``loaddata`` saves rows raw, which simple-history does not record: refuse it. A direct
    ``save_base()`` skips ``TrackedModel.save()``: refuse that too."""
    if not issubclass(sender, TrackedModel):
        return
    if raw:
        raise HistoryBypassError(
            f"{sender._meta.label} cannot be loaded from a fixture: the rows would have no "
            "history. Write them through a service (the seed does)."
        )
    _refuse_unless_saving(instance)


# --- History records: append-only, chained --------------------------------------------------


class AppendOnlyMixin:
    """History querysets insert (and chain) records; they never change or remove one."""

    def _refuse(self, operation: str):
        raise HistoryTamperError(
            f"{self.model._meta.label}: history records are append-only ({operation} refused)."
        )

    def update(self, **kwargs):
        self._refuse("update")

    def bulk_update(self, objs, fields, *args, **kwargs):
        self._refuse("bulk_update")

    def update_or_create(self, *args, **kwargs):
        self._refuse("update_or_create")

    def delete(self):
        self._refuse("delete")

    delete.queryset_only = True

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        if kwargs.get("ignore_conflicts") or kwargs.get("update_conflicts"):
            self._refuse("bulk_create on conflict")
        with transaction.atomic(using=self.db, savepoint=False):
            chain_held()  # the records written before these keep their place in the chain
            chain.chain([obj for obj in objs if obj.audit_seq is None])
            if (
                connections[self.db].vendor == "postgresql"
                and not args
                and set(kwargs) <= {"batch_size"}
            ):
                return _insert_postgresql(self.model, objs, self.db, kwargs.get("batch_size"))
            return super().bulk_create(objs, *args, **kwargs)


# COPY's text format: these characters are escaped in a value, and \\N is null.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: str) -> str:
    """``value`` escaped for COPY. Most values need nothing: four scans in C cost less than
    ``translate``, which looks every character up in its table."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_COPY_ESCAPES)
    return value


_COPY_NULL = "\\N"
_COPY_TEXT = {"CharField", "EmailField", "SlugField", "TextField", "URLField"}
_COPY_INTEGERS = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "IntegerField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallAutoField",
    "SmallIntegerField",
}
_SEQUENCED = {"AutoField", "BigAutoField", "SmallAutoField"}
# Rows per piece of the COPY stream.
_COPY_PIECE = 2000


def _copy_encoder(field: models.Field, using: str):
    """How a value of ``field`` is written in COPY's text format, so that PostgreSQL stores what
    an INSERT of the same value would; None for a type not handled here."""
    target = field.target_field if field.is_relation else field
    kind = target.get_internal_type()
    null = _COPY_NULL
    if getattr(field, "generated", False):
        return None
    if kind in _COPY_TEXT:
        return lambda v: null if v is None else _copy_text(str(v))
    if kind in _COPY_INTEGERS:
        return lambda v: null if v is None else str(v if type(v) is int else int(v))
    if kind == "BooleanField":
        return lambda v: null if v is None else ("t" if v else "f")
    if kind == "JSONField":
        dumps = functools.partial(json.dumps, cls=field.encoder)
        return lambda v: null if v is None else _copy_text(dumps(v))
    exact = {
        "DateTimeField": datetime.datetime,
        "DateField": datetime.date,
        "TimeField": datetime.time,
        "DecimalField": decimal.Decimal,
        "UUIDField": uuid.UUID,
    }.get(kind)
    if exact is None:
        return None
    as_text = str if exact in (decimal.Decimal, uuid.UUID) else exact.isoformat

    def encode(v):
        if v is None:
            return null
        # Anything else (text, a naive time) is prepared as Django prepares it for an INSERT.
        if type(v) is not exact or (exact is datetime.datetime and v.tzinfo is None):
            v = target.get_db_prep_save(v, connections[using])
        return as_text(v)

    return encode


@functools.cache
def _copy_layout(model, using: str):
    """The columns, attnames and encoders of ``model`` for COPY; None when a column's type is
    not handled here (the INSERT path is used then)."""
    fields = list(model._meta.concrete_fields)
    encoders = [_copy_encoder(f, using) for f in fields]
    if any(encoder is None for encoder in encoders):
        return None
    return fields, tuple(f.attname for f in fields), tuple(encoders)


class _CopyStream:
    """The rows of ``objs`` in COPY's text format, read by the driver a piece at a time."""

    def __init__(self, objs: list, attnames: tuple[str, ...], encoders: tuple):
        self.objs, self.encoders, self.start = objs, encoders, 0
        self.getter = operator.attrgetter(*attnames)

    def read(self, size: int = -1) -> str:
        piece = self.objs[self.start : self.start + _COPY_PIECE]
        self.start += _COPY_PIECE
        getter, encoders = self.getter, self.encoders
        return "".join(
            "\t".join([encode(v) for encode, v in zip(encoders, getter(obj), strict=True)]) + "\n"
            for obj in piece
        )


def copy_rows(model, objs: list, using: str) -> bool:
    """Inserts ``objs`` (new rows of ``model``) with one COPY on PostgreSQL, their primary keys
    taken from the table's sequence first, and marks them saved. Returns False, having written
    nothing, when the database or a column's type is not one this handles.

    The history helpers' bulk paths write with it, and the outbox its events by the thousand:
    several times faster than a multi-row INSERT. Never for a tracked model's rows outside the
    history helpers: they would have no history record.
    """
    connection = connections[using]
    layout = _copy_layout(model, using) if connection.vendor == "postgresql" else None
    if layout is None:
        return False
    if not objs:
        return True
    fields, attnames, encoders = layout
    pk = model._meta.pk
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    unnumbered = [obj for obj in objs if obj.pk is None]
    if unnumbered and pk.get_internal_type() not in _SEQUENCED:
        return False
    with connection.cursor() as cursor:
        if unnumbered:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [model._meta.db_table, pk.column, len(unnumbered)],
            )
            ids = sorted(row[0] for row in cursor.fetchall())
            for obj, new_id in zip(unnumbered, ids, strict=True):
                obj.pk = new_id
        columns = ", ".join(quote(f.column) for f in fields)
        cursor.cursor.copy_expert(
            f"COPY {table} ({columns}) FROM STDIN",
            _CopyStream(objs, attnames, encoders),
            size=1 << 20,
        )
    for obj in objs:
        obj._state.adding = False
        obj._state.db = using
    return True


# psycopg2 adapts these types itself; Django's per-value preparation is the bulk path's main cost.
_NATIVE_POSTGRESQL_TYPES = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "DateField",
    "DateTimeField",
    "DecimalField",
    "EmailField",
    "IntegerField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SlugField",
    "SmallIntegerField",
    "TextField",
    "URLField",
}


def _insert_postgresql(model, objs: list, using: str, batch_size: int | None) -> list:
    """Inserts history records with COPY (:func:`copy_rows`), or where a column's type is not
    one it handles, with one multi-row INSERT per batch, values adapted by psycopg2.

    Same rows as ``QuerySet.bulk_create``, without its per-value preparation: applying a revision
    to 100,000 licences writes 100,000 records.
    """
    from psycopg2.extras import execute_values  # the driver, needed on PostgreSQL only

    if not objs or copy_rows(model, objs, using):
        return objs
    connection = connections[using]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    getters, preps = [], []
    for f in fields:
        getters.append(f.attname)
        native = f.get_internal_type() in _NATIVE_POSTGRESQL_TYPES or (
            f.is_relation and f.target_field.get_internal_type() in _NATIVE_POSTGRESQL_TYPES
        )
        preps.append(None if native else f)
    rows = []
    for obj in objs:
        row = []
        for attname, prep in zip(getters, preps, strict=True):
            value = getattr(obj, attname)
            row.append(value if prep is None else prep.get_db_prep_save(value, connection))
        rows.append(row)
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} "
        f"({', '.join(quote(f.column) for f in fields)}) VALUES %s "
        f"RETURNING {quote(model._meta.pk.column)}"
    )
    with connection.cursor() as cursor:
        ids = execute_values(cursor.cursor, sql, rows, page_size=batch_size or 1000, fetch=True)
    for obj, (pk,) in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = using
    return objs


class AppendOnlyQuerySet(AppendOnlyMixin, models.QuerySet):
    pass


class AppendOnlyHistoricalQuerySet(AppendOnlyMixin, HistoricalQuerySet):
    pass


class AuditedHistoricalRecord(chain.ChainedRecord, models.Model):
    """Fields added to every history table.

    ``history_username`` keeps the acting user's name as it was, so the record still reads right
    after the account is renamed, deactivated or removed. ``audit_seq`` and ``audit_hash`` place
    the record in the tamper-evident chain over all history tables.
    """

    history_username = models.CharField(max_length=150, default="", editable=False)
    audit_seq = models.BigIntegerField(null=True, unique=True, editable=False)
    audit_hash = models.CharField(max_length=64, default="", editable=False)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise HistoryTamperError(
                f"{self._meta.label}: history records are append-only (save of an existing record "
                "refused)."
            )
        held = _held.get()
        if held is not None and self.audit_seq is None and not args and not kwargs.get("using"):
            held.append(self)  # chained and inserted with the others at the end of the block
            return
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise HistoryTamperError(f"{self._meta.label}: history records are never deleted.")


class _ProjectHistoricalRecords(HistoricalRecords):
    def get_meta_options(self, model):
        """simple-history's index on (date, object), which the readings as of a date use; one on
        (object, chain position): the audit pages find each record's predecessor by it, and
        without it PostgreSQL may walk the chain index backwards through every record of the
        table for each row; and one on (date, chain position), the timeline's order.

        The timeline breaks ties on the date by chain position: with only (date, object) a
        revision that wrote 100,000 records in one instant makes every page read and sort all of
        them; with this one each table gives its records in the page's order, and the timeline
        over every kind merges them and stops at the page's last row."""
        options = super().get_meta_options(model)
        options["indexes"] = (
            *options.get("indexes", ()),
            models.Index(fields=(model._meta.pk.attname, "audit_seq")),
            models.Index(fields=("history_date", "audit_seq")),
        )
        return options


def project_history(*, retired: type[models.Model] | None = None, **kwargs) -> HistoricalRecords:
    """The project's history configuration, the same for every tracked model.

    The user is kept as a plain id (no foreign key), so deleting an account can never rewrite
    history; the name is copied into ``history_username``.

    ``retired`` is an abstract model holding the columns a model once had and no longer has,
    listed in its ``retired_fields``: the history table keeps them, so the records written while
    they existed keep their values and their hashes (the chain covers them, see
    ``registry.audit.chain``); records written since hold null there.
    """
    return _ProjectHistoricalRecords(
        bases=[AuditedHistoricalRecord, *([retired] if retired else [])],
        history_user_id_field=models.BigIntegerField(null=True, db_index=True),
        historical_queryset=AppendOnlyHistoricalQuerySet,
        **kwargs,
    )


# --- Writing ----------------------------------------------------------------------------------


def ensure_system_user(apps, schema_editor=None) -> None:
    """Creates the system actor if missing. Takes an app registry, so migrations can call it.

    With the project's own models (not a migration's), the account is tracked: it is created
    and then recorded as made by itself, since no one exists before it to name.
    """
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    fields = {
        "first_name": "Registry",
        "last_name": "system",
        "is_active": False,
        "password": "!",  # unusable: the system actor never signs in
    }
    if not issubclass(User, TrackedModel):
        User.objects.get_or_create(username=SYSTEM_USERNAME, defaults=fields)
        return
    if User.objects.filter(username=SYSTEM_USERNAME).exists():
        return
    with bulk_writes():
        (user,) = User.objects.bulk_create([User(username=SYSTEM_USERNAME, **fields)])
    if user.pk is None:
        user = User.objects.get(username=SYSTEM_USERNAME)
    bulk_update([user], fields=[], by=user, reason="System actor created")


def system_user():
    """The named actor for the seed and scheduled commands, created by a migration."""
    return get_user_model().objects.get(username=SYSTEM_USERNAME)


@contextlib.contextmanager
def bulk_writes() -> Iterator[None]:
    """Allows the queryset writes that skip history. Only the helpers below use it."""
    token = _bulk_writes_allowed.set(True)
    try:
        yield
    finally:
        _bulk_writes_allowed.reset(token)


# A tracked model with a field of this name has it set to the time of each write (the
# seed's date when it backdates): the vendors' change feeds read it (``?updated_since=``).
UPDATED_AT = "updated_at"


def _has_updated_at(model: type[models.Model]) -> bool:
    return any(f.name == UPDATED_AT for f in model._meta.concrete_fields)


def _stamp(obj: models.Model, *, by, reason: str, at: datetime.datetime | None) -> None:
    if by is None or not getattr(by, "pk", None):
        raise MissingAuditContextError(f"{obj._meta.label}: a change needs the acting user.")
    if not reason or not reason.strip():
        raise MissingAuditContextError(f"{obj._meta.label}: a change needs a reason.")
    obj._history_user = by
    obj._change_reason = reason.strip()
    if at is not None:
        if not chain.backdating_allowed():
            raise MissingAuditContextError("Only the seed may date a record in the past.")
        obj._history_date = at
    elif hasattr(obj, "_history_date"):
        del obj._history_date


def save(
    obj: TrackedModel,
    *,
    by,
    reason: str,
    at: datetime.datetime | None = None,
    update_fields: Sequence[str] | None = None,
) -> TrackedModel:
    """Saves one tracked object and its history record, naming ``by`` and ``reason``.

    In its own savepoint, so a caller may catch a failed write and go on; inside
    :func:`chained_together`, whose block rolls back as a whole on any error, without one.
    """
    with transaction.atomic(savepoint=_held.get() is None):
        return _save(obj, by=by, reason=reason, at=at, update_fields=update_fields)


def _save(obj, *, by, reason, at, update_fields) -> TrackedModel:
    _stamp(obj, by=by, reason=reason, at=at)
    if _has_updated_at(type(obj)):
        setattr(obj, UPDATED_AT, at or timezone.now())
        if update_fields is not None:
            update_fields = [*update_fields, UPDATED_AT]
    token = _saving.set(obj)
    try:
        obj.save(update_fields=update_fields)
    finally:
        _saving.reset(token)
        for attr in ("_history_user", "_change_reason", "_history_date"):
            obj.__dict__.pop(attr, None)
    return obj


@transaction.atomic
def bulk_update(
    objs: Iterable[TrackedModel],
    *,
    fields: Sequence[str],
    by,
    reason: str,
    batch_size: int = 2000,
) -> int:
    """Updates many objects of one model and writes one history record for each.

    The rows are written with a few statements per batch, not one save per object, so applying a
    whitelist revision to tens of thousands of licences stays fast and is still fully recorded.
    Objects that receive the same new values (every licence a revision suspends) share one
    ``UPDATE … WHERE id IN (…)`` per batch; Django's ``bulk_update`` (one ``CASE`` per field
    and row, which grows with the batch) is used only when the values differ from object to object.
    """
    objs = list(objs)
    if not objs:
        return 0
    model = type(objs[0])
    if any(type(obj) is not model for obj in objs):
        raise ValueError("bulk_update writes objects of one model at a time.")
    if by is None or not getattr(by, "pk", None) or not reason or not reason.strip():
        raise MissingAuditContextError(f"{model._meta.label}: a change needs a user and a reason.")
    moment = timezone.now()
    if fields and _has_updated_at(model):
        for obj in objs:
            setattr(obj, UPDATED_AT, moment)
        fields = [*fields, UPDATED_AT]
    for obj in objs:
        _normalise(obj)
    with bulk_writes():
        updated = _update_rows(model, objs, list(fields), batch_size) if fields else 0
        manager = get_history_manager_for_model(model)
        options = dict(
            default_user=by,
            default_change_reason=reason.strip(),
            default_date=moment,
            custom_historical_attrs={"history_username": by.get_username()},
        )
        records = _update_records(manager.model, objs, **options)
        if records is None:
            manager.bulk_history_create(objs, batch_size=batch_size, update=True, **options)
        else:
            manager.model.objects.bulk_create(records, batch_size=batch_size)
    return updated


@contextlib.contextmanager
def chained_together() -> Iterator[None]:
    """Holds the history records that :func:`save` writes in the block and chains them all in
    one step at its end: one lock on the chain's head, one read of the Merkle log's edge and one
    write of its nodes, and one insert per history table, instead of each of those per record.
    The head is then held from the block's end to the commit, not from its first record.

    The block is part of the caller's transaction, without a savepoint of its own: an error
    inside it rolls back the whole enclosing transaction (or savepoint), so no live row written
    in it can be kept without its record. Every record is chained before the block ends, in the
    order it was written, with the same checks as one chained alone (user, reason, time). Code in
    the block that reads the trail (a receipt signed with the log's head) calls
    :func:`chain_held` first; the bulk helpers call it themselves.
    """
    if _held.get() is not None:
        yield  # already inside one: its end chains these records too
        return
    held: list = []
    with transaction.atomic(savepoint=False):
        token = _held.set(held)
        try:
            yield
        finally:
            _held.reset(token)
        _chain_and_insert(held)


def chain_held() -> None:
    """Chains and inserts the records held so far by the enclosing :func:`chained_together`."""
    held = _held.get()
    if held:
        records = list(held)
        held.clear()
        _chain_and_insert(records)


def _chain_and_insert(records: list) -> None:
    if not records:
        return
    chain.chain(records)
    by_model: dict[type, list] = {}
    for record in records:
        by_model.setdefault(type(record), []).append(record)
    for model, group in by_model.items():
        # Numbered already: the bulk path inserts them as they are.
        model.objects.bulk_create(group)


def record_maker(history_model) -> Callable[[dict], models.Model]:
    """Builds a new history record from a dict of every column's value, as
    ``history_model(*values)`` does, without the per-field work of ``Model.__init__`` (the bulk
    paths build a record for each of 100,000 rows). Falls back to the constructor when the model
    has init signals or a column whose attribute is set through a descriptor."""
    columns = [f.attname for f in history_model._meta.concrete_fields]
    plain = not (
        signals.pre_init.has_listeners(history_model)
        or signals.post_init.has_listeners(history_model)
    ) and all(
        not hasattr(getattr(history_model, name, None), "__set__")
        or isinstance(getattr(history_model, name), ForeignKeyDeferredAttribute)
        for name in columns
    )
    if not plain:
        return lambda values: history_model(*[values[c] for c in columns])
    new, state = history_model.__new__, ModelState

    def make(values: dict) -> models.Model:
        record = new(history_model)
        record._state = state()
        record.__dict__.update({c: values[c] for c in columns})
        return record

    return make


def create_many(objs: list, *, by, reason: str, chunk: int = 20_000) -> list:
    """Creates new objects of one tracked model, each with its ``+`` history record naming
    ``by`` and ``reason``: the rows and records of ``chunk`` objects a transaction.

    For data set up in bulk (the benchmarks' millions of rows), where saving one by one would
    take hours. The rows go in with COPY on PostgreSQL (``bulk_create`` elsewhere); the records
    are built from the rows' columns, as :func:`bulk_update` builds its own, and inserted through
    the history table's bulk path, which numbers and hashes them into the chain and the Merkle
    log like every other record. Nothing of a service runs: the caller makes valid objects.
    """
    objs = list(objs)
    if not objs:
        return objs
    model = type(objs[0])
    if any(type(obj) is not model for obj in objs):
        raise ValueError("create_many writes objects of one model at a time.")
    if by is None or not getattr(by, "pk", None) or not reason or not reason.strip():
        raise MissingAuditContextError(f"{model._meta.label}: a change needs a user and a reason.")
    history_model = get_history_manager_for_model(model).model
    tracked = [f.attname for f in history_model.tracked_fields]
    fixed = {
        "history_id": None,
        "history_type": "+",
        "history_user_id": by.pk,
        "history_username": by.get_username(),
        "history_change_reason": reason.strip(),
        "audit_seq": None,
        "audit_hash": "",
        **dict.fromkeys(getattr(history_model, "retired_fields", ())),
    }
    make = record_maker(history_model)
    auto = [
        f
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    using = router.db_for_write(model)
    for start in range(0, len(objs), chunk):
        part = objs[start : start + chunk]
        with transaction.atomic(using=using), bulk_writes():
            for obj in part:
                _normalise(obj)
                for field in auto:
                    setattr(obj, field.attname, field.pre_save(obj, add=True))
            if not copy_rows(model, part, using):
                model._default_manager.using(using).bulk_create(part, batch_size=2000)
            fixed["history_date"] = timezone.now()
            records = []
            for obj in part:
                values = dict(fixed)
                for attname in tracked:
                    values[attname] = getattr(obj, attname)
                records.append(make(values))
            history_model.objects.using(using).bulk_create(records, batch_size=2000)
    return objs


def save_many(
    objs: list[TrackedModel],
    *,
    fields: Sequence[str],
    by,
    reason: str,
    at: datetime.datetime | None = None,
) -> None:
    """Writes many objects with one history record each.

    Live changes go through :func:`bulk_update`, a few statements whatever their number. Only the
    seed dates records in the past (``at``); it writes its few rows one by one, as the bulk helper
    stamps every record with the present moment.
    """
    if at is None:
        bulk_update(objs, fields=fields, by=by, reason=reason)
        return
    for obj in objs:
        save(obj, by=by, reason=reason, at=at, update_fields=fields)


def _update_records(
    history_model,
    objs: list,
    *,
    default_user,
    default_change_reason: str,
    default_date: datetime.datetime,
    custom_historical_attrs: dict,
) -> list | None:
    """The ``~`` records of ``objs``, as simple-history's ``bulk_history_create`` makes them,
    but built from their columns in order: building each with keyword arguments cost more than
    the rest of applying a revision together. None when the history model has a column this
    does not know how to fill (simple-history's own path is used then).
    """
    tracked = [f.attname for f in history_model.tracked_fields]
    fixed = {
        "history_id": None,
        "history_type": "~",
        "history_user_id": None,
        "audit_seq": None,
        "audit_hash": "",
        **custom_historical_attrs,
        **dict.fromkeys(getattr(history_model, "retired_fields", ())),
    }
    columns = [f.attname for f in history_model._meta.concrete_fields]
    per_object = {"history_date", "history_change_reason", "history_user_id"}
    if set(columns) - set(tracked) - set(fixed) - per_object:
        return None
    make = record_maker(history_model)
    records = []
    for obj in objs:
        user = getattr(obj, "_history_user", default_user)
        values = dict(
            fixed,
            history_date=getattr(obj, "_history_date", default_date),
            history_change_reason=getattr(obj, "_change_reason", None) or default_change_reason,
            history_user_id=getattr(user, "pk", None),
        )
        for attname in tracked:
            values[attname] = getattr(obj, attname)
        records.append(make(values))
    return records


def _update_rows(model, objs: list, fields: list[str], batch_size: int) -> int:
    attnames = []
    for name in fields:
        field = model._meta.get_field(name)
        if not field.concrete or field.many_to_many or field.primary_key:
            raise ValueError(f"bulk_update cannot write {model._meta.label}.{name}.")
        attnames.append(field.attname)
    groups: dict[tuple, list] = {}
    try:
        for obj in objs:
            groups.setdefault(tuple(getattr(obj, a) for a in attnames), []).append(obj.pk)
    except TypeError:  # an unhashable value, such as a JSON document
        groups = {}
    if not groups or len(groups) > max(1, len(objs) // 20):
        return model._default_manager.bulk_update(objs, fields, batch_size=batch_size)
    using = router.db_for_write(model)
    if connections[using].vendor == "postgresql":
        return _update_groups_postgresql(model, attnames, groups, using)
    updated = 0
    for values, pks in groups.items():
        changes = dict(zip(attnames, values, strict=True))
        for start in range(0, len(pks), batch_size):
            chunk = pks[start : start + batch_size]
            updated += model._default_manager.filter(pk__in=chunk).update(**changes)
    return updated


def _update_groups_postgresql(model, attnames: list[str], groups: dict, using: str) -> int:
    """One ``UPDATE … WHERE id = ANY(array)`` per group of objects given the same values.

    The ids go as one array parameter: ``filter(pk__in=…)`` makes Django prepare each id as an
    expression of its own, which cost a revision suspending 100,000 licences more time than
    PostgreSQL took to update their rows.
    """
    connection = connections[using]
    quote = connection.ops.quote_name
    meta = model._meta
    fields = [meta.get_field(a) for a in attnames]
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = ANY(%s)"
    pk_field, updated = meta.pk, 0
    with connection.cursor() as cursor:
        for values, pks in groups.items():
            params = [
                f.get_db_prep_save(v, connection) for f, v in zip(fields, values, strict=True)
            ]
            cursor.execute(
                sql, [*params, [pk_field.get_db_prep_value(pk, connection) for pk in pks]]
            )
            updated += cursor.rowcount
    return updated


# --- Guarantees on every single-object history record ----------------------------------------


def connect() -> None:
    """Connects the guarantees below; called once by the audit app's ``ready()``."""
    pre_save.connect(_refuse_raw_saves, dispatch_uid="registry.audit.history.raw-saves")
    pre_create_historical_record.connect(
        _require_user_and_reason, dispatch_uid="registry.audit.history.user-and-reason"
    )


def _require_user_and_reason(sender, instance, history_instance, **kwargs):
    user_id = history_instance.history_user_id
    if user_id is None:
        raise MissingAuditContextError(
            f"{instance._meta.label}: saved without an acting user; "
            "use registry.audit.history.save()."
        )
    if not (history_instance.history_change_reason or "").strip():
        raise MissingAuditContextError(
            f"{instance._meta.label}: saved without a reason; use registry.audit.history.save()."
        )
    user = getattr(instance, "_history_user", None)
    history_instance.history_username = (
        user.get_username() if user is not None else _username_for(user_id)
    )


def _username_for(user_id: int) -> str:
    return (
        get_user_model().objects.filter(pk=user_id).values_list("username", flat=True).first() or ""
    )
