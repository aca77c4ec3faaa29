from django.apps import AppConfig
from django.db.models.signals import post_migrate


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
        post_migrate.connect(triggers.install_after_migrate, sender=self)
