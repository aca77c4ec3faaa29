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
