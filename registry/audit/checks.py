"""System checks: the trail cannot be switched off quietly."""

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from registry.audit.checkpoints import signer, verifiers
from registry.audit.history import AuditedHistoricalRecord, TrackedModel


@checks.register("audit")
def history_is_on(app_configs=None, **kwargs):
    """History switched off would let every write go unrecorded: that is an error, not a warning."""
    errors = []
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        errors.append(
            checks.Error(
                "History is switched off (SIMPLE_HISTORY_ENABLED = False).",
                hint="Remove the setting: every change to a tracked model must be recorded.",
                id="audit.E001",
            )
        )
    for model in apps.get_models():
        if not issubclass(model, TrackedModel):
            continue
        history_model = getattr(getattr(model, "history", None), "model", None)
        if history_model is None or not issubclass(history_model, AuditedHistoricalRecord):
            errors.append(
                checks.Error(
                    f"{model._meta.label} is a tracked model without the project's history.",
                    hint="Add `history = project_history()` to the model.",
                    obj=model,
                    id="audit.E002",
                )
            )
    if not getattr(settings, "AUDIT_KEY", ""):
        errors.append(
            checks.Error(
                "AUDIT_KEY is empty: history records cannot be chained.",
                hint="Set AUDIT_KEY in the environment.",
                id="audit.E003",
            )
        )
    return errors


@checks.register("audit")
def checkpoint_key_is_usable(app_configs=None, **kwargs):
    """Without a readable signing key no checkpoint can be signed, and the log proves nothing to
    anyone outside the database. Off DEBUG that is an error; in DEBUG a warning."""
    try:
        signer()
        verifiers()
    except ImproperlyConfigured as error:
        level = checks.Warning if settings.DEBUG else checks.Error
        return [
            level(
                str(error),
                hint="`manage.py make_audit_key FILE`, then set AUDIT_SIGNING_KEY_FILE "
                "(`manage.py quickstart` writes a development key).",
                id="audit.E004" if level is checks.Error else "audit.W004",
            )
        ]
    return []
