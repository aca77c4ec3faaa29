"""Reading a Consolidated Screening List file: streamed, checked whole before anything is stored.

The CSL's JSON (the ITA's Consolidated Screening List API and its downloadable file, whose field
names are documented with the API's search results): an object with ``results``, a list of
entries, each with ``id``, ``name``, ``alt_names``, ``addresses`` [{``country``, …}], ``source``
(the originating list), ``programs``, ``type``, ``start_date``, ``end_date`` and
``source_list_url``; ``total`` and ``sources_used`` beside ``results`` are read past. Only the
fields screening needs are kept.

The file is read twice, in bounded memory whatever its size: :func:`check_file` hashes it and
checks every entry (a malformed, truncated or empty file, one in another format, a duplicate id
are refused with a message saying where); :func:`iter_entries` then yields the entries for the
ingest to insert in batches.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

import ijson
from ijson.common import ObjectBuilder

from screening.matching import entry_names

CHUNK = 1 << 20
# camelCase names another tool's export uses for the same data: a clear message beats "no id".
_OTHER_FORMAT_FIELDS = {"altNames": "alt_names", "sourceList": "source", "startDate": "start_date"}


class IngestError(ValueError):
    """The file cannot be ingested; nothing was stored."""


@dataclass(frozen=True)
class CslEntry:
    source_id: str
    name: str
    alt_names: list[str]
    countries: list[str]
    programs: list[str]
    entry_type: str
    list_name: str
    start_date: str
    end_date: str
    source_list_url: str
    normalized_names: tuple[str, ...]

    def fingerprint(self) -> str:
        """What matching reads of the entry: a change here un-silences a false positive."""
        parts = [self.name, *self.alt_names, "|", *sorted(self.countries), "|", self.entry_type]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class FileCheck:
    sha256: str
    entry_count: int


def sha256_of(stream: BinaryIO) -> str:
    digest = hashlib.sha256()
    stream.seek(0)
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def check_file(stream: BinaryIO) -> FileCheck:
    """Hashes the file and checks every entry; raises :class:`IngestError`."""
    sha256 = sha256_of(stream)
    if stream.tell() == 0:
        raise IngestError("The file is empty.")
    seen: set[str] = set()
    count = 0
    for entry in iter_entries(stream):
        if entry.source_id in seen:
            raise IngestError(f"Entry {count + 1}: the id {entry.source_id!r} appears twice.")
        seen.add(entry.source_id)
        count += 1
    if count == 0:
        raise IngestError("The list has no entries: an empty list is never used.")
    return FileCheck(sha256=sha256, entry_count=count)


def iter_entries(stream: BinaryIO) -> Iterator[CslEntry]:
    """The file's entries, one at a time, each checked; raises :class:`IngestError`."""
    stream.seek(0)
    number = 0
    try:
        for raw in _raw_entries(stream):
            number += 1
            yield _entry(raw, number)
    except ijson.JSONError as error:
        detail = str(error).splitlines()[0].strip().rstrip(".")
        raise IngestError(
            f"The file is not valid JSON, or is cut short (after {number} entries): {detail}."
        ) from None


def _raw_entries(stream: BinaryIO) -> Iterator[dict]:
    events = ijson.parse(stream, use_float=True)
    try:
        prefix, event, _ = next(events)
    except StopIteration:
        raise IngestError("The file is empty.") from None
    if event != "start_map":
        raise IngestError(
            "Not a Consolidated Screening List file: expected a JSON object with `results`."
        )
    found = False
    builder = None
    for prefix, event, value in events:
        if builder is not None:
            builder.event(event, value)
            if prefix == "results.item" and event == "end_map":
                yield builder.value
                builder = None
            continue
        if prefix == "results":
            if event == "start_array":
                found = True
            elif event != "end_array":
                raise IngestError("`results` is not a list of entries.")
        elif prefix == "results.item":
            if event != "start_map":
                raise IngestError("An entry of `results` is not an object.")
            builder = ObjectBuilder()
            builder.event(event, value)
    if not found:
        raise IngestError(
            "Not a Consolidated Screening List file: it has no `results` list of entries."
        )


def _text(raw: dict, field: str, number: int, *, required: bool = False) -> str:
    value = raw.get(field)
    if value is None or value == "":
        if required:
            raise IngestError(f"Entry {number}: `{field}` is missing.")
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool) and field == "id":
        value = str(int(value)) if float(value).is_integer() else str(value)
    if not isinstance(value, str):
        raise IngestError(f"Entry {number}: `{field}` is not text.")
    if "\x00" in value:
        raise IngestError(f"Entry {number}: `{field}` holds a NUL character.")
    return value.strip()


def _texts(raw: dict, field: str, number: int) -> list[str]:
    value = raw.get(field)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise IngestError(f"Entry {number}: `{field}` is not a list of text.")
    return [v.strip() for v in value if v.strip() and "\x00" not in v]


def _countries(raw: dict, number: int) -> list[str]:
    addresses = raw.get("addresses")
    if addresses is None:
        addresses = []
    if not isinstance(addresses, list) or not all(isinstance(a, dict) for a in addresses):
        raise IngestError(f"Entry {number}: `addresses` is not a list of addresses.")
    codes = {
        str(a["country"]).strip().upper()
        for a in addresses
        if isinstance(a.get("country"), str) and len(a["country"].strip()) == 2
    }
    for field in ("nationalities", "citizenships"):
        values = raw.get(field)
        if isinstance(values, list):
            codes.update(v.strip().upper() for v in values if isinstance(v, str) and len(v) == 2)
    return sorted(codes)


def _entry(raw: dict, number: int) -> CslEntry:
    for other, ours in _OTHER_FORMAT_FIELDS.items():
        if other in raw and ours not in raw:
            raise IngestError(
                f"Entry {number} has `{other}` where the CSL has `{ours}`: this file is in "
                "another tool's format, not the Consolidated Screening List's."
            )
    name = _text(raw, "name", number, required=True)
    alt_names = _texts(raw, "alt_names", number)
    names = entry_names(name, alt_names)
    if not names:
        raise IngestError(f"Entry {number}: the name {name!r} has no letters or digits.")
    return CslEntry(
        source_id=_text(raw, "id", number, required=True)[:100],
        name=name,
        alt_names=alt_names,
        countries=_countries(raw, number),
        programs=_texts(raw, "programs", number),
        entry_type=_text(raw, "type", number)[:40],
        list_name=_text(raw, "source", number, required=True)[:200],
        start_date=_text(raw, "start_date", number)[:20],
        end_date=_text(raw, "end_date", number)[:20],
        source_list_url=_text(raw, "source_list_url", number),
        normalized_names=names,
    )
