"""The sizes each benchmark runs at: ``full`` (the goals' sizes), ``tenth`` and ``quick`` (CI)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Sizes:
    name: str
    http_seconds: float
    http_warmup: float
    http_rounds: int  # B1, B2: alternating rounds within a run; the median round is kept
    http_runs: int  # B1, B2: runs, each on a freshly started server; the median run is kept
    concurrency: tuple[int, ...]  # B2: clients at once
    licences: int  # B3: active licences in the registry
    affected: int  # B3: of them, to the destinations the revision removes
    pending_affected: int  # B3: pending applications to those destinations (screened again)
    naive_sample: int  # B3: licences saved one by one, extrapolated to all affected
    history: tuple[int, int, int]  # B4: history records (the whole trail) at three points
    queue_small: int  # B5: applications at the small point
    queue_pending_large: int  # B5: pending applications at the large point
    verify_added: tuple[int, ...]  # B6: records added after a checkpoint
    export_rows: tuple[int, int]  # B7: timeline rows exported
    screening_entries: int  # B8: entries of the restricted-party list
    screening_applications: int  # B8: applications screened (their parties)

    @property
    def verify_records(self) -> int:
        """B6 runs when the trail holds B4's middle size."""
        return self.history[1]


FULL = Sizes(
    name="full",
    http_seconds=5,
    http_warmup=1,
    http_rounds=2,
    http_runs=3,
    concurrency=(1, 4, 16),
    licences=1_000_000,
    affected=100_000,
    pending_affected=1_000,
    naive_sample=2_000,
    history=(10_000, 1_000_000, 10_000_000),
    queue_small=1_000,
    queue_pending_large=100_000,
    verify_added=(10_000, 100_000),
    export_rows=(100_000, 1_000_000),
    screening_entries=20_000,
    screening_applications=200,
)

# A tenth of every data size, the HTTP figures as in full: what a shared 2-core machine builds and
# measures in about twenty minutes. The goals are the same ratios.
TENTH = Sizes(
    name="tenth",
    http_seconds=5,
    http_warmup=1,
    http_rounds=2,
    http_runs=3,
    concurrency=(1, 4, 16),
    licences=100_000,
    affected=10_000,
    pending_affected=100,
    naive_sample=1_000,
    history=(10_000, 100_000, 1_000_000),
    queue_small=1_000,
    queue_pending_large=10_000,
    verify_added=(10_000,),
    export_rows=(10_000, 100_000),
    screening_entries=20_000,
    screening_applications=200,
)

QUICK = Sizes(
    name="quick",
    http_seconds=1,
    http_warmup=0.3,
    http_rounds=1,
    http_runs=1,
    concurrency=(1, 4),
    licences=2_000,
    affected=200,
    pending_affected=20,
    naive_sample=100,
    history=(3_000, 8_000, 15_000),
    queue_small=20,
    queue_pending_large=300,
    verify_added=(1_000,),
    export_rows=(500, 4_000),
    screening_entries=500,
    screening_applications=10,
)

PRESETS = {s.name: s for s in (FULL, TENTH, QUICK)}
