"""The Django project of the export-licence registry, and the base layer its apps stand on.

The code is in three layers; each may import the layers below it, never one above. The
contracts in ``.importlinter`` hold the code to this (``lint-imports``, run by CI).

The project's top: wires the apps together and reads across them.
    ``registry.settings``, ``registry.urls``, ``registry.wsgi``/``asgi``; ``registry.views`` (the
    dashboard and the error pages); ``registry.api.urls`` (the vendors' API routes);
    ``registry.audit`` views, selectors, charts, exports and reconciliation (the auditors' pages,
    which read every app's history); ``registry.management`` (seed, quickstart, issue_token).

The apps: the domain, each with its models, services (every write), selectors (reads), web and
API faces.
    ``countries`` (the whitelist and its revisions) and ``licenses`` (vendors, products,
    applications, licences, the screening rules). ``countries`` reaches ``licenses`` only through
    the seam of a revision's removed destinations: ``licenses.services``'
    ``lock_for_destination_removal`` and ``apply_destination_removal``, and ``licenses.selectors``
    for the impact preview. ``notifications`` (the outbox, webhooks, email) sits below the other
    apps: they record events through its services, and it imports none of them.
    ``screening`` (restricted-party screening) stands below ``licenses``: licensing calls its
    services and selectors; it re-screens licensing's parties only through the callables
    licensing registers in ``screening.rescreen``.

The base layer: knows no app.
    ``registry.models`` (the user, reference counters, idempotency records); ``registry.audit``
    history, chain, models, triggers and checks (the trail every tracked write goes through);
    ``registry.api`` plumbing (authentication, credentials cache, parsers, errors, idempotency,
    throttles, pagination, schema hooks); ``registry.accounts`` (sign-in's second factor, password
    change and reset); ``registry.errors``, ``references``, ``transitions``, ``locks``,
    ``roles``, ``shared_cache``, ``converters``, ``web``, ``middleware``, ``sessions``,
    ``signin_lockout``, ``sign_in``, ``db_router``, ``json_logging``, ``celery`` (the Celery
    application; each app's ``tasks.py`` declares its tasks with ``shared_task``); operations:
    ``backups``, ``metrics`` (apps register their gauges there), ``broker``, ``request_context``
    and ``task_context`` (the request id in Celery tasks' logs), ``audit.kept``.
"""
