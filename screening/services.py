"""Every write of screening: snapshots, the concern list, the denial register and matches.

One function per use case, keyword-only, one transaction each, naming who acted and why. A
decision on a match locks the match first, so two officials deciding at once get one outcome.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from notifications import services as notifications
from registry.audit import history
from registry.errors import DomainError, TransitionNotAllowed
from screening import ingest, rescreen
from screening.matching import entry_names
from screening.models import (
    ConcernEntry,
    ConcernStatus,
    DenialRecord,
    MatchStatus,
    PartyMatch,
    SnapshotStatus,
    SourceCode,
    WatchlistEntry,
    WatchlistSnapshot,
    WatchlistSource,
)
from screening.normalise import blocking_keys, normalise
from screening.selectors import NewMatch, snapshot_in_use

BATCH = 2000


def _require_reason(reason: str) -> str:
    if not reason or not str(reason).strip():
        raise ValidationError({"reason": "Give a reason."})
    return str(reason).strip()


# --- Snapshots ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class IngestResult:
    snapshot: WatchlistSnapshot
    created: bool
    new_matches: int = 0


def ingest_list(*, source: str, path: str | Path, by) -> IngestResult:
    """Ingests a list file as one snapshot, all or nothing; see ``screening.ingest``.

    The same file again (same SHA-256) stores nothing and answers the snapshot it made. A file
    with far fewer entries than the last good snapshot is stored quarantined: screening goes on
    with the previous one until an official releases it. A usable new snapshot re-screens the
    parties of pending applications and live licences, in the same transaction.
    """
    if source != SourceCode.CSL:
        raise ingest.IngestError(
            f"The {source!r} list is not ingested from a file: only `csl` is "
            "(the concern list is kept in the web, the denial register by the registry)."
        )
    path = Path(path)
    try:
        stream = path.open("rb")
    except OSError as error:
        raise ingest.IngestError(f"Cannot read {path}: {error.strerror}.") from None
    with stream:
        check = ingest.check_file(stream)
        return _store_snapshot(source=source, stream=stream, check=check, name=path.name, by=by)


@transaction.atomic
def _store_snapshot(*, source, stream, check, name, by) -> IngestResult:
    # Written by a migration; again here after a test database's flush.
    WatchlistSource.objects.get_or_create(code=source, defaults={"name": SourceCode(source).label})
    list_source = WatchlistSource.objects.select_for_update().get(code=source)
    existing = WatchlistSnapshot.objects.filter(source=list_source, sha256=check.sha256).first()
    if existing is not None:
        return IngestResult(existing, created=False)
    previous = snapshot_in_use(source)
    status, why = SnapshotStatus.USABLE, f"Ingested from {name}"
    if previous is not None:
        floor = previous.entry_count * (1 - settings.WATCHLIST_MAX_DROP)
        if check.entry_count < floor:
            drop = 1 - check.entry_count / previous.entry_count
            status = SnapshotStatus.QUARANTINED
            why = (
                f"Quarantined: {check.entry_count} entries, {drop:.0%} fewer than the "
                f"{previous.entry_count} of snapshot {previous.pk} (more than "
                f"{settings.WATCHLIST_MAX_DROP:.0%}); release it if the list really shrank"
            )
    snapshot = WatchlistSnapshot(
        source=list_source,
        fetched_at=timezone.now(),
        file_name=name[:255],
        entry_count=check.entry_count,
        sha256=check.sha256,
        previous_count=previous.entry_count if previous else None,
        status=status,
        status_reason=why,
    )
    history.save(snapshot, by=by, reason=why)
    batch = []
    for entry in ingest.iter_entries(stream):
        batch.append(_entry_row(snapshot, entry))
        if len(batch) >= BATCH:
            WatchlistEntry.objects.bulk_create(batch)
            batch = []
    WatchlistEntry.objects.bulk_create(batch)
    if ingest.sha256_of(stream) != check.sha256:
        raise ingest.IngestError("The file changed while it was read: nothing was stored.")
    new = 0
    if status == SnapshotStatus.USABLE:
        new = rescreen.run(by=by, reason=f"Screened against snapshot {snapshot.pk}")
    return IngestResult(snapshot, created=True, new_matches=new)


def _entry_row(snapshot, entry: ingest.CslEntry) -> WatchlistEntry:
    keys = set()
    for name in entry.normalized_names:
        keys |= blocking_keys(name)
    return WatchlistEntry(
        snapshot=snapshot,
        source_id=entry.source_id,
        name=entry.name,
        alt_names=entry.alt_names,
        countries=entry.countries,
        programs=entry.programs,
        entry_type=entry.entry_type,
        list_name=entry.list_name,
        start_date=entry.start_date,
        end_date=entry.end_date,
        source_list_url=entry.source_list_url,
        normalized_name=entry.normalized_names[0],
        normalized_names=list(entry.normalized_names),
        blocking_keys=" ".join(sorted(keys)),
        fingerprint=entry.fingerprint(),
    )


@transaction.atomic
def release_snapshot(*, snapshot: WatchlistSnapshot, by, reason: str) -> WatchlistSnapshot:
    """An official vouches for a quarantined snapshot: it becomes the list in use (if it is the
    newest) and re-screens the parties."""
    reason = _require_reason(reason)
    snapshot = WatchlistSnapshot.objects.select_for_update().get(pk=snapshot.pk)
    if snapshot.status != SnapshotStatus.QUARANTINED:
        raise TransitionNotAllowed(f"Snapshot {snapshot.pk} is not quarantined.")
    snapshot.status = SnapshotStatus.RELEASED
    snapshot.status_reason = reason
    snapshot.released_by = by
    snapshot.released_at = timezone.now()
    history.save(snapshot, by=by, reason=f"Released from quarantine: {reason}")
    if snapshot_in_use(snapshot.source.code) == snapshot:
        rescreen.run(by=by, reason=f"Screened against released snapshot {snapshot.pk}")
    return snapshot


# --- The concern list --------------------------------------------------------------------------


def _fingerprint(name: str, alt_names, countries) -> str:
    parts = [name, *alt_names, "|", *sorted(countries)]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


@transaction.atomic
def add_concern(
    *, by, name: str, reason: str, alt_names=(), countries=(), at: datetime.datetime | None = None
) -> ConcernEntry:
    """A senior official puts a name on the concern list; pending cases are screened again."""
    reason = _require_reason(reason)
    name = (name or "").strip()
    alt_names = [a.strip() for a in alt_names if a and a.strip()]
    countries = sorted({c.strip().upper() for c in countries if c and c.strip()})
    if not entry_names(name, alt_names) or not normalise(name):
        raise ValidationError({"name": "Give a name with letters or digits."})
    bad = [c for c in countries if len(c) != 2 or not c.isalpha()]
    if bad:
        raise ValidationError({"countries": f"Give alpha-2 codes, such as IR; not {bad[0]}."})
    entry = ConcernEntry(
        name=name,
        alt_names=alt_names,
        countries=countries,
        reason=reason,
        added_by=by,
        added_at=at or timezone.now(),
        normalized_name=normalise(name),
        fingerprint=_fingerprint(name, alt_names, countries),
    )
    entry.full_clean(exclude=["added_by"])
    history.save(entry, by=by, reason=f"Added to the concern list: {reason}")
    rescreen.run(by=by, reason=f"Screened against the concern list: {name} added")
    return entry


@transaction.atomic
def retire_concern(*, entry: ConcernEntry, by, reason: str) -> ConcernEntry:
    """Takes a name off the concern list. Its matches stay on record; open ones stay open for an
    official to close."""
    reason = _require_reason(reason)
    entry = ConcernEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.status != ConcernStatus.ACTIVE:
        raise TransitionNotAllowed(f"{entry.name} is already retired from the concern list.")
    entry.status = ConcernStatus.RETIRED
    entry.retired_by = by
    entry.retired_at = timezone.now()
    entry.retire_reason = reason
    history.save(entry, by=by, reason=f"Retired from the concern list: {reason}")
    return entry


# --- The denial register -----------------------------------------------------------------------


@dataclass(frozen=True)
class Denial:
    application_id: int
    vendor_id: int
    end_user_name: str
    country_id: int
    product_category: str
    refused_at: datetime.datetime


def record_denials(denials: list[Denial]) -> int:
    """Writes refused applications' end users to the denial register, in one statement per
    batch (licensing calls it at every refusal, in the refusal's transaction)."""
    rows = [
        DenialRecord(
            application_id=d.application_id,
            vendor_id=d.vendor_id,
            end_user_name=d.end_user_name[:200],
            country_id=d.country_id,
            product_category=d.product_category[:20],
            refused_at=d.refused_at,
            normalized_name=normalise(d.end_user_name),
        )
        for d in denials
    ]
    DenialRecord.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


# --- Matches -----------------------------------------------------------------------------------


def record_matches(*, new: list[NewMatch], by, reason: str) -> list[PartyMatch]:
    """Stores the new matches found for stored parties, open, one history record each."""
    matches = []
    now = timezone.now()
    for found in new:
        if not found.party.party_id:
            continue
        entry = found.hit.entry
        match = PartyMatch(
            party_id=found.party.party_id,
            source=found.source,
            snapshot_id=found.snapshot_id,
            entry_id=entry.pk if found.source == SourceCode.CSL else None,
            concern_id=entry.pk if found.source == SourceCode.CONCERN else None,
            denial_id=entry.pk if found.source == SourceCode.DENIALS else None,
            entry_ref=entry.ref,
            entry_fingerprint=entry.fingerprint,
            entry_name=entry.name,
            matched_name=found.hit.matched_name,
            party_key=found.party.key,
            score=found.hit.score,
            found_at=now,
        )
        try:
            with transaction.atomic():
                history.save(match, by=by, reason=reason)
        except IntegrityError:  # recorded by a concurrent screening since it was read
            continue
        matches.append(match)
    _tell_officials(matches)
    return matches


def _tell_officials(matches: list[PartyMatch]) -> None:
    """One ``match.review`` event per new match, in the transaction that records it."""
    references = dict(
        PartyMatch.objects.filter(pk__in=[m.pk for m in matches]).values_list(
            "pk", "party__application__reference"
        )
    )
    for match in matches:
        notifications.match_to_review(
            match_reference=str(match.pk),
            application_reference=references[match.pk],
            entry_name=match.entry_name,
            score=float(match.score),
        )


DECISIONS = {
    MatchStatus.FALSE_POSITIVE: "Decided a false positive",
    MatchStatus.CONFIRMED: "Confirmed",
}


@transaction.atomic
def decide_match(*, match: PartyMatch, by, decision: str, reason: str) -> PartyMatch:
    """An official decides an open match: a false positive (silent for that party and entry
    until the entry changes) or confirmed (blocks approval; a live licence may be suspended)."""
    reason = _require_reason(reason)
    if decision not in DECISIONS:
        raise ValidationError({"decision": "Choose false positive or confirmed."})
    match = PartyMatch.objects.select_for_update().get(pk=match.pk)
    if match.status != MatchStatus.OPEN:
        raise TransitionNotAllowed(
            f"Match {match.pk} is already decided ({match.get_status_display().lower()})."
        )
    if getattr(by, "vendor_id", None):
        raise DomainError("Only an official decides a match.")
    match.status = decision
    match.decided_by = by
    match.decided_at = timezone.now()
    match.decision_reason = reason
    return history.save(match, by=by, reason=f"{DECISIONS[decision]}: {reason}")
