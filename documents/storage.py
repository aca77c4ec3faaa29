"""Where documents' bytes go, and what the bytes are.

The type of a file is read from its first bytes, never from its name or the type the sender
declared: a file named ``.pdf`` that does not start like a PDF is refused. Its SHA-256 and size
are counted while it streams into the storage, so the digest on record is that of the bytes
stored, read once.
"""

from __future__ import annotations

import hashlib
import io
import os
import uuid

from django.core.files import File
from django.core.files.storage import storages

from documents.models import ContentType

# The signatures of the accepted types: a file must begin with one of them.
SIGNATURES = (
    (b"%PDF-", ContentType.PDF),
    (b"\x89PNG\r\n\x1a\n", ContentType.PNG),
    (b"\xff\xd8\xff", ContentType.JPEG),
)
EXTENSIONS = {ContentType.PDF: ".pdf", ContentType.PNG: ".png", ContentType.JPEG: ".jpg"}
HEAD_BYTES = 8


def storage():
    return storages["documents"]


def sniff(head: bytes) -> str | None:
    """The content type the first bytes of a file show, or None for anything not accepted."""
    for signature, content_type in SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


def read_head(file) -> bytes:
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    return head


class HashingFile(File):
    """A file whose bytes are hashed and counted as the storage reads them, by ``chunks()`` (the
    local folder) or ``read()`` (S3). Going back to the start begins the count again."""

    def __init__(self, file, name=None):
        super().__init__(file, name)
        self._restart()

    def _restart(self):
        self.digest = hashlib.sha256()
        self.counted = 0

    def _count(self, data: bytes) -> bytes:
        self.digest.update(data)
        self.counted += len(data)
        return data

    def seek(self, offset, whence=io.SEEK_SET):
        if offset == 0 and whence == io.SEEK_SET:
            self._restart()
        return self.file.seek(offset, whence)

    def read(self, size=-1):
        return self._count(self.file.read(size))

    def chunks(self, chunk_size=None):
        self.seek(0)
        size = chunk_size or self.DEFAULT_CHUNK_SIZE
        while data := self.file.read(size):
            yield self._count(data)

    @property
    def sha256(self) -> str:
        return self.digest.hexdigest()


def store(file, content_type: str) -> tuple[str, str, int]:
    """Writes ``file`` under a new unique name: ``(name, sha256, size)`` of what was stored."""
    hashing = HashingFile(file)
    name = f"{uuid.uuid4().hex}{EXTENSIONS[content_type]}"
    stored = storage().save(name, hashing)
    return stored, hashing.sha256, hashing.counted


def delete(name: str) -> None:
    storage().delete(name)


def open_stored(name: str):
    return storage().open(name, "rb")


def exists(name: str) -> bool:
    return storage().exists(name)


def stored_names() -> list[str]:
    """Every file in the storage's top folder (documents are written there, flat)."""
    try:
        _, files = storage().listdir("")
    except FileNotFoundError:  # nothing stored yet
        return []
    return [name for name in files if not name.startswith(".") and os.sep not in name]
