"""Reads of screening: which list is in use, the indexes, the matches of parties, the queues."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Max, QuerySet
from django.utils import timezone

from screening.matching import Hit, ListEntry, ListIndex, entry_names
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
)
from screening.normalise import normalise

# --- The list in use ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ListStatus:
    """Whether screening can rely on the CSL now, and why not."""

    snapshot: WatchlistSnapshot | None
    usable: bool
    reason: str
    quarantined: int = 0

    @property
    def snapshot_ids(self) -> tuple[int, ...]:
        return (self.snapshot.pk,) if self.snapshot else ()


def snapshot_in_use(source: str = SourceCode.CSL) -> WatchlistSnapshot | None:
    """The newest snapshot that is not quarantined."""
    return (
        WatchlistSnapshot.objects.filter(source__code=source)
        .exclude(status=SnapshotStatus.QUARANTINED)
        .order_by("-fetched_at", "-pk")
        .first()
    )


def list_status(
    *, now: datetime.datetime | None = None, count_quarantined: bool = True
) -> ListStatus:
    """The CSL snapshot in use and whether it is fresh enough; with ``count_quarantined`` (the
    pages), how many newer snapshots wait in quarantine."""
    now = now or timezone.now()
    snapshot = snapshot_in_use()
    waiting = 0
    if count_quarantined:
        quarantined = WatchlistSnapshot.objects.filter(
            source__code=SourceCode.CSL, status=SnapshotStatus.QUARANTINED
        )
        if snapshot is not None:
            quarantined = quarantined.filter(fetched_at__gt=snapshot.fetched_at)
        waiting = quarantined.count()
    if snapshot is None:
        return ListStatus(None, False, "no Consolidated Screening List has been ingested", waiting)
    age = now - snapshot.fetched_at
    limit = datetime.timedelta(hours=settings.WATCHLIST_MAX_AGE_HOURS)
    if age > limit:
        hours = int(age.total_seconds() // 3600)
        return ListStatus(
            snapshot,
            False,
            f"the newest usable list (snapshot {snapshot.pk}) is {hours} hours old, more than "
            f"{settings.WATCHLIST_MAX_AGE_HOURS:g}",
            waiting,
        )
    return ListStatus(snapshot, True, "", waiting)


def list_age_seconds(*, now: datetime.datetime | None = None) -> float | None:
    """Seconds since the newest usable snapshot was fetched; None before the first."""
    snapshot = snapshot_in_use()
    if snapshot is None:
        return None
    return ((now or timezone.now()) - snapshot.fetched_at).total_seconds()


# --- Indexes, cached per process ---------------------------------------------------------------

_cache: dict[str, tuple[object, ListIndex]] = {}


def _cached(name: str, version: object, build) -> ListIndex:
    found = _cache.get(name)
    if found is not None and found[0] == version:
        return found[1]
    index = build()
    _cache[name] = (version, index)
    return index


def csl_index(snapshot: WatchlistSnapshot) -> ListIndex:
    """The index of one snapshot's entries; a snapshot never changes, so it is built once."""

    def build():
        rows = WatchlistEntry.objects.filter(snapshot=snapshot).values_list(
            "pk", "source_id", "name", "normalized_names", "countries", "fingerprint"
        )
        return ListIndex(
            ListEntry(
                ref=f"csl:{source_id}",
                pk=pk,
                name=name,
                names=tuple(names),
                countries=frozenset(countries),
                fingerprint=fingerprint,
            )
            for pk, source_id, name, names, countries, fingerprint in rows.iterator(2000)
        )

    # The moment of the ingest with the id: an id a rolled-back ingest used may come again.
    return _cached("csl", (snapshot.pk, snapshot.sha256, snapshot.fetched_at), build)


def concern_index() -> ListIndex:
    active = ConcernEntry.objects.filter(status=ConcernStatus.ACTIVE)
    # Every add and retirement writes a history record: the newest one versions the list (its
    # time too: a rolled-back transaction may give its id again on SQLite).
    version = tuple(
        ConcernEntry.history.aggregate(last=Max("history_id"), at=Max("history_date")).values()
    )

    def build():
        return ListIndex(
            ListEntry(
                ref=f"concern:{entry.pk}",
                pk=entry.pk,
                name=entry.name,
                names=entry_names(entry.name, entry.alt_names),
                countries=frozenset(entry.countries),
                fingerprint=entry.fingerprint,
            )
            for entry in active
        )

    return _cached("concern", version, build)


def denial_index() -> ListIndex:
    version = tuple(
        DenialRecord.objects.aggregate(n=Count("pk"), last=Max("pk"), at=Max("refused_at")).values()
    )

    def build():
        rows = DenialRecord.objects.values_list(
            "pk",
            "end_user_name",
            "country__code",
            "application_id",
            "application__reference",
            "vendor_id",
        )
        return ListIndex(
            ListEntry(
                ref=f"denials:{pk}",
                pk=pk,
                name=name,
                names=entry_names(name, ()),
                countries=frozenset([country]),
                fingerprint=str(pk),
                extra={"application_id": application_id, "reference": reference, "vendor": vendor},
            )
            for pk, name, country, application_id, reference, vendor in rows.iterator(2000)
        )

    return _cached("denials", version, build)


# --- Screening parties -------------------------------------------------------------------------


@dataclass(frozen=True)
class PartyRef:
    """A party to screen: its name and country, and its ids once stored."""

    name: str
    country: str
    party_id: int | None = None
    application_id: int | None = None
    vendor_id: int | None = None

    @property
    def key(self) -> str:
        return party_key(self.name, self.country)


