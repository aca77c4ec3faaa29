"""Signed checkpoints of the Merkle log: signing the tree head, storing it, and the trusted keys.

A checkpoint commits the agency to the size and root of the log at a moment. Kept outside the
database (``audit_checkpoint --out``, an auditor's own copy), it is what reveals a later cut or
rewrite that the database alone could hide: nobody can sign a checkpoint without the key, and no
rewritten log is consistent with a checkpoint signed before the rewrite.
"""

from __future__ import annotations

import functools
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from registry.audit import chain, signing, tree
from registry.audit.models import AuditChainHead, Checkpoint


@functools.lru_cache(maxsize=4)
def _read_signer(path: str, modified: float) -> signing.Signer:
    return signing.Signer.parse(Path(path).read_text())


def signer() -> signing.Signer:
    """The key that signs new checkpoints (``AUDIT_SIGNING_KEY_FILE``)."""
    path = Path(settings.AUDIT_SIGNING_KEY_FILE)
    try:
        modified = path.stat().st_mtime
    except OSError as error:
        raise ImproperlyConfigured(
            f"The audit signing key {path} cannot be read ({error.strerror}); write one with "
            "`manage.py make_audit_key FILE` and set AUDIT_SIGNING_KEY_FILE."
        ) from error
    try:
        return _read_signer(str(path), modified)
    except signing.NoteError as error:
        raise ImproperlyConfigured(f"The audit signing key {path} is not valid: {error}") from error


def verifiers() -> list[signing.Verifier]:
    """The public keys a stored checkpoint may be signed with: the current key's and those of
    earlier keys (``AUDIT_PUBLIC_KEY_FILES``)."""
    keys = [signer().verifier]
    for name in settings.AUDIT_PUBLIC_KEY_FILES:
        try:
            keys.append(signing.Verifier.parse(Path(name).read_text()))
        except (OSError, signing.NoteError) as error:
            raise ImproperlyConfigured(f"AUDIT_PUBLIC_KEY_FILES: {name}: {error}") from error
    return keys


def latest() -> Checkpoint | None:
    return Checkpoint.objects.order_by("-tree_size", "-id").first()


@transaction.atomic
def sign(*, force: bool = False) -> tuple[Checkpoint, bool]:
    """Signs the log's current head and stores the checkpoint. Returns it, and whether it is new:
    when nothing was written since the latest checkpoint by the same key, that one is returned.

    The chain's head is locked while the head is read, so the size and root signed are those of
    one committed state; a log older than its records is completed first.
    """
    key = signer()
    head = AuditChainHead.objects.select_for_update().filter(pk=chain.HEAD_PK).first()
    size = head.last_seq if head else 0
    if tree.size() < size:
        tree.append(size, [], backfill=chain.leaves_between)
    previous = latest()
    if (
        not force
        and previous is not None
        and previous.tree_size == size
        and previous.key_id == key.verifier.hex_id
    ):
        return previous, False
    root = tree.root(size)
    head_text = signing.Checkpoint(settings.AUDIT_LOG_ORIGIN, size, root)
    checkpoint = Checkpoint.objects.create(
        tree_size=size,
        root_hash=root,
        origin=head_text.origin,
        key_name=key.name,
        key_id=key.verifier.hex_id,
        note=signing.sign_checkpoint(head_text, key),
        created_at=timezone.now(),
    )
    return checkpoint, True


def write_out(checkpoint: Checkpoint, destination: Path) -> Path:
    """Writes the signed note to a file, or into a directory as ``checkpoint-<size>.txt``."""
    if destination.is_dir():
        destination = destination / f"checkpoint-{checkpoint.tree_size:012d}-{checkpoint.pk}.txt"
    destination.write_text(checkpoint.note)
    return destination
