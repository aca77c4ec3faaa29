"""WSGI entry point, as used by gunicorn: ``gunicorn registry.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings")

application = get_wsgi_application()

# The URLs, and with them every view, are imported now rather than by the first request: under
# gunicorn's preload (gunicorn.conf.py) each worker is forked with them already loaded.
get_resolver().url_patterns  # noqa: B018
