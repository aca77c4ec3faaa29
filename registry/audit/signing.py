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
