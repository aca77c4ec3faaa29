"""Decision receipts: what was decided, on what, by whom, and where the audit log stood then,
signed with the agency's audit key (``AUDIT_SIGNING_KEY_FILE``).

The base layer: it takes the decision as plain data (the apps build it; ``licenses.receipts``
for applications) and imports no app. :func:`issue` runs inside the decision's transaction,
after its history records: the tree size and root it signs are those of the log with the
decision in it, so a receipt also commits the agency to every record written before it, and a
later export of the trail must extend that root (``verify_export --receipt``).

The document's format is in ``registry.audit.signing`` (canonical JSON, Ed25519, the signature
of a C2SP signed note); ``python -m registry.audit.verify_export --receipt FILE --public-key KEY``
checks one offline.
"""

from __future__ import annotations

import base64
import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from registry.audit import chain, checkpoints, signing, tree
from registry.audit.models import AuditChainHead, DecisionReceipt

# The keys every receipt carries; features that add facts to decisions fill theirs (documents'
# hashes, screening snapshots, criteria, conditions) and leave the others empty, never absent.
DECISION_KEYS = (
    "application",
    "criteria",
    "conditions",
    "decided_at",
    "decided_by",
    "documents",
    "licence",
    "outcome",
    "parties",
    "product",
    "reason",
    "rules",
    "screening_snapshots",
    "vendor",
    "destination",
    "whitelist_revision",
)


@dataclass(frozen=True)
class Decision:
    """One decision, as plain JSON-ready data: ``subject`` (the application's reference),
    ``kind`` (``approval``, ``refusal``, ``intake_refusal``, ``revision_refusal``, an appeal's
    outcome …) and ``facts``, a dict with the :data:`DECISION_KEYS`."""

    subject: str
    kind: str
    facts: dict


def moment(value: datetime.datetime | None) -> str | None:
    """A time as receipts write it: UTC, to the microsecond, ``Z``."""
    if value is None:
        return None
    value = value.astimezone(datetime.UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _head() -> tuple[int, bytes]:
    """The log's size and root now, in the caller's transaction (after its records)."""
    size = (
        AuditChainHead.objects.filter(pk=chain.HEAD_PK).values_list("last_seq", flat=True).first()
        or 0
    )
    return size, tree.root(size)


def issue_many(decisions: Iterable[Decision]) -> list[DecisionReceipt]:
    """Signs and stores a receipt for each decision, against one head of the log. Call it in the
    transaction of the decisions, after their history records."""
    decisions = list(decisions)
    if not decisions:
        return []
    key = checkpoints.signer()
    size, root = _head()
    now = timezone.now()
    rows = []
    for decision in decisions:
        missing = [name for name in DECISION_KEYS if name not in decision.facts]
        if missing:
            raise ValueError(f"a decision receipt lacks {', '.join(missing)}")
        receipt = {
            **decision.facts,
            "format": signing.RECEIPT_FORMAT,
            "origin": settings.AUDIT_LOG_ORIGIN,
            "subject": decision.subject,
            "decision": decision.kind,
            "issued_at": moment(now),
            "log": {"tree_size": size, "root": base64.b64encode(root).decode()},
        }
        document = signing.sign_receipt(receipt, key)
        rows.append(
            DecisionReceipt(
                subject=decision.subject,
                decision=decision.kind,
                document=document.decode("utf-8"),
                key_name=key.name,
                key_id=key.verifier.hex_id,
                tree_size=size,
                root_hash=root,
                created_at=now,
            )
        )
    return DecisionReceipt.objects.bulk_create(rows)


def issue(decision: Decision) -> DecisionReceipt:
    return issue_many([decision])[0]


def latest(subject: str) -> DecisionReceipt | None:
    """The receipt of the latest decision on ``subject``."""
    return DecisionReceipt.objects.filter(subject=subject).order_by("-id").first()
