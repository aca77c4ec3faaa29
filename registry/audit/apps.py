from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AuditConfig(AppConfig):
    """The auditors' views, the trail's system checks and its database guards."""

    name = "registry.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from registry.audit import checks, triggers  # noqa: F401  (registers the checks)

        post_migrate.connect(triggers.install_after_migrate, sender=self)
