"""``Idempotency-Key``: a retried POST returns the first answer and creates nothing new.

The key is the caller's, scoped to their user. The first request with a key inserts its record
and does its work in one transaction, storing the answer beside it; a retry finds the record and
gets that answer back. Two requests with the same key at once cannot both do the work: the unique
constraint on (user, key) makes the second wait for the first to commit and then replay it. A
request that fails stores nothing, so it can be retried with the same key. Reusing a key for a
different request (another body or path) is refused with 422 Unprocessable Content, as the IETF
draft on the header recommends.

A record is kept for ``IDEMPOTENCY_KEY_RETENTION_HOURS``. An older one counts as absent, whether or
not ``manage.py purge_idempotency_records`` has deleted it yet: a request with its key is a new
request, and its record takes the old one's place.
"""

import datetime
import functools
import hashlib
import json
import re

from django.conf import settings
from django.db import connections, router, transaction
from django.utils import timezone
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from registry.models import IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
_VALID_KEY = re.compile(r"[\x21-\x7e]{1,255}")


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = (
        "This Idempotency-Key was already used for a different request; use a new key for a new "
        "request."
    )
    default_code = "idempotency_key_reused"


def _fingerprint(request) -> str:
    payload = json.dumps(
        [request.method, request.path, request.data], sort_keys=True, default=str
    ).encode("utf-8")
    return hashlib.sha256(payload).hexdigest()


def retention_text() -> str:
    """The retention as a person reads it: ``24 hours``."""
    hours = settings.IDEMPOTENCY_KEY_RETENTION_HOURS
    return f"{hours:g} hour{'' if hours == 1 else 's'}"


def expired_before(now: datetime.datetime | None = None) -> datetime.datetime:
    """Records created before this moment are past their retention."""
    hours = settings.IDEMPOTENCY_KEY_RETENTION_HOURS
    return (now or timezone.now()) - datetime.timedelta(hours=hours)


def _claim(user, key: str, fingerprint: str) -> tuple[IdempotencyRecord, bool]:
    """The key's live record, or a new one: ``(record, created)``.

    A request in flight with the same key holds its uncommitted record: the insert waits for it
    to commit (the key is taken) or to roll back (the key is free again). An expired record is
    deleted and a new one inserted in the caller's transaction; a concurrent request that found
    the same expired record waits on its row lock, deletes nothing, and then finds the new record.
    """
    record = _insert(user, key, fingerprint)
    if record is not None:
        return record, True
    records = IdempotencyRecord.objects
    record = records.get(user=user, key=key)
    if record.created_at >= expired_before():
        return record, False
    records.filter(pk=record.pk).delete()
    record = _insert(user, key, fingerprint)
    if record is not None:
        return record, True
    return records.get(user=user, key=key), False


def _insert(user, key: str, fingerprint: str) -> IdempotencyRecord | None:
    """Inserts the key's record in one statement (``INSERT … ON CONFLICT DO NOTHING``), or
    returns None when the key has one."""
    using = router.db_for_write(IdempotencyRecord)
    connection = connections[using]
    record = IdempotencyRecord(user=user, key=key, request_fingerprint=fingerprint)
    meta = IdempotencyRecord._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    unique = ", ".join(quote(meta.get_field(name).column) for name in ("user", "key"))
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) "
        f"ON CONFLICT ({unique}) DO NOTHING RETURNING {quote(meta.pk.column)}"
    )
    params = [f.get_db_prep_save(f.pre_save(record, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    record.pk = row[0]
    record._state.adding = False
    record._state.db = using
    return record


def purge_expired_records(*, batch_size: int = 1000) -> int:
    """Deletes the records past their retention and returns how many.

    One short transaction per batch, so no lock is held for long; records expiring while it
    runs are left to the next run.
    """
    expired = _expired_records()
    deleted = 0
    while True:
        with transaction.atomic():
            batch = list(expired.order_by("pk").values_list("pk", flat=True)[:batch_size])
            if not batch:
                return deleted
            count, _ = expired.filter(pk__in=batch).delete()
        deleted += count


def count_expired_records() -> int:
    return _expired_records().count()


def _expired_records():
    return IdempotencyRecord.objects.filter(created_at__lt=expired_before())


def idempotent(handler):
    """Wraps a view method that creates or changes something, honouring ``Idempotency-Key``."""

    @functools.wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return handler(view, request, *args, **kwargs)
        if not _VALID_KEY.fullmatch(key):
            raise exceptions.ValidationError(
                {HEADER: ["Give 1 to 255 visible ASCII characters, such as a UUID."]}
            )
        fingerprint = _fingerprint(request)
        with transaction.atomic():
            record, created = _claim(request.user, key, fingerprint)
            if not created:
                if record.request_fingerprint != fingerprint:
                    raise IdempotencyKeyReused()
                return Response(
                    record.response_body,
                    status=record.response_status,
                    headers={REPLAYED_HEADER: "true"},
                )
            response = handler(view, request, *args, **kwargs)
            if response.status_code >= 400:
                transaction.set_rollback(True)
                return response
            record.response_status = response.status_code
            record.response_body = json.loads(JSONRenderer().render(response.data))
            record.save(update_fields=["response_status", "response_body"])
            return response

    return wrapper