def party_key(name: str, country: str) -> str:
    return f"{normalise(name)}|{country}"[:300]


@dataclass(frozen=True)
class NewMatch:
    party: PartyRef
    source: str
    hit: Hit
    snapshot_id: int | None


@dataclass
class ApplicationScreening:
    """What screening found for the parties of one application."""

    open_matches: int = 0
    confirmed_matches: int = 0
    confirmed_before: int = 0
    new: list[NewMatch] = field(default_factory=list)


@dataclass
class PartyScreening:
    status: ListStatus
    applications: dict[int | None, ApplicationScreening]

    def for_application(self, application_id: int | None) -> ApplicationScreening:
        return self.applications.get(application_id) or ApplicationScreening()

    @property
    def new(self) -> list[NewMatch]:
        return [m for a in self.applications.values() for m in a.new]


def screen_parties(
    parties: Sequence[PartyRef], *, status: ListStatus | None = None
) -> PartyScreening:
    """Every party against the CSL in use, the concern list and the denial register (the
    refusals of other vendors than the party's).

    A few queries whatever the number of parties: the list status, the indexes (cached), the
    matches on record for these parties, and the earlier decisions on the names that hit an
    entry (none when no name does). A hit already
    on record counts as that match's status; one silenced by an earlier false positive (same
    party name and country, same entry unchanged) is left out; one confirmed earlier for the
    same party and entry counts as ``confirmed_before``; the rest are new.
    """
    status = status or list_status(count_quarantined=False)
    threshold = settings.WATCHLIST_MATCH_THRESHOLD
    indexes = [
        (SourceCode.CONCERN, concern_index(), None),
        (SourceCode.DENIALS, denial_index(), None),
    ]
    if status.snapshot is not None:
        indexes.insert(0, (SourceCode.CSL, csl_index(status.snapshot), status.snapshot.pk))
    results: dict[int | None, ApplicationScreening] = {}
    for party in parties:
        results.setdefault(party.application_id, ApplicationScreening())
    party_ids = [p.party_id for p in parties if p.party_id]
    recorded: dict[tuple, str] = {}
    for row in _chunked(party_ids, lambda ids: PartyMatch.objects.filter(party_id__in=ids)):
        recorded[(row.party_id, row.entry_ref, row.entry_fingerprint)] = row.status
        screening = results.setdefault(row.party.application_id, ApplicationScreening())
        if row.status == MatchStatus.OPEN:
            screening.open_matches += 1
        elif row.status == MatchStatus.CONFIRMED:
            screening.confirmed_matches += 1
    hits = []
    for party in parties:
        for source, index, snapshot_id in indexes:
            for hit in index.match(party.name, party.country, threshold=threshold):
                if source == SourceCode.DENIALS and hit.entry.extra["vendor"] == party.vendor_id:
                    continue  # the register warns of another vendor's refusals
                hits.append((party, source, hit, snapshot_id))
    # The earlier decisions on these names matter for their hits only: none, nothing to read.
    keys = sorted({party.key for party, *_ in hits})
    silenced, confirmed = set(), set()
    for row in _chunked(
        keys,
        lambda chunk: PartyMatch.objects.filter(party_key__in=chunk).exclude(
            status=MatchStatus.OPEN
        ),
    ):
        if row.status == MatchStatus.FALSE_POSITIVE:
            silenced.add((row.party_key, row.entry_ref, row.entry_fingerprint))
        else:
            confirmed.add((row.party_key, row.entry_ref))
    for party, source, hit, snapshot_id in hits:
        screening = results[party.application_id]
        ref, fingerprint = hit.entry.ref, hit.entry.fingerprint
        if party.party_id and (party.party_id, ref, fingerprint) in recorded:
            continue
        if (party.key, ref) in confirmed:
            screening.confirmed_before += 1
        elif (party.key, ref, fingerprint) not in silenced:
            screening.new.append(NewMatch(party, source, hit, snapshot_id))
    return PartyScreening(status, results)


def _chunked(values: list, query, size: int = 2000) -> Iterable:
    for start in range(0, len(values), size):
        yield from query(values[start : start + size]).select_related("party")


# --- Pages -------------------------------------------------------------------------------------


def match_queue(*, status: str = MatchStatus.OPEN) -> QuerySet[PartyMatch]:
    """Matches newest first and, among those found together, highest score first."""
    matches = PartyMatch.objects.select_related(
        "party__application", "party__country", "snapshot", "decided_by"
    )
    if status:
        matches = matches.filter(status=status)
    return matches.order_by("-found_at", "-score", "-pk")


def matches_for_application(application_id: int) -> QuerySet[PartyMatch]:
    return (
        PartyMatch.objects.filter(party__application_id=application_id)
        .select_related("party", "decided_by", "denial__application")
        .order_by("status", "-score", "pk")
    )


def confirmed_for_licence_parties(application_id: int) -> QuerySet[PartyMatch]:
    return matches_for_application(application_id).filter(status=MatchStatus.CONFIRMED)


def open_match_count() -> int:
    return PartyMatch.objects.filter(status=MatchStatus.OPEN).count()


def concern_list(*, status: str = "") -> QuerySet[ConcernEntry]:
    entries = ConcernEntry.objects.select_related("added_by", "retired_by")
    if status:
        entries = entries.filter(status=status)
    return entries.order_by("status", "name", "pk")


def snapshot_list() -> QuerySet[WatchlistSnapshot]:
    return WatchlistSnapshot.objects.select_related("source", "released_by").order_by(
        "-fetched_at", "-pk"
    )
