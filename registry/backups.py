"""Backups that restore and verify: the PostgreSQL dump, the stored files and a signed checkpoint.

A backup is a folder::

    manifest.json        what is in it, with the SHA-256 and size of every other file
    database.dump        pg_dump's custom format (restored with pg_restore)
    checkpoint.txt       a checkpoint of the audit log signed when the backup was taken
    audit-signing.pub    the public key that checkpoint verifies with
    files/<storage>/...  every file of the documents storage and of the default (MEDIA_ROOT) one

Consistency: the checkpoint is signed first, then pg_dump takes one snapshot of the whole
database (a single repeatable-read transaction), then the files are copied. Every record the
checkpoint signs was committed before the dump began, so the dump holds it; every document row in
the dump was committed after its file was stored, and files are never changed or removed, so the
copy that follows finds it. The copy may hold a few files more than the dump names (uploads that
arrived meanwhile): harmless, and ``purge_orphan_documents`` would remove them after a restore.

A restore verifies the manifest before it touches anything, then restores into a database that
must not exist yet and a media folder that must be empty: it never overwrites the live ones.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.core.files.storage import FileSystemStorage, storages
from django.db import connection

from registry.audit import checkpoints

FORMAT = 1
MANIFEST = "manifest.json"
DUMP = "database.dump"
CHECKPOINT = "checkpoint.txt"
PUBLIC_KEY = "audit-signing.pub"
FILES = "files"
# The storages backed up, in this order; a file reachable through two of them (the documents
# folder inside MEDIA_ROOT) is kept once, under the first.
STORAGE_ALIASES = ("documents", "default")
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class Server:
    """Where pg_dump and pg_restore connect: Django's connection settings of a PostgreSQL."""

    host: str
    port: str
    user: str
    password: str
    name: str

    @classmethod
    def of(cls, settings_dict: dict) -> Server:
        return cls(
            host=str(settings_dict.get("HOST") or ""),
            port=str(settings_dict.get("PORT") or ""),
            user=str(settings_dict.get("USER") or ""),
            password=str(settings_dict.get("PASSWORD") or ""),
            name=str(settings_dict["NAME"]),
        )

    def args(self, *, dbname: str | None = None) -> list[str]:
        args = []
        if self.host:
            args += ["--host", self.host]
        if self.port:
            args += ["--port", self.port]
        if self.user:
            args += ["--username", self.user]
        return [*args, "--no-password", "--dbname", dbname or self.name]

    def env(self) -> dict:
        env = dict(os.environ)
        if self.password:
            env["PGPASSWORD"] = self.password
        return env


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _require_postgresql() -> None:
    if connection.vendor != "postgresql":
        raise BackupError(
            f"backup and restore work on PostgreSQL; this database is {connection.vendor}. "
            "For the SQLite quick start, stop the server and copy the database file and "
            "MEDIA_ROOT together (docs/operations.md, 'Backups')."
        )


def _client_major(tool: str) -> int:
    try:
        out = subprocess.run(
            [tool, "--version"], capture_output=True, text=True, check=True, timeout=30
        ).stdout
    except (OSError, subprocess.CalledProcessError) as error:
        raise BackupError(
            f"{tool} is not available ({error}): install postgresql-client."
        ) from error
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    if match is None:
        raise BackupError(f"cannot read the version of {tool}: {out.strip()!r}")
    return int(match[1])


def server_major() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        return int(cursor.fetchone()[0]) // 10000


def check_client(tool: str) -> int:
    """The major version of ``tool``; refused when it is older than the server's (pg_dump cannot
    dump a newer server), or when it is newer (its archive would not restore on this server)."""
    client, server = _client_major(tool), server_major()
    if client != server:
        raise BackupError(
            f"{tool} is version {client} but the server is PostgreSQL {server}: "
            f"use the client tools of version {server}."
        )
    return client


def storage_files(alias: str) -> Iterator[str]:
    """Every file name in a storage, walked through the storage's own listing."""
    storage = storages[alias]
    pending = [""]
    while pending:
        folder = pending.pop()
        try:
            folders, files = storage.listdir(folder)
        except FileNotFoundError:
            continue
        for name in sorted(files):
            yield f"{folder}/{name}" if folder else name
        pending.extend(f"{folder}/{sub}" if folder else sub for sub in sorted(folders))


def _local_path(alias: str, name: str) -> str | None:
    storage = storages[alias]
    if isinstance(storage, FileSystemStorage):
        return os.path.realpath(storage.path(name))
    return None


