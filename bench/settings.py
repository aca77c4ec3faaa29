"""The settings of the server the benchmarks measure: production's, plus the bare baseline views.

``python -m bench`` starts gunicorn with ``DJANGO_SETTINGS_MODULE=bench.settings``, so the
baseline views under ``/bench/`` (``bench.urls``) exist only there, never in production.
"""

from registry.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
