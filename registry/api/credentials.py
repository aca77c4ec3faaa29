"""What a token may do, kept in the shared cache so that a vendor's call needs no query to know.

Without it every API call spends four queries before its own work: two to find the token and its
user, two for the user's permissions. An entry here holds the token and its user with the user's
permissions already resolved, keyed by the token's digest (the key itself never enters the cache).
The user's password hash has no business in a cache and is left out: the user comes back with
that field deferred.

An entry lives ``API_CREDENTIALS_CACHE_SECONDS`` at most (60 by default; 0 turns the cache off),
and never beyond the token's expiry. Everything that changes what a token may do drops the entries
of the tokens concerned once its transaction commits: revoking or changing a token; saving or
deleting a user; changing a user's groups or permissions; changing a group's permissions. The
lifetime bounds what a change made around these hooks (in a SQL console, say) can leave behind,
and a request that read the old state just before such a commit can cache it for that long too.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from knox.models import AuthToken

from registry import shared_cache

_PREFIX = "api-credentials:"


def _lifetime() -> int:
    return int(getattr(settings, "API_CREDENTIALS_CACHE_SECONDS", 60))


def _key(digest: str) -> str:
    return _PREFIX + digest


def _entry(user, token) -> tuple:
    """Copies of the user, with its permissions resolved and without its password hash, and of
    the token, as the cache keeps them (pickled, the way Django pickles model instances)."""
    user.get_all_permissions()  # fills the permission caches, which are kept with the user
    user, token = copy.copy(user), copy.copy(token)
    user.__dict__.pop("password", None)  # never cached: it comes back deferred, read if needed
    user._state.fields_cache = {}  # the vendor and other relations are read fresh
    token._state.fields_cache = {}
    return user, token


def cached(
    digest: str, *, also: Sequence[str] = (), counter: tuple[str, int] | None = None
) -> tuple[tuple | None, dict, int | None]:
    """The ``(user, token)`` cached for this digest (None when absent or expired), the values
    of the ``also`` keys found, and the ``counter`` counted once more: one round trip in all
    (``registry.shared_cache``)."""
    key = _key(digest) if _lifetime() > 0 else None
    found, count = shared_cache.read_and_count([*also, key] if key else also, counter=counter)
    entry = found.pop(key, None) if key else None
    if entry is None:
        return None, found, count
    user, token = entry
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
    cache.set(_key(token.digest), _entry(user, token), timeout=lifetime)


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