def _copy_hashing(source, target: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("xb") as out:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return digest.hexdigest(), size


def _applied_migrations() -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        applied: dict[str, list[str]] = {}
        for app, name in cursor.fetchall():
            applied.setdefault(app, []).append(name)
    return applied


def backup(folder: Path, *, log=print) -> dict:
    """Writes a backup into ``folder`` (new or empty) and returns its manifest."""
    _require_postgresql()
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty: a backup goes into a new folder.")
    dump_version = check_client("pg_dump")
    folder.mkdir(parents=True, exist_ok=True)
    started = datetime.datetime.now(datetime.UTC)

    # 1. The checkpoint first: everything it signs is committed before the dump's snapshot.
    checkpoint, _ = checkpoints.sign()
    (folder / CHECKPOINT).write_text(checkpoint.note)
    (folder / PUBLIC_KEY).write_text(str(checkpoints.signer().verifier) + "\n")
    log(f"Checkpoint: tree size {checkpoint.tree_size}, key {checkpoint.key_id}.")

    # 2. One consistent snapshot of the database.
    server = Server.of(connection.settings_dict)
    result = subprocess.run(
        ["pg_dump", "--format=custom", "--file", str(folder / DUMP), *server.args()],
        env=server.env(),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    log(f"Database {server.name}: dumped ({(folder / DUMP).stat().st_size} bytes).")

    # 3. The stored files, hashed as they are copied.
    files: dict[str, dict] = {}
    seen: set[str] = set()
    for alias in STORAGE_ALIASES:
        storage, count = storages[alias], 0
        for name in storage_files(alias):
            local = _local_path(alias, name)
            if local is not None:
                if local in seen:
                    continue
                seen.add(local)
            relative = f"{FILES}/{alias}/{name}"
            with storage.open(name, "rb") as source:
                digest, size = _copy_hashing(source, folder / relative)
            files[relative] = {"sha256": digest, "size": size}
            count += 1
        log(f"Storage {alias}: {count} file(s).")

    for name in (DUMP, CHECKPOINT, PUBLIC_KEY):
        path = folder / name
        files[name] = {"sha256": sha256_of(path), "size": path.stat().st_size}
    manifest = {
        "format": FORMAT,
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "database": {
            "name": server.name,
            "server_major_version": server_major(),
            "pg_dump_major_version": dump_version,
            "migrations": _applied_migrations(),
        },
        "checkpoint": {
            "tree_size": checkpoint.tree_size,
            "root_hash": bytes(checkpoint.root_hash).hex(),
            "key_id": checkpoint.key_id,
            "origin": checkpoint.origin,
        },
        "files": dict(sorted(files.items())),
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    log(f"Manifest: {len(files)} files, SHA-256 {sha256_of(folder / MANIFEST)}.")
    return manifest


def verify(folder: Path) -> dict:
    """Checks every file against the manifest; returns the manifest or raises ``BackupError``
    naming every missing, changed or unlisted file."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"{folder / MANIFEST} cannot be read: {error}") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    problems = []
    listed = manifest.get("files", {})
    for relative, expected in listed.items():
        path = folder / relative
        if not path.resolve().is_relative_to(folder.resolve()):
            problems.append(f"{relative}: outside the backup folder")
        elif not path.is_file():
            problems.append(f"{relative}: missing")
        elif path.stat().st_size != expected["size"] or sha256_of(path) != expected["sha256"]:
            problems.append(f"{relative}: does not match its SHA-256 in the manifest")
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.is_file() and relative != MANIFEST and relative not in listed:
            problems.append(f"{relative}: not in the manifest")
    if problems:
        lines = "\n".join(f"  {p}" for p in problems)
        raise BackupError(f"the backup in {folder} does not verify:\n{lines}")
    return manifest


def _maintenance_connection(server: Server):
    import psycopg2

    conn = psycopg2.connect(
        host=server.host or None,
        port=server.port or None,
        user=server.user or None,
        password=server.password or None,
        dbname="postgres",
    )
    conn.autocommit = True
    return conn


def restore(
    folder: Path, *, database: str, media_root: Path, no_owner: bool = False, log=print
) -> dict:
    """Restores the backup in ``folder`` into a new database ``database`` on the configured
    server and a new (or empty) ``media_root``; returns the manifest."""
    _require_postgresql()
    folder, media_root = Path(folder), Path(media_root)
    manifest = verify(folder)
    log(f"Manifest verified: {len(manifest['files'])} files.")
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", database):
        raise BackupError("the database name takes letters, digits and underscores only.")
    if media_root.exists() and any(media_root.iterdir()):
        raise BackupError(f"{media_root} is not empty: restore into a new media folder.")
    check_client("pg_restore")
    server = Server.of(connection.settings_dict)
    conn = _maintenance_connection(server)
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
            if cursor.fetchone():
                raise BackupError(
                    f"database {database} exists: a restore goes into a new database."
                )
            cursor.execute(f'CREATE DATABASE "{database}"')
    finally:
        conn.close()
    command = [
        "pg_restore",
        "--exit-on-error",
        "--single-transaction",
        *server.args(dbname=database),
    ]
    if no_owner:
        command += ["--no-owner", "--no-privileges"]
    result = subprocess.run(
        [*command, str(folder / DUMP)], env=server.env(), capture_output=True, text=True
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore into {database} failed: {result.stderr.strip()}")
    log(f"Database {database}: restored.")

    media_root.mkdir(parents=True, exist_ok=True)
    # The documents go where the default settings look for them under the new MEDIA_ROOT.
    targets = {"documents": media_root / "documents", "default": media_root}
    count = 0
    for relative, expected in manifest["files"].items():
        parts = relative.split("/", 2)
        if parts[0] != FILES:
            continue
        target = targets[parts[1]] / parts[2]
        with (folder / relative).open("rb") as source:
            digest, _ = _copy_hashing(source, target)
        if digest != expected["sha256"]:
            raise BackupError(f"{relative} changed while it was restored")
        count += 1
    log(f"Media folder {media_root}: {count} file(s) restored.")
    return manifest
