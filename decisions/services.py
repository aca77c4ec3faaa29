"""Every write to the catalogues: senior officials add entries, reword them, retire and reinstate
them. Never deleted: refusals and licences name their codes for years."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from registry.audit import history


def _reason(reason: str) -> str:
    if not reason or not str(reason).strip():
        raise ValidationError({"reason": "Give a reason."})
    return str(reason).strip()


@transaction.atomic
def add_entry(*, model, by, code: str, text: str, reason: str):
    """A new criterion or condition, in use at once."""
    reason = _reason(reason)
    entry = model(code=str(code).strip(), text=str(text).strip())
    entry.full_clean(exclude=["code"] if not entry.code else None)
    if not entry.code:
        raise ValidationError({"code": "Give the code."})
    try:
        with transaction.atomic():
            return history.save(entry, by=by, reason=reason)
    except IntegrityError as error:
        raise ValidationError({"code": "An entry with this code exists."}) from error


@transaction.atomic
def set_retired(*, entry, by, retired: bool, reason: str):
    """Retires an entry (no longer offered for new decisions) or brings it back."""
    reason = _reason(reason)
    entry = type(entry).objects.select_for_update().get(pk=entry.pk)
    if entry.retired == retired:
        state = "retired" if retired else "in use"
        raise ValidationError({"reason": f"{entry.code} is {state} already."})
    entry.retired = retired
    return history.save(entry, by=by, reason=reason, update_fields=["retired"])
