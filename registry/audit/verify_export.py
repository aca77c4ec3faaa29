"""Verifies an audit export offline, without the registry: ``python -m
registry.audit.verify_export DIR --public-key FILE [--checkpoint OLD]``.

Needs only Python and the ``cryptography`` package: no Django, no database, no ``AUDIT_KEY``. It
rebuilds the Merkle tree from ``DIR/records.jsonl`` (each line is a record's canonical bytes; its
leaf is SHA-256(0x00 ‖ line)), checks every signed checkpoint of ``DIR/checkpoints/`` with the
public keys given, and checks that the records hash to each checkpoint's root. With
``--checkpoint OLD`` (a checkpoint the auditor kept from earlier) it proves that the exported log
extends the one that checkpoint signed: not cut, not rewritten since.

``--receipt FILE`` (repeatable) checks a decision receipt: its canonical form and its signature;
with an export, also that the export extends the log head the receipt signed. Without ``DIR`` only
the receipts are checked.

Each problem is printed on its own line with its kind in brackets (``[edited record]``,
``[removed record]``, ``[reordered records]``, ``[duplicated record]``, ``[tail cut]``,
``[forged checkpoint]``, ``[rewritten after checkpoint]``, ``[forged receipt]``, ``[rewritten
after receipt]``, ``[malformed]``); the exit status is
0 when the export verifies, 1 when it does not, 2 when it cannot be read.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from registry.audit import merkle, signing

_SEQ = re.compile(rb'\["[^"\\]*",(\d+),')
MAX_LISTED = 10


@dataclass
class Result:
    records: int = 0
    root: bytes = merkle.EMPTY_ROOT
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def fail(self, kind: str, message: str) -> None:
        self.problems.append(f"[{kind}] {message}")

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Signed:
    label: str
    head: signing.Checkpoint
    kept: bool


def _ranges(numbers: list[int]) -> str:
    parts, start = [], None
    for i, n in enumerate(numbers):
        if start is None:
            start = n
        if i + 1 == len(numbers) or numbers[i + 1] != n + 1:
            parts.append(str(start) if start == n else f"{start}-{n}")
            start = None
    shown = ", ".join(parts[:MAX_LISTED])
    return shown + (
        f" and {len(parts) - MAX_LISTED} more ranges" if len(parts) > MAX_LISTED else ""
    )


def _open(label: str, note: str, verifiers, result: Result, *, kept: bool) -> Signed | None:
    try:
        head, signed_by = signing.open_checkpoint(note, verifiers)
    except signing.NoteError as error:
        if not kept and "signed by no key given" in str(error):
            result.notes.append(f"{label}: not checked, {error}")
            return None
        result.fail("forged checkpoint", f"{label}: {error}")
        return None
    names = ", ".join(f"{v.name} ({v.hex_id})" for v in signed_by)
    result.notes.append(f"{label}: size {head.size}, signature by {names} holds")
    return Signed(label, head, kept)


def _read_records(path: Path, sizes: set[int], result: Result) -> dict[int, bytes]:
    """Streams the records once: leaf hashes into the tree, the root at each checkpoint's size,
    and every record's sequence number against its position."""
    roots = {0: merkle.EMPTY_ROOT}
    builder = merkle.TreeBuilder()
    append, leaf = builder.append, merkle.leaf_hash
    seen = bytearray(1 << 16)
    previous = highest = position = 0
    reordered = []
    with path.open("rb") as handle:
        for line in handle:
            position += 1
            content = line[:-1] if line.endswith(b"\n") else line
            match = _SEQ.match(content)
            if match is None:
                result.fail("malformed", f"line {position} is not a canonical record")
            else:
                seq = int(match.group(1))
                if seq >= len(seen):
                    seen.extend(bytes(max(seq + 1 - len(seen), len(seen))))
                if seen[seq]:
                    result.fail(
                        "duplicated record", f"record {seq} appears again on line {position}"
                    )
                elif seq <= previous:
                    reordered.append((position, seq, previous))
                seen[seq] = 1
                previous = seq
                highest = max(highest, seq)
            append(leaf(content))
            if position in sizes:
                roots[position] = builder.root()
    result.records, result.root = builder.size, builder.root()
    missing = []
    gap = seen.find(0, 1, highest + 1)
    while gap >= 0 and len(missing) < 100_000:
        missing.append(gap)
        gap = seen.find(0, gap + 1, highest + 1)
    if missing:
        many = len(missing) > 1
        result.fail(
            "removed record",
            f"record{'s' if many else ''} {_ranges(missing)} {'are' if many else 'is'} missing "
            "from the export",
        )
    for position, seq, after in reordered[:MAX_LISTED]:
        result.fail(
            "reordered records", f"record {seq} comes after record {after} (line {position})"
        )
    return roots


def _open_receipts(paths: list[Path], verifiers, result: Result) -> list[Signed]:
    """Each receipt's signature and form; the log head it signed, to check against an export."""
    heads = []
    for path in paths:
        label = f"receipt {path}"
        try:
            receipt, signed_by = signing.open_receipt(path.read_bytes(), verifiers)
            log = receipt["log"]
            root = base64.b64decode(log["root"], validate=True)
            head = signing.Checkpoint(receipt["origin"], int(log["tree_size"]), root)
        except signing.NoteError as error:
            result.fail("forged receipt", f"{label}: {error}")
            continue
        except (KeyError, TypeError, ValueError, binascii.Error) as error:
            result.fail("malformed", f"{label}: no log head ({error})")
            continue
        names = ", ".join(f"{v.name} ({v.hex_id})" for v in signed_by)
        result.notes.append(
            f"{label}: {receipt.get('decision')} of {receipt.get('subject')} at "
            f"{receipt.get('decided_at')} by {receipt.get('decided_by')}, log size {head.size}; "
            f"signature by {names} holds"
        )
        heads.append(Signed(label, head, kept=True))
    return heads


