"""The settings of the server the benchmarks measure: production's, plus the baselines.

``python -m bench`` starts gunicorn with ``DJANGO_SETTINGS_MODULE=bench.settings``, so the bare
baseline views under ``/bench/`` and the peer (``bench.peer``, the same API written with stock
Django REST framework and django-simple-history) exist only there, never in production. The
peer's app and ``rest_framework.authtoken`` are installed here only: their tables and migrations
are never part of production's migration graph.
"""

from registry.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
"""The benchmark URLconf: the project's URLs plus the baselines under ``/bench/``."""

INSTALLED_APPS = [*INSTALLED_APPS, "rest_framework.authtoken", "bench.peer"]  # noqa: F405

# The stock throttles' rates, on the same cache and as high as the registry's in the benchmark
# (API_THROTTLE_RATE): what is measured is the throttle's cost, not its refusals.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {
        **REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],  # noqa: F405
        "anon": env.str("API_THROTTLE_RATE", default="600/minute"),  # noqa: F405
        "user": env.str("API_THROTTLE_RATE", default="600/minute"),  # noqa: F405
    },
}
