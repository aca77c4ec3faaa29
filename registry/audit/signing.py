"""Signed notes and checkpoints in the C2SP formats, signed with Ed25519.

A checkpoint (C2SP tlog-checkpoint) is a signed note (C2SP signed-note) whose text is three
lines: the log's origin, the tree size in decimal, and the root hash in base64. The signatures
follow a blank line, one per line: ``— <key name> <base64(key id ‖ signature)>``, where the key
id is the first four bytes of SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ public key) and the signature is
Ed25519 over the text, its final newline included. Keys are written as Go's ``sumdb/note`` writes
them (``PRIVATE+KEY+<name>+<id>+<base64(0x01 ‖ seed)>`` and ``<name>+<id>+<base64(0x01 ‖
public key)>``), so any tool of that ecosystem reads them.

This module imports nothing of Django nor of a database driver: the offline verifier uses it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ED25519 = 0x01
DASH = "\u2014 "
PRIVATE_PREFIX = "PRIVATE+KEY+"


class NoteError(ValueError):
    """A key, note or checkpoint that is malformed, or whose signature does not hold."""


def _b64decode(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as error:
        raise NoteError(f"not base64: {text[:40]!r}") from error


def _check_name(name: str) -> None:
    if not name or any(c.isspace() or c == "+" for c in name):
        raise NoteError(f"a key name has no spaces and no '+': {name!r}")


def key_id(name: str, public: bytes) -> int:
    digest = hashlib.sha256(name.encode() + b"\n" + bytes([ED25519]) + public).digest()
    return int.from_bytes(digest[:4], "big")


@dataclass(frozen=True)
class Verifier:
    name: str
    id: int
    public_key: bytes

    @classmethod
    def parse(cls, text: str) -> Verifier:
        """Reads a verifier key (``name+id+base64``): the first such line of ``text``, so a
        ``.pub`` file that also carries a PEM block is read as it is."""
        for line in text.splitlines():
            line = line.strip()
            if line and not line.startswith("-----") and line.count("+") >= 2:
                name, hex_id, encoded = line.split("+", 2)
                break
        else:
            raise NoteError("no verifier key (name+id+key) found")
        _check_name(name)
        raw = _b64decode(encoded)
        if len(raw) != 33 or raw[0] != ED25519:
            raise NoteError("not an Ed25519 verifier key")
        try:
            id_ = int(hex_id, 16)
        except ValueError as error:
            raise NoteError(f"bad key id {hex_id!r}") from error
        if len(hex_id) != 8 or id_ != key_id(name, raw[1:]):
            raise NoteError(f"the key id of {name} does not match its key")
        return cls(name, id_, raw[1:])

    @property
    def hex_id(self) -> str:
        return f"{self.id:08x}"

    def __str__(self) -> str:
        encoded = base64.b64encode(bytes([ED25519]) + self.public_key).decode()
        return f"{self.name}+{self.hex_id}+{encoded}"

    def pem(self) -> str:
        key = Ed25519PublicKey.from_public_bytes(self.public_key)
        return key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class Signer:
    name: str
    private_key: Ed25519PrivateKey

    @classmethod
    def generate(cls, name: str) -> Signer:
        _check_name(name)
        return cls(name, Ed25519PrivateKey.generate())

    @classmethod
    def parse(cls, text: str) -> Signer:
        text = text.strip()
        if not text.startswith(PRIVATE_PREFIX):
            raise NoteError("not a signing key (PRIVATE+KEY+name+id+key)")
        try:
            name, hex_id, encoded = text[len(PRIVATE_PREFIX) :].split("+", 2)
        except ValueError as error:
            raise NoteError("not a signing key (PRIVATE+KEY+name+id+key)") from error
        _check_name(name)
        raw = _b64decode(encoded)
        if len(raw) != 33 or raw[0] != ED25519:
            raise NoteError("not an Ed25519 signing key")
        signer = cls(name, Ed25519PrivateKey.from_private_bytes(raw[1:]))
        if hex_id != signer.verifier.hex_id:
            raise NoteError(f"the key id of {name} does not match its key")
        return signer

    @property
    def verifier(self) -> Verifier:
        public = self.private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return Verifier(self.name, key_id(self.name, public), public)

    def __str__(self) -> str:
        seed = self.private_key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        encoded = base64.b64encode(bytes([ED25519]) + seed).decode()
        return f"{PRIVATE_PREFIX}{self.name}+{self.verifier.hex_id}+{encoded}"

    def sign_note(self, text: str) -> str:
        if not text.endswith("\n") or "\n\n" in text:
            raise NoteError("a note's text ends with a newline and has no blank line")
        verifier = self.verifier
        signature = self.private_key.sign(text.encode())
        blob = verifier.id.to_bytes(4, "big") + signature
        return f"{text}\n{DASH}{self.name} {base64.b64encode(blob).decode()}\n"


@dataclass(frozen=True)
class Signature:
    name: str
    key_id: int
    signature: bytes

    @property
    def hex_id(self) -> str:
        return f"{self.key_id:08x}"


def split_note(note: str) -> tuple[str, list[Signature]]:
    """The text of a signed note and its signature lines, unverified."""
    cut = note.rfind("\n\n")
    if cut < 0:
        raise NoteError("a signed note has a blank line before its signatures")
    text, block = note[: cut + 1], note[cut + 2 :]
    if not block.endswith("\n"):
        raise NoteError("a signed note ends with a newline")
    signatures = []
    for line in block[:-1].split("\n"):
        if not line.startswith(DASH):
            raise NoteError(f"not a signature line: {line[:60]!r}")
        try:
            name, encoded = line[len(DASH) :].split(" ")
        except ValueError as error:
            raise NoteError(f"not a signature line: {line[:60]!r}") from error
        blob = _b64decode(encoded)
        if len(blob) != 4 + 64:
            raise NoteError(f"not an Ed25519 signature: {line[:60]!r}")
        signatures.append(Signature(name, int.from_bytes(blob[:4], "big"), blob[4:]))
    if not signatures:
        raise NoteError("a signed note has at least one signature")
    return text, signatures


def open_note(note: str, verifiers: list[Verifier]) -> tuple[str, list[Verifier]]:
    """The note's text and the known keys that signed it.

    Signatures by unknown keys are ignored; a signature by a known key that does not hold rejects
    the whole note (C2SP signed-note); a note signed by no known key is rejected.
    """
    text, signatures = split_note(note)
    known = {(v.name, v.id): v for v in verifiers}
    signed_by = []
    for signature in signatures:
        verifier = known.get((signature.name, signature.key_id))
        if verifier is None:
            continue
        if not verifier.verify(text.encode(), signature.signature):
            raise NoteError(
                f"the signature of {signature.name} (key {signature.hex_id}) does not hold: "
                "the checkpoint was forged or altered"
            )
        signed_by.append(verifier)
    if not signed_by:
        names = ", ".join(f"{s.name} (key {s.hex_id})" for s in signatures)
        raise NoteError(f"signed by no key given: {names}")
    return text, signed_by


# --- Checkpoints ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes

    def text(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"

    @classmethod
    def parse_text(cls, text: str) -> Checkpoint:
        lines = text.split("\n")
        if len(lines) < 4 or lines[-1] != "":
            raise NoteError("a checkpoint has an origin, a size and a root hash, one a line")
        origin, size, root = lines[:3]
        if not origin or not size.isdigit() or (size != "0" and size.startswith("0")):
            raise NoteError("a checkpoint's second line is its tree size, in decimal")
        raw = _b64decode(root)
        if len(raw) != 32:
            raise NoteError("a checkpoint's third line is a SHA-256 root hash, in base64")
        return cls(origin, int(size), raw)


def sign_checkpoint(checkpoint: Checkpoint, signer: Signer) -> str:
    return signer.sign_note(checkpoint.text())


def open_checkpoint(note: str, verifiers: list[Verifier]) -> tuple[Checkpoint, list[Verifier]]:
    """A signed checkpoint's content and the known keys that signed it; raises
    :class:`NoteError` when it is malformed, forged or signed by no known key."""
    text, signed_by = open_note(note, verifiers)
    return Checkpoint.parse_text(text), signed_by


def read_checkpoint_unverified(note: str) -> tuple[Checkpoint, list[Signature]]:
    text, signatures = split_note(note)
    return Checkpoint.parse_text(text), signatures


# --- Decision receipts ------------------------------------------------------------------------
#
# A receipt is a JSON document in canonical form (keys sorted, no insignificant space, UTF-8, no
# floating-point number): ``{"receipt": {…}, "signatures": [{"key_name", "key_id",
# "signature"}]}``. Each signature is the signature of a C2SP signed note whose text is the
# receipt's canonical JSON and a newline, written as a note's signature is (base64 of the key id
# and the Ed25519 signature), so the receipt is also the signed note
# ``<canonical receipt>\n\n— <key name> <signature>\n`` that any signed-note tool opens. The
# document must be exactly canonical: any byte changed, added or removed is refused.

RECEIPT_FORMAT = "export-licence-registry/decision-receipt/v1"


def _no_floats(value, path: str = "receipt") -> None:
    if isinstance(value, float):
        raise NoteError(f"{path}: a receipt holds no floating-point number")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise NoteError(f"{path}: keys are text")
            _no_floats(item, f"{path}.{key}")
    elif isinstance(value, list):
        for n, item in enumerate(value):
            _no_floats(item, f"{path}[{n}]")
    elif not (value is None or isinstance(value, str | bool | int)):
        raise NoteError(f"{path}: {type(value).__name__} is not a JSON value of a receipt")


def canonical_json(value) -> bytes:
    """The canonical bytes of a JSON value: sorted keys, no space, UTF-8, no float."""
    _no_floats(value)
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def sign_receipt(receipt: dict, signer: Signer) -> bytes:
    """The signed receipt document, canonical bytes."""
    text = canonical_json(receipt).decode("utf-8") + "\n"
    note = signer.sign_note(text)
    _, signatures = split_note(note)
    return canonical_json(
        {
            "receipt": receipt,
            "signatures": [
                {
                    "key_name": s.name,
                    "key_id": s.hex_id,
                    "signature": base64.b64encode(
                        s.key_id.to_bytes(4, "big") + s.signature
                    ).decode(),
                }
                for s in signatures
            ],
        }
    )


def _refuse_constant(name):
    raise NoteError(f"not canonical JSON: {name}")


def open_receipt(document: bytes, verifiers: list[Verifier]) -> tuple[dict, list[Verifier]]:
    """The receipt a signed document holds and the known keys that signed it; raises
    :class:`NoteError` when it is not canonical, malformed, altered, or signed by no known key.
    One final newline (as a file saved by hand may end) is allowed."""
    body = document[:-1] if document.endswith(b"\n") else document
    try:
        parsed = json.loads(
            body.decode("utf-8"),
            parse_float=lambda text: _refuse_constant(text),
            parse_constant=_refuse_constant,
        )
    except (UnicodeDecodeError, ValueError) as error:
        raise NoteError(f"not a receipt (JSON, UTF-8): {error}") from error
    if not isinstance(parsed, dict) or set(parsed) != {"receipt", "signatures"}:
        raise NoteError("a receipt document holds exactly 'receipt' and 'signatures'")
    receipt, signatures = parsed["receipt"], parsed["signatures"]
    if not isinstance(receipt, dict) or not isinstance(signatures, list) or not signatures:
        raise NoteError("a receipt document holds a receipt object and a list of signatures")
    if canonical_json(parsed) != body:
        raise NoteError(
            "the document is not in canonical form: it was changed or reformatted after signing"
        )
    if receipt.get("format") != RECEIPT_FORMAT:
        raise NoteError(f"not a decision receipt of format {RECEIPT_FORMAT}")
    lines = []
    for item in signatures:
        if not isinstance(item, dict) or set(item) != {"key_name", "key_id", "signature"}:
            raise NoteError("a signature holds key_name, key_id and signature")
        if not all(isinstance(v, str) for v in item.values()):
            raise NoteError("a signature's fields are text")
        lines.append(f"{DASH}{item['key_name']} {item['signature']}")
    text = canonical_json(receipt).decode("utf-8") + "\n"
    note = text + "\n" + "\n".join(lines) + "\n"
    _, found = split_note(note)
    for item, signature in zip(signatures, found, strict=True):
        if item["key_id"] != signature.hex_id:
            raise NoteError("a signature's key_id differs from the key id it carries")
    _, signed_by = open_note(note, verifiers)
    return receipt, signed_by
