from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils import timezone


class AuditConfig(AppConfig):
    """The audit trail: history helpers, chain, database guards, checks and the auditors' views."""

    name = "registry.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from registry.audit import (
            checks,  # noqa: F401  (registers the checks)
            history,
            triggers,
        )

        history.connect()
        _register_gauges()
        post_migrate.connect(triggers.install_after_migrate, sender=self)


def _register_gauges() -> None:
    from registry import metrics
    from registry.audit import checkpoints, tree

    def since_checkpoint() -> float | None:
        latest = checkpoints.latest()
        if latest is None:
            return None
        return (timezone.now() - latest.created_at).total_seconds()

    def unsigned() -> float:
        latest = checkpoints.latest()
        return tree.size() - (latest.tree_size if latest else 0)

    metrics.register_gauge(
        "registry_audit_checkpoint_age_seconds",
        "Seconds since the latest signed checkpoint of the audit log; no sample before the first.",
        since_checkpoint,
    )
    metrics.register_gauge(
        "registry_audit_unsigned_records",
        "Records in the audit log written since the latest signed checkpoint.",
        unsigned,
    )
