"""The illustrative CSL sample the seed ingests, so a fresh install screens from the start."""

from pathlib import Path

from django.conf import settings

from screening import services
from screening.models import SourceCode, WatchlistSnapshot

SAMPLE_FILE = Path(settings.BASE_DIR) / "fixtures" / "watchlist-sample-csl.json"


def seed_sample_list(*, by) -> WatchlistSnapshot | None:
    """Ingests the sample unless a CSL snapshot is on record (a real list is never replaced by
    the sample)."""
    if WatchlistSnapshot.objects.filter(source__code=SourceCode.CSL).exists():
        return None
    return services.ingest_list(source=SourceCode.CSL, path=SAMPLE_FILE, by=by).snapshot
