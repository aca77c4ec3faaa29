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
