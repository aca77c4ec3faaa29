"""Accounts and the project-wide records that are not part of the licensing domain."""

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A person using the registry. A vendor's user is linked to exactly one vendor."""

    vendor = models.ForeignKey(
        "licenses.Vendor",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text="Set for the users of a vendor; they see that vendor's records and no other.",
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        permissions = [
            ("view_audit_trail", "Can view the audit trail and its exports"),
            ("use_vendor_api", "Can use the vendors' REST API"),
        ]


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
