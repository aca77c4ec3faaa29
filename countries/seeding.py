"""Reads the fixture files and writes them through the services, so the seed leaves history.

``loaddata`` would skip history entirely; the fixtures are data that this module reads, not table
dumps. Everything here is idempotent: what is already in the database is left alone.
"""

import datetime
import json
from pathlib import Path

from django.conf import settings

from countries import services
from countries.models import WhitelistRevision
from registry.audit import history

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"
WHITELIST_FILES = ("whitelist-2018.json", "whitelist-2021.json")
# The country records predate the first list, so that the list as of its date is complete.
COUNTRIES_RECORDED_AT = datetime.datetime(2017, 12, 31, tzinfo=datetime.UTC)
SEED_NOTE = "seed: dated in the past from the published record"


def load_fixture(name: str) -> dict:
    return json.loads((FIXTURES_DIR / name).read_text(encoding="utf-8"))


def seed_countries(*, by) -> int:
    document = load_fixture("countries.json")
    with history.backdating():
        return services.register_countries(
            countries=document["countries"],
            by=by,
            reason=f"{SEED_NOTE}; {document['source']}",
            at=COUNTRIES_RECORDED_AT,
        )


def seed_whitelist_revision(name: str, *, by) -> WhitelistRevision | None:
    """Records one revision file, unless a revision with its reference exists. Returns it if new."""
    document = load_fixture(name)
    if WhitelistRevision.objects.filter(reference=document["reference"]).exists():
        return None
    with history.backdating():
        return services.record_past_revision(
            reference=document["reference"],
            title=document["title"],
            reason=document["reason"],
            members=[member["code"] for member in document["members"]],
            applied_at=datetime.datetime.fromisoformat(document["applied_at"]),
            licence_treatment=document["licence_treatment"],
            by=by,
        )
