"""The peer's own tables, with simple-history's default history (no chain, no audit fields)."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from licenses.models import EndUserKind, LicenceType, Product, Vendor


class PeerCountry(models.Model):
    """A country and its standing, stored as a stock team would: one row per country with the
    date and revision of its last change beside it."""

    code = models.CharField(max_length=2, unique=True)
    alpha3 = models.CharField(max_length=3)
    name = models.CharField(max_length=100)
    eligible = models.BooleanField(default=False)
    eligible_since = models.DateTimeField(null=True, blank=True)
    revision = models.CharField(max_length=20, null=True, blank=True)
    history = HistoricalRecords()

    def __str__(self):
        return self.code


class PeerApplication(models.Model):
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    licence_type = models.CharField(max_length=10, choices=LicenceType.choices)
    destination = models.ForeignKey(PeerCountry, on_delete=models.PROTECT, related_name="+")
    end_use = models.TextField()
    value = models.DecimalField(max_digits=15, decimal_places=2)
    currency = models.CharField(max_length=3)
    end_user_name = models.CharField(max_length=200)
    end_user_kind = models.CharField(max_length=30, choices=EndUserKind.choices)
    status = models.CharField(max_length=20, default="submitted")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    def __str__(self):
        return f"peer application {self.pk}"
