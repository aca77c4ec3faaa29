"""Background work of the audit trail, as Celery tasks (``celery.shared_task``: they bind to the
project's Celery app, and run in the caller's process when it runs tasks eagerly — in tests, and
without a broker).

- :func:`verify_trail`: the whole verification ``verify_audit`` runs, recorded as a
  ``VerificationRun`` for the integrity page (its "verify again" button queues it).
- :func:`sign_checkpoint`: signs the log's head (``audit_checkpoint``), and writes it to
  ``AUDIT_CHECKPOINT_DIR`` when that is set; beat runs it every ``AUDIT_CHECKPOINT_MINUTES``
  (``CELERY_BEAT_SCHEDULE`` in the settings).

Both take and return plain values only, so a worker needs nothing from the caller.
"""

from __future__ import annotations

from pathlib import Path

from celery import shared_task
from django.conf import settings

from registry.audit import checkpoints, verification


@shared_task(name="registry.audit.tasks.verify_trail", ignore_result=True)
def verify_trail(*, requested_by: str = "", source: str = "button") -> dict:
    outcome = verification.run()
    run = verification.record(outcome, source=source, requested_by=requested_by)
    return {"id": run.pk, "ok": run.ok, "records": run.records}


@shared_task(name="registry.audit.tasks.sign_checkpoint", ignore_result=True)
def sign_checkpoint() -> dict:
    checkpoint, new = checkpoints.sign()
    written = ""
    if settings.AUDIT_CHECKPOINT_DIR:
        written = str(checkpoints.write_out(checkpoint, Path(settings.AUDIT_CHECKPOINT_DIR)))
    return {"tree_size": checkpoint.tree_size, "new": new, "written": written}
