"""Human-readable, gap-free reference numbers: ``APP-2026-000123``, ``EL-2026-000046``."""

from django.db import transaction
from django.utils import timezone

from registry.models import ReferenceCounter


def next_reference(prefix: str, *, year: int | None = None) -> str:
    """Takes the next number of the ``prefix``-``year`` series inside the caller's transaction.

    The counter row stays locked until that transaction ends, so two approvals at once get
    consecutive numbers, and a transaction that rolls back gives its number back.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_reference() must run inside the transaction that uses the number.")
    year = year or timezone.now().year
    series = f"{prefix}-{year}"
    counter, _ = ReferenceCounter.objects.select_for_update().get_or_create(series=series)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"{series}-{counter.last_number:06d}"
