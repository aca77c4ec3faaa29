"""The audit trail, in one package (the Django app labelled ``audit``).

Writing the trail:

- ``history``: the one way tracked models are written (``save``, ``bulk_update``), each change
  with its user and reason; the bases of tracked models (``TrackedModel``) and of their history
  models (``AuditedHistoricalRecord``), ``backdating()`` for the seed, and the signal guarantees
  that ``apps.AuditConfig.ready()`` connects.
- ``chain``: numbers and hashes every history record (HMAC keyed with ``AUDIT_KEY``) and verifies
  the chain. ``history`` imports ``chain``; ``chain`` imports nothing of the trail but ``models``.
- ``models``: ``AuditChainHead``, the chain's single head row (table ``registry_auditchainhead``).
- ``triggers``: PostgreSQL triggers that make history tables append-only; ``migrations`` installs
  them and starts the head.

Checking it:

- ``checks``: system checks that history cannot be switched off quietly.
- ``reconcile``: live rows against their latest history record.
- ``management/commands``: ``verify_audit`` (every break of the chain, the head against one
  recorded elsewhere, triggers present and enabled, an erased trail, reconciliation) and ``flush``
  (the one command allowed to empty history tables: for the test runner, or with
  ``--erase-audit-trail``).

Reading it (the auditors' pages under ``/audit/``):

- ``selectors``: reads of the timeline, an object's history, the whitelist on a date and its diff.
- ``charts``: the geometry of the inline SVG charts, no database.
- ``forms``, ``views``, ``urls``, ``exports`` (CSV and JSON).
"""