def verify_receipts(receipts: list[Path], public_keys: list[Path]) -> Result:
    """Receipts alone, without an export: their form and signatures."""
    result = Result()
    verifiers = [signing.Verifier.parse(path.read_text()) for path in public_keys]
    _open_receipts(receipts, verifiers, result)
    return result


def verify(
    directory: Path, public_keys: list[Path], kept: list[Path], receipts: list[Path] = ()
) -> Result:
    result = Result()
    verifiers = [signing.Verifier.parse(path.read_text()) for path in public_keys]
    signed: list[Signed] = []
    for path in sorted((directory / "checkpoints").glob("*.txt")):
        found = _open(f"checkpoint {path.name}", path.read_text(), verifiers, result, kept=False)
        if found:
            signed.append(found)
    for path in kept:
        found = _open(f"kept checkpoint {path}", path.read_text(), verifiers, result, kept=True)
        if found:
            signed.append(found)
    signed += _open_receipts(list(receipts), verifiers, result)
    if not any(not s.kept for s in signed):
        result.fail(
            "forged checkpoint",
            "no checkpoint of the export carries a valid signature by the keys given",
        )
    origins = {s.head.origin for s in signed}
    if len(origins) > 1:
        result.fail("forged checkpoint", f"checkpoints of different logs: {sorted(origins)}")

    sequence_trouble = len(result.problems)
    roots = _read_records(directory / "records.jsonl", {s.head.size for s in signed}, result)
    sequence_trouble = len(result.problems) > sequence_trouble
    count = result.records

    matched = [0]
    for item in sorted(signed, key=lambda s: s.head.size):
        head = item.head
        if head.size > count:
            missing = head.size - count
            result.fail(
                "tail cut",
                f"{item.label} signs {head.size} records but the export holds {count}: "
                f"{missing} record{'s' if missing != 1 else ''} missing",
            )
        elif roots.get(head.size) != head.root:
            if item.label.startswith("receipt "):
                result.fail(
                    "rewritten after receipt",
                    f"the export's first {head.size} records do not hash to the root the "
                    f"{item.label} signed: the log was rewritten after that decision",
                )
            elif item.kept:
                result.fail(
                    "rewritten after checkpoint",
                    f"the export's first {head.size} records do not hash to the root of the "
                    f"{item.label}: the log was rewritten after it",
                )
            else:
                kind = "does not match checkpoint" if sequence_trouble else "edited record"
                result.fail(
                    kind,
                    f"the export's first {head.size} records do not hash to the root signed by "
                    f"{item.label}: a record among records {max(matched) + 1}-{head.size} was "
                    "changed",
                )
        else:
            matched.append(head.size)
    latest = max((s.head.size for s in signed if not s.kept), default=0)
    if count > latest:
        result.notes.append(
            f"records {latest + 1}-{count} were written after the latest checkpoint: no signature "
            "covers them yet"
        )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m registry.audit.verify_export",
        description="Verifies an audit export (manage.py export_audit) without the registry.",
    )
    parser.add_argument(
        "directory",
        type=Path,
        nargs="?",
        help="An export (manage.py export_audit DIR); optional when only receipts are checked.",
    )
    parser.add_argument(
        "--public-key",
        type=Path,
        action="append",
        required=True,
        help="The agency's public key (FILE.pub); repeat it for keys of earlier checkpoints.",
    )
    parser.add_argument(
        "--checkpoint",
        type=Path,
        action="append",
        default=[],
        help="A signed checkpoint you kept earlier: the export must extend it.",
    )
    parser.add_argument(
        "--receipt",
        type=Path,
        action="append",
        default=[],
        help=(
            "A decision receipt (GET …/applications/{reference}/receipt/): its signature, and "
            "with an export, that the export extends the log head it signed."
        ),
    )
    args = parser.parse_args(argv)
    if args.directory is None and not args.receipt:
        parser.error("give an export DIR, a --receipt FILE, or both")
    started = time.perf_counter()
    try:
        if args.directory is None:
            result = verify_receipts(args.receipt, args.public_key)
        else:
            result = verify(args.directory, args.public_key, args.checkpoint, args.receipt)
    except (OSError, UnicodeDecodeError, signing.NoteError) as error:
        print(f"cannot verify: {error}", file=sys.stderr)
        return 2
    seconds = time.perf_counter() - started
    for note in result.notes:
        print(f"  {note}")
    for problem in result.problems:
        print(problem)
    rate = f"{result.records / seconds:,.0f} records/s" if seconds > 0 else ""
    summary = f"{result.records} records, root {result.root.hex()}, {seconds:.2f} s ({rate})"
    if args.directory is None:
        summary = f"{len(args.receipt)} receipt{'s' if len(args.receipt) != 1 else ''}"
    if result.ok:
        print(f"VERIFIED: {summary}")
        return 0
    print(f"FAILED: {len(result.problems)} problem(s); {summary}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
