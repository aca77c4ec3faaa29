from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = "Registry"

    def ready(self) -> None:
        from registry import sessions
        from registry.api import credentials

        sessions.connect()
        credentials.connect()
