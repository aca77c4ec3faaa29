"""The peer: the same eligibility read and submission as the registry's API, written the stock way.

What a typical team builds for the job with Django REST framework: the stock
``TokenAuthentication`` (a database read per call), a ``ModelViewSet`` with ``ModelSerializer``s,
the stock ``AnonRateThrottle``/``UserRateThrottle`` on the same cache, and django-simple-history's
default ``HistoricalRecords``. No screening, no chain, no gap-free numbers. The benchmarks (B1, B2)
compare the registry with it on the same server in the same run.

It exists only under the benchmark's settings (``bench.settings`` installs it, with
``rest_framework.authtoken``); its migrations are never part of the production migration graph.
"""
