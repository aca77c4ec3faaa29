from django.apps import AppConfig


class PeerConfig(AppConfig):
    name = "bench.peer"
    label = "bench_peer"
    verbose_name = "Benchmark peer (stock DRF stack)"
    default_auto_field = "django.db.models.BigAutoField"
