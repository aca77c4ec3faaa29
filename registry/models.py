"""Accounts and the project-wide records that are not part of the licensing domain."""

import uuid

from django.contrib.auth import password_validation
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone

from registry.audit import history
from registry.audit.history import TrackedModel, TrackedQuerySet, project_history

# Columns of an account that are not its history: a secret, and the time of the last sign-in.
UNTRACKED_FIELDS = frozenset({"password", "last_login"})


class UserManager(DjangoUserManager.from_queryset(TrackedQuerySet)):
    """Django's user manager on the tracked queryset; a new account is written with history.

    The account services (``registry.accounts.services.create_user``) name who creates an
    account and why. ``create_user`` and ``create_superuser`` stay for Django's own commands
    and the shell, and record the system actor with a reason that says so, unless given
    ``by`` and ``reason``.
    """

    def _create_user(self, username, email, password, **extra_fields):
        by = extra_fields.pop("by", None) or history.system_user()
        reason = extra_fields.pop("reason", None) or (
            "Account created outside the account services (manage.py createsuperuser, "
            "the shell or a test)"
        )
        user = self._create_user_object(username, email, password, **extra_fields)
        return history.save(user, by=by, reason=reason)


class User(AbstractUser, TrackedModel):
    """A person using the registry. A vendor's user is linked to exactly one vendor.

    Its history (every field but the password hash and the last sign-in) is kept like any tracked
    record's, and its changes are made through ``registry.accounts.services``. Group membership
    is not a column, so ``roles`` records it: the services set both together, and
    ``verify_audit`` reports an account whose groups differ from its recorded roles.
    """

    vendor = models.ForeignKey(
        "licenses.Vendor",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text="Set for the users of a vendor; they see that vendor's records and no other.",
    )
    roles = models.CharField(
        max_length=200,
        blank=True,
        default="",
        editable=False,
        help_text="The account's groups, as the account services last set them (comma-separated).",
    )

    objects = UserManager()
    history = project_history(excluded_fields=sorted(UNTRACKED_FIELDS))

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        permissions = [
            ("view_audit_trail", "Can view the audit trail and its exports"),
            ("use_vendor_api", "Can use the vendors' REST API"),
            ("manage_vendor_tokens", "Can list and revoke every API token of their vendor"),
        ]

    @classmethod
    def from_db(cls, db, field_names, values):
        user = super().from_db(db, field_names, values)
        user._loaded_state = None if user.get_deferred_fields() else user._tracked_state()
        return user

    def _tracked_state(self) -> dict:
        return {
            f.attname: getattr(self, f.attname)
            for f in self._meta.concrete_fields
            if f.name not in UNTRACKED_FIELDS
        }

    def save(self, *args, **kwargs):
        """Saves a sign-in time or a new password without a history record, anything else with.

        Django writes these itself (at each sign-in, on a password change or reset, when it
        upgrades a hash); they are not part of the history, which never holds the hash.
        """
        update_fields = kwargs.get("update_fields")
        if not self._state.adding and getattr(self, "_history_user", None) is None:
            if update_fields is not None:
                untracked_only = set(update_fields) <= UNTRACKED_FIELDS
            else:
                loaded = getattr(self, "_loaded_state", None)
                untracked_only = loaded is not None and loaded == self._tracked_state()
            if untracked_only:
                self._save_untracked(update_fields or sorted(UNTRACKED_FIELDS))
                return
        super().save(*args, **kwargs)
        self._loaded_state = self._tracked_state()

    def _save_untracked(self, fields) -> None:
        with history.bulk_writes():
            type(self)._default_manager.filter(pk=self.pk).update(
                **{name: getattr(self, name) for name in fields}
            )
        if self._password is not None:
            password_validation.password_changed(self._password, self)
            self._password = None


class ApiToken(TrackedModel):
    """The record of an API token: its name, owner, prefix, expiry and revocation, with history.

    The credential itself is django-rest-knox's ``AuthToken`` (its SHA-512 digest, never the
    key), found here by that digest. Revoking deletes the credential, so the token stops
    working at once, and keeps this record, marked revoked, with who and why. When the token
    was last used is not history: it is written without a record, at most once a minute.
    """

    key = models.UUIDField(
        default=uuid.uuid4, unique=True, editable=False, help_text="Its id in URLs."
    )
    digest = models.CharField(max_length=128, unique=True, editable=False)
    prefix = models.CharField(
        max_length=25, editable=False, help_text="The key's first characters, to recognise it."
    )
    name = models.CharField(max_length=100, help_text="What the token is for.")
    user = models.ForeignKey("registry.User", on_delete=models.PROTECT, related_name="api_tokens")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        "registry.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    history = project_history(excluded_fields=["last_used_at"])

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = "API token"
        constraints = [models.CheckConstraint(condition=~Q(name=""), name="api_token_named")]

    def __str__(self) -> str:
        return f"{self.prefix}… {self.name}"

    @property
    def state(self) -> str:
        """``active``, ``expired`` or ``revoked``."""
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= timezone.now() else "active"


class ReferenceCounter(models.Model):
    """The last number issued for one reference series, such as ``APP-2026`` or ``EL-2026``.

    The row is locked while a number is taken, so numbers are unique and, because the increment
    commits or rolls back with the record that uses it, gap-free.
    """

    series = models.CharField(max_length=20, unique=True)
    last_number = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.series}: {self.last_number}"


class IdempotencyRecord(models.Model):
    """The first answer to an API request sent with an ``Idempotency-Key``, replayed on retries."""

    user = models.ForeignKey("registry.User", on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=255)
    request_fingerprint = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")
        ]
