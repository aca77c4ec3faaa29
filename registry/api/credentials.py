"""What a token may do, kept in the shared cache so that a vendor's call needs no query to know.

Without it every API call spends four queries before its own work: two to find the token and its
user, two for the user's permissions. An entry here holds the token and its user with the user's
permissions already resolved, keyed by the token's digest (the key itself never enters the cache).
The user's password hash has no business in a cache and is left out: the user comes back with
that field deferred.

Redis is shared, so an entry is not taken on trust: it is JSON (never a pickle, whose reading
would run whatever the bytes say), and it carries an HMAC-SHA256 keyed from ``SECRET_KEY`` over
the entry and the key it is stored under. An entry someone wrote into Redis, or copied there from
another token's key, fails the check and counts as absent: the token is looked up in the
database as if nothing were cached. Write access to Redis alone grants nothing.

An entry lives ``API_CREDENTIALS_CACHE_SECONDS`` at most (60 by default; 0 turns the cache off),
and never beyond the token's expiry. Everything that changes what a token may do drops the entries
of the tokens concerned once its transaction commits: revoking or changing a token; saving or
deleting a user; changing a user's groups or permissions; changing a group's permissions. The
lifetime bounds what a change made around these hooks (in a SQL console, say) can leave behind,
and a request that read the old state just before such a commit can cache it for that long too.
"""

from __future__ import annotations

import datetime
import json
import logging
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from knox.models import AuthToken

from registry import shared_cache

_PREFIX = "api-credentials:"


def _lifetime() -> int:
    return int(getattr(settings, "API_CREDENTIALS_CACHE_SECONDS", 60))


def _key(digest: str) -> str:
    return _PREFIX + digest


_MAC_SALT = "registry.api.credentials: a token and its user, cached"
# The user's password hash stays out: the user comes back with that field deferred.
_LEFT_OUT = {"password"}

logger = logging.getLogger(__name__)


def _columns(instance) -> dict:
    values = {}
    for field in type(instance)._meta.concrete_fields:
        if field.attname in _LEFT_OUT:
            continue
        value = field.value_from_object(instance)
        values[field.attname] = value.isoformat() if isinstance(value, datetime.date) else value
    return values


def _instance(model, columns: dict):
    """The model instance with these columns, as if read from the database; any other column
    is deferred, read from the database if ever used."""
    names = set(columns)
    values = [
        field.to_python(columns[field.attname])
        for field in model._meta.concrete_fields
        if field.attname in names
    ]
    return model.from_db(None, names, values)


def _mac(key: str, payload: str) -> str:
    return salted_hmac(_MAC_SALT, f"{key}\n{payload}", algorithm="sha256").hexdigest()


def _entry(key: str, user, token) -> bytes:
    """What the cache keeps under ``key``: the MAC, then the JSON of the user's and the
    token's columns and of the user's permissions, resolved."""
    payload = json.dumps(
        {
            "user": _columns(user),
            "permissions": sorted(user.get_all_permissions()),
            "token": _columns(token),
        },
        separators=(",", ":"),
        sort_keys=True,
    )
    return f"{_mac(key, payload)}:{payload}".encode()


def _read(key: str, digest: str, entry) -> tuple | None:
    """The ``(user, token)`` of an entry whose MAC holds for ``key``; None for anything else."""
    if not isinstance(entry, bytes | str):
        return None
    try:
        text = entry.decode() if isinstance(entry, bytes) else entry
        mac, _, payload = text.partition(":")
        if not constant_time_compare(mac, _mac(key, payload)):
            logger.warning("A cached API credential failed its check and was ignored: %s", key)
            return None
        data = json.loads(payload)
        user = _instance(get_user_model(), data["user"])
        token = _instance(AuthToken, data["token"])
        permissions = set(data["permissions"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    if not constant_time_compare(token.digest, digest) or token.user_id != user.pk:
        return None
    user._perm_cache = permissions  # what ModelBackend.has_perm reads
    return user, token


def cached(
    digest: str, *, also: Sequence[str] = (), counter: tuple[str, int] | None = None
) -> tuple[tuple | None, dict, int | None]:
    """The ``(user, token)`` cached for this digest (None when absent, expired or failing its
    check), the values of the ``also`` keys found (as the bytes stored, never unpickled), and the
    ``counter`` counted once more: one round trip in all (``registry.shared_cache``)."""
    key = _key(digest) if _lifetime() > 0 else None
    keys = [*also, key] if key else list(also)
    found, count = shared_cache.read_and_count(keys, counter=counter, raw=keys)
    entry = found.pop(key, None) if key else None
    credentials = None if entry is None else _read(key, digest, entry)
    if credentials is None:
        return None, found, count
    user, token = credentials
    if token.expiry is not None and token.expiry <= timezone.now():
        return None, found, count  # the database path deletes the expired token and refuses it
    return (user, token), found, count


def remember(user, token) -> None:
    """Caches a token that has just been checked against the database, with its permissions."""
    lifetime = _lifetime()
    if lifetime <= 0:
        return
    if token.expiry is not None:
        left = (token.expiry - timezone.now()).total_seconds()
        lifetime = min(lifetime, int(left))
        if lifetime <= 0:
            return
    key = _key(token.digest)
    shared_cache.write_raw(key, _entry(key, user, token), lifetime)


def forget_tokens(digests: Iterable[str]) -> None:
    """Drops these tokens' entries when the current transaction commits (at once outside one)."""
    keys = [_key(d) for d in digests]
    if keys:
        transaction.on_commit(lambda: cache.delete_many(keys), robust=True)


def forget_users(user_ids: Iterable[int]) -> None:
    user_ids = list(user_ids)
    if user_ids:
        forget_tokens(
            AuthToken.objects.filter(user_id__in=user_ids).values_list("digest", flat=True)
        )


# --- What changes a token's rights ------------------------------------------------------------


def _token_changed(sender, instance, **kwargs):
    forget_tokens([instance.digest])


def _user_changed(sender, instance, **kwargs):
    if kwargs.get("raw"):
        return
    forget_users([instance.pk])


def _user_relations_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """A user's groups or own permissions (``reverse``: a group's or permission's users)."""
    if not action.startswith("post_") and action != "pre_clear":
        return
    if not reverse:
        forget_users([instance.pk])
    elif action == "pre_clear":
        forget_users(instance.user_set.values_list("pk", flat=True))
    else:
        forget_users(pk_set or ())


def _group_permissions_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_") and action != "pre_clear":
        return
    User = get_user_model()
    if not reverse:
        groups = [instance.pk]
    elif action == "pre_clear":
        groups = list(instance.group_set.values_list("pk", flat=True))
    else:
        groups = list(pk_set or ())
    forget_users(User.objects.filter(groups__in=groups).values_list("pk", flat=True).distinct())


def connect() -> None:
    User = get_user_model()
    uid = "registry.api.credentials"
    post_save.connect(_token_changed, sender=AuthToken, dispatch_uid=f"{uid}.token-saved")
    post_delete.connect(_token_changed, sender=AuthToken, dispatch_uid=f"{uid}.token-deleted")
    post_save.connect(_user_changed, sender=User, dispatch_uid=f"{uid}.user-saved")
    post_delete.connect(_user_changed, sender=User, dispatch_uid=f"{uid}.user-deleted")
    for through in (User.groups.through, User.user_permissions.through):
        m2m_changed.connect(
            _user_relations_changed, sender=through, dispatch_uid=f"{uid}.{through.__name__}"
        )
    m2m_changed.connect(
        _group_permissions_changed,
        sender=Group.permissions.through,
        dispatch_uid=f"{uid}.group-permissions",
    )
