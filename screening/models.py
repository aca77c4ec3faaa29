"""The lists parties are screened against, their snapshots, and the matches officials review.

History-tracked (every change with who and why): a snapshot (its quarantine and release), the
agency's concern list and every party match with its decision. A CSL snapshot's entries are bulk
data, not records of anyone's decision: some 20,000 rows a day, written once by the ingest in
bulk and never changed; the snapshot's SHA-256, count and history record stand for them. The
denial register is a projection of refusals, each of which is on record in its application's
history (end user, country, product, who and why); its rows are written once, in bulk when a
whitelist revision refuses many applications, and never changed (docs/screening.md).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from registry.audit.history import TrackedModel, project_history
from registry.validators import no_control_characters


class SourceCode(models.TextChoices):
    CSL = "csl", "US Consolidated Screening List"
    CONCERN = "concern", "The agency's concern list"
    DENIALS = "denials", "The denial register"


class WatchlistSource(models.Model):
    """One list: the CSL (ingested from its JSON file), the concern list (kept by senior
    officials) and the denial register (written at every refusal). Written by a migration."""

    code = models.CharField(max_length=10, unique=True, choices=SourceCode.choices)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class SnapshotStatus(models.TextChoices):
    USABLE = "usable", "Usable"
    QUARANTINED = "quarantined", "Quarantined"
    RELEASED = "released", "Released from quarantine"


class WatchlistSnapshot(TrackedModel):
    """One ingested file of a list: when, how many entries, its SHA-256, and whether it may be
    used. A snapshot whose count fell by more than ``WATCHLIST_MAX_DROP`` against the last good
    one is quarantined until an official releases it with a reason."""

    Status = SnapshotStatus

    source = models.ForeignKey(WatchlistSource, on_delete=models.PROTECT, related_name="snapshots")
    fetched_at = models.DateTimeField(help_text="When the file was ingested.")
    file_name = models.CharField(max_length=255, blank=True)
    entry_count = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    previous_count = models.PositiveIntegerField(
        null=True, blank=True, help_text="The entry count of the last good snapshot then."
    )
    status = models.CharField(max_length=12, choices=SnapshotStatus.choices)
    status_reason = models.TextField(blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)

    history = project_history()

    class Meta:
        ordering = ["-fetched_at", "-pk"]
        permissions = [("release_watchlistsnapshot", "Can release a quarantined list snapshot")]
        constraints = [
            models.UniqueConstraint(fields=["source", "sha256"], name="snapshot_file_once"),
            models.CheckConstraint(
                condition=Q(status__in=SnapshotStatus.values), name="snapshot_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"snapshot {self.pk} ({self.source_id}, {self.entry_count} entries)"

    @property
    def usable(self) -> bool:
        return self.status != SnapshotStatus.QUARANTINED


class WatchlistEntry(models.Model):
    """One entry of a CSL snapshot, as the file gave it, with its normalised names and blocking
    keys. Bulk data: inserted with its snapshot, never changed, not history-tracked."""

    snapshot = models.ForeignKey(
        WatchlistSnapshot, on_delete=models.PROTECT, related_name="entries"
    )
    source_id = models.CharField("id in the list", max_length=100)
    name = models.TextField()
    alt_names = models.JSONField(default=list)
    countries = models.JSONField(default=list, help_text="Alpha-2 codes of its addresses.")
    programs = models.JSONField(default=list)
    entry_type = models.CharField(max_length=40, blank=True)
    list_name = models.CharField(max_length=200, blank=True, help_text="The CSL's `source`.")
    start_date = models.CharField(max_length=20, blank=True)
    end_date = models.CharField(max_length=20, blank=True)
    source_list_url = models.TextField(blank=True)
    normalized_name = models.TextField()
    normalized_names = models.JSONField(default=list, help_text="The name and aliases, normalised.")
    blocking_keys = models.TextField(blank=True, help_text="Space-separated candidate keys.")
    fingerprint = models.CharField(
        max_length=64, help_text="SHA-256 of what matching reads: changes when the entry does."
    )

    class Meta:
        ordering = ["snapshot", "source_id"]
        verbose_name_plural = "watchlist entries"
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "source_id"], name="entry_once_per_snapshot"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ConcernStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    RETIRED = "retired", "Retired"


class ConcernEntry(TrackedModel):
    """A name on the agency's own concern list, added and retired by senior officials with a
    reason."""

    Status = ConcernStatus

    name = models.CharField(max_length=200, validators=[no_control_characters])
    alt_names = models.JSONField(default=list, blank=True)
    countries = models.JSONField(default=list, blank=True, help_text="Alpha-2 codes.")
    reason = models.TextField(help_text="Why the agency is concerned.")
    status = models.CharField(
        max_length=10, choices=ConcernStatus.choices, default=ConcernStatus.ACTIVE
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField()
    retired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    retired_at = models.DateTimeField(null=True, blank=True)
    retire_reason = models.TextField(blank=True)
    normalized_name = models.TextField(blank=True)
    fingerprint = models.CharField(max_length=64, blank=True)

    history = project_history()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name_plural = "concern entries"
        permissions = [("manage_concernentry", "Can add and retire names on the concern list")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ConcernStatus.values), name="concern_status_valid"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="concern_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name


class DenialRecord(models.Model):
    """A refused application's end user, written at every refusal: who, where, what. Not
    tracked: the refusal it copies is on record in the application's history."""

    application = models.OneToOneField(
        "licenses.LicenceApplication", on_delete=models.PROTECT, related_name="denial"
    )
    vendor = models.ForeignKey("licenses.Vendor", on_delete=models.PROTECT, related_name="+")
    end_user_name = models.CharField(max_length=200)
    country = models.ForeignKey("countries.Country", on_delete=models.PROTECT, related_name="+")
    product_category = models.CharField(max_length=20)
    refused_at = models.DateTimeField()
    normalized_name = models.TextField(blank=True)

    class Meta:
        ordering = ["-refused_at", "-pk"]

    def __str__(self) -> str:
        return f"denial of {self.application_id}"


