from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _record_untracked_accounts(sender, apps=None, using="default", **kwargs):
    """Once the schema has account history (and only then), accounts made before it, such as
    the system actor created by a migration, get their first history record."""
    from django.contrib.auth import get_user_model
    from django.db import router

    from registry.accounts import services

    try:
        state = apps.get_model("registry", "HistoricalUser") if apps is not None else None
    except LookupError:
        return
    if state is not None and "roles" not in {f.name for f in state._meta.fields}:
        return
    if router.db_for_write(get_user_model()) != using:
        return
    services.record_untracked_accounts()


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = "Registry"

    def ready(self) -> None:
        from registry import broker, metrics, sessions, task_context
        from registry.api import credentials

        # The Celery application, made the current one in every process Django starts (web,
        # commands, the worker), so a task queued anywhere goes to the configured broker. Not
        # imported by the package itself: the offline verifier imports the package without Django.
        from registry.celery import app  # noqa: F401

        sessions.connect()
        credentials.connect()
        task_context.connect()
        metrics.register_gauge(
            "registry_celery_queue_length",
            "Messages waiting in the Celery broker's queue (Redis LLEN); none without a broker.",
            broker.queue_depths,
            labels=("queue",),
        )
        post_migrate.connect(
            _record_untracked_accounts,
            sender=self,
            dispatch_uid="registry.record-untracked-accounts",
        )
