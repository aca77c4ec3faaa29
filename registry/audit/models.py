"""The chain's head: the one row the trail keeps besides the history tables themselves."""

from django.db import models


class AuditChainHead(models.Model):
    """The end of the tamper-evident chain over every history table (a single row).

    A writer locks it to take the next sequence number, so concurrent writers never fork the chain.
    The table keeps the name it had when the model lived in the ``registry`` app.
    """

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="")

    class Meta:
        db_table = "registry_auditchainhead"


class AppendOnlyError(RuntimeError):
    """Something tried to change or remove a node of the Merkle log or a checkpoint."""


class _AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model._meta.label} is append-only (update refused).")

    def delete(self):
        raise AppendOnlyError(f"{self.model._meta.label} is append-only (delete refused).")

    delete.queryset_only = True


class _AppendOnly(models.Model):
    objects = _AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{self._meta.label} is append-only (save of a stored row).")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{self._meta.label} is append-only (delete refused).")


class TreeNode(_AppendOnly):
    """One perfect subtree of the Merkle log over every history record (``registry.audit.tree``).

    ``(level, index)`` covers the records at positions ``index·2^level`` to
    ``(index+1)·2^level - 1`` (position = ``audit_seq`` - 1); level 0 holds the leaf hashes.
    Written in the transaction that writes the records, append-only like them.
    """

    pk = models.CompositePrimaryKey("level", "index")
    level = models.PositiveSmallIntegerField()
    index = models.BigIntegerField()
    hash = models.BinaryField(max_length=32)

    class Meta:
        db_table = "audit_tree_node"


class Checkpoint(_AppendOnly):
    """A signed tree head: the size and root of the Merkle log, signed with the agency's key.

    ``note`` is the whole C2SP checkpoint as signed, the one text auditors keep; the other fields
    repeat what it says so the pages can read it. ``key_id`` names the key that signed it, so
    checkpoints signed before a key rotation still verify with the old public key.
    """

    tree_size = models.BigIntegerField()
    root_hash = models.BinaryField(max_length=32)
    origin = models.CharField(max_length=200)
    key_name = models.CharField(max_length=200)
    key_id = models.CharField(max_length=8)
    note = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        db_table = "audit_checkpoint"
        indexes = [models.Index(fields=["tree_size"], name="audit_checkpoint_size")]


class DecisionReceipt(_AppendOnly):
    """The signed receipt of one decision on an application (``registry.audit.receipts``).

    ``document`` is the signed receipt exactly as it is served (canonical JSON); the other fields
    repeat what it says so it can be found. ``subject`` is the application's reference; an
    application has one receipt per decision taken on it (a refusal, then the decision on appeal).
    """

    subject = models.CharField(max_length=40)
    decision = models.CharField(max_length=40)
    document = models.TextField()
    key_name = models.CharField(max_length=200)
    key_id = models.CharField(max_length=8)
    tree_size = models.BigIntegerField()
    root_hash = models.BinaryField(max_length=32)
    created_at = models.DateTimeField()

    class Meta:
        db_table = "audit_decision_receipt"
        indexes = [models.Index(fields=["subject", "id"], name="audit_receipt_subject")]


class VerificationRun(_AppendOnly):
    """One run of the trail's verification (``verify_audit``, the auditors' button, a schedule)
    and what it found: the integrity page shows the latest."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    ok = models.BooleanField()
    records = models.BigIntegerField(help_text="History records checked.")
    checkpoints = models.IntegerField(default=0, help_text="Signed checkpoints checked.")
    problems = models.TextField(blank=True, help_text="Each problem found, one a line.")
    requested_by = models.CharField(max_length=150, blank=True)
    source = models.CharField(max_length=20, help_text="command, button or schedule.")

    class Meta:
        db_table = "audit_verification_run"
        indexes = [models.Index(fields=["finished_at"], name="audit_verification_finished")]
