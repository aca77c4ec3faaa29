"""Checkpoints kept outside the database, compared with the log the database holds now.

``audit_checkpoint --out DIR`` writes each checkpoint into a folder the database's administrators
cannot rewrite (``AUDIT_CHECKPOINT_DIR``). A database restored from a backup older than the newest
of them holds fewer records than that checkpoint signs: the records written since the backup are
gone, and nothing inside the database can show it. This module finds the newest kept checkpoint
and says how the stored log stands against it; ``verify_audit --checkpoint DIR`` and the auditors'
integrity page use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from registry.audit import checkpoints, signing, tree


def newest(folder: Path) -> Path | None:
    """The kept checkpoint of the largest tree: ``write_out`` names them
    ``checkpoint-<size, 12 digits>-<id>.txt``, so the last name in order is the newest."""
    names = sorted(Path(folder).glob("checkpoint-*.txt"))
    return names[-1] if names else None


@dataclass(frozen=True)
class Comparison:
    path: str
    kept_size: int = 0
    stored_size: int = 0
    problem: str = ""

    @property
    def missing(self) -> int:
        return max(self.kept_size - self.stored_size, 0)

    @property
    def ok(self) -> bool:
        return not self.problem


def compare(folder: str | Path) -> Comparison | None:
    """The newest checkpoint in ``folder`` against the stored log; None when it holds none.

    Cheap enough for a page: one file read and verified, and at most one root read from the
    stored tree (a few dozen nodes). The full check of every record is ``verify_audit``'s."""
    path = newest(Path(folder))
    if path is None:
        return None
    stored = tree.size()
    try:
        head, _ = signing.open_checkpoint(path.read_text(), checkpoints.verifiers())
    except (OSError, UnicodeDecodeError, signing.NoteError) as error:
        return Comparison(str(path), stored_size=stored, problem=f"cannot be verified: {error}")
    result = Comparison(str(path), kept_size=head.size, stored_size=stored)
    if head.size > stored:
        missing = head.size - stored
        return Comparison(
            str(path),
            kept_size=head.size,
            stored_size=stored,
            problem=(
                f"it signs {head.size} records but the log holds {stored}: {missing} "
                f"record{'s' if missing != 1 else ''} missing (the database was restored from "
                "an older backup, or its tail was cut)"
            ),
        )
    if head.size and tree.root(head.size) != head.root:
        return Comparison(
            str(path),
            kept_size=head.size,
            stored_size=stored,
            problem=f"the log's first {head.size} records do not hash to the root it signed",
        )
    return result