class MatchStatus(models.TextChoices):
    OPEN = "open", "Open"
    FALSE_POSITIVE = "false_positive", "False positive"
    CONFIRMED = "confirmed", "Confirmed"


class PartyMatch(TrackedModel):
    """A party whose name scored at or above ``WATCHLIST_MATCH_THRESHOLD`` against a list entry.
    Open until an official decides it is a false positive or confirms it, with a reason.

    ``party_key`` (the party's normalised name and country) and ``entry_ref`` (the entry across
    snapshots) say who and what: a false positive stays silent for that party and entry until the
    entry's ``entry_fingerprint`` changes; a confirmed one fails the next application naming
    them at submission.
    """

    Status = MatchStatus

    party = models.ForeignKey("licenses.Party", on_delete=models.PROTECT, related_name="matches")
    source = models.CharField(max_length=10, choices=SourceCode.choices)
    snapshot = models.ForeignKey(
        WatchlistSnapshot, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    entry = models.ForeignKey(
        WatchlistEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    concern = models.ForeignKey(
        ConcernEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="matches"
    )
    denial = models.ForeignKey(
        DenialRecord, null=True, blank=True, on_delete=models.PROTECT, related_name="matches"
    )
    entry_ref = models.CharField(max_length=120)
    entry_fingerprint = models.CharField(max_length=64)
    entry_name = models.TextField(help_text="The entry's name, as the list gives it.")
    matched_name = models.TextField(help_text="The entry's name or alias that scored, normalised.")
    party_key = models.CharField(max_length=300)
    score = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=15, choices=MatchStatus.choices, default=MatchStatus.OPEN)
    found_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    history = project_history()

    class Meta:
        ordering = ["-found_at", "-score", "-pk"]
        verbose_name_plural = "party matches"
        permissions = [("decide_partymatch", "Can decide a party match")]
        indexes = [
            models.Index(fields=["status", "found_at"]),
            models.Index(fields=["party_key", "entry_ref"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["party", "entry_ref", "entry_fingerprint"], name="match_once_per_entry"
            ),
            models.CheckConstraint(
                condition=Q(status__in=MatchStatus.values), name="match_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=MatchStatus.OPEN) | Q(decided_at__isnull=False),
                name="match_decision_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"match {self.pk}"
