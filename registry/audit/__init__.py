"""The audit trail, in one package (the Django app labelled ``audit``).

Writing the trail:

- ``history``: the one way tracked models are written (``save``, ``bulk_update``), each change
  with its user and reason; the bases of tracked models (``TrackedModel``) and of their history
  models (``AuditedHistoricalRecord``), ``backdating()`` for the seed, and the signal guarantees
  that ``apps.AuditConfig.ready()`` connects.
- ``chain``: numbers and hashes every history record (HMAC keyed with ``AUDIT_KEY``) and verifies
  the chain. ``history`` imports ``chain``; ``chain`` imports nothing of the trail but ``models``.
- ``merkle`` (pure, no Django): the RFC 9162 tree, its proofs and their verification;
  ``signing`` (pure): C2SP signed notes and checkpoints, Ed25519 keys.
- ``tree``: the stored Merkle log (``chain`` appends each record's leaf under its lock);
  ``checkpoints``: signing the log's head with ``AUDIT_SIGNING_KEY_FILE`` and storing it.
- ``receipts``: decision receipts, the apps' decisions as plain data signed with the log's head
  (``licenses.receipts`` builds them); the format is in ``signing``.
- ``models``: ``AuditChainHead``, the chain's single head row (table ``registry_auditchainhead``);
  ``TreeNode`` and ``Checkpoint``, the log's append-only tables; ``DecisionReceipt`` and
  ``VerificationRun``, append-only too.
- ``triggers``: PostgreSQL triggers that make history tables append-only; ``migrations`` installs
  them and starts the head.

Checking it:

- ``checks``: system checks that history cannot be switched off quietly.
- ``reconcile``: live rows against their latest history record.
- ``verification``: one whole verification (what ``verify_audit`` checks) and its record;
  ``tasks``: the Celery tasks that run it in the background and sign periodic checkpoints.
- ``verify_tree``: the log against the records and every checkpoint, for ``verify_audit``, in
  the same pass over the records as the chain's check (``verify_trail``);
  ``verify_export`` (pure): the offline verifier of an export, ``python -m`` runnable.
- ``management/commands``: ``verify_audit`` (every break of the chain, the log against its
  checkpoints, the head against one recorded elsewhere, triggers present and enabled, an erased
  trail, reconciliation), ``flush`` (the one command allowed to empty history tables: for the test
  runner, or with ``--erase-audit-trail``), ``make_audit_key``, ``audit_checkpoint`` and
  ``export_audit``, ``statistics``.

Reading it (the auditors' pages under ``/audit/``):

- ``selectors``: reads of the timeline, an object's history, the whitelist on a date and its diff.
- ``statistics``: the year's transparency statistics, read from the history as of a moment
  (``manage.py statistics``, ``/audit/statistics/``).
- ``charts``: the geometry of the inline SVG charts, no database.
- ``forms``, ``views``, ``urls``, ``exports`` (CSV and JSON); ``proof_views``: the checkpoint and
  the proofs for auditors.
"""
