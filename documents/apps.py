from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = "Documents and end-user declarations"

    def ready(self) -> None:
        from documents import checks  # noqa: F401  (registers the checks)
