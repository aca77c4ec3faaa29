"""Ingesting the Consolidated Screening List: one snapshot per file, all or nothing, the same
file once, a list that shrank too far quarantined, bad files refused with the reason."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from registry.audit.history import system_user
from screening import selectors, services
from screening.ingest import IngestError
from screening.models import SnapshotStatus, WatchlistEntry, WatchlistSnapshot

pytestmark = pytest.mark.django_db


def ingest(path: str) -> str:
    out = io.StringIO()
    call_command("ingest_watchlist", "--source", "csl", path, stdout=out)
    return out.getvalue()


def test_the_seed_ingested_the_illustrative_sample():
    snapshot = selectors.snapshot_in_use()
    assert snapshot.entry_count == 300 == snapshot.entries.count()
    assert snapshot.status == SnapshotStatus.USABLE
    assert snapshot.history.get().history_change_reason.startswith("Ingested from watchlist-sample")
    assert selectors.list_status().usable


def test_a_new_file_is_one_snapshot_with_its_count_and_sha256_and_is_used(list_file):
    path = list_file(330, seed=7)
    out = ingest(path)
    snapshot = selectors.snapshot_in_use()
    assert f"Snapshot {snapshot.pk}: 330 entries" in out
    assert snapshot.sha256 in out and len(snapshot.sha256) == 64
    assert snapshot.entry_count == 330 == WatchlistEntry.objects.filter(snapshot=snapshot).count()
    entry = snapshot.entries.get(source_id="ILL-0002")
    assert entry.alt_names == ["Восток Сигнал", "NII Vostok Signal"]
    assert entry.countries == ["RU"]
    assert entry.normalized_names == [
        "vostok signal research institute",
        "vostok signal",
        "nii vostok signal",
    ]
    assert "t:vostok" in entry.blocking_keys.split()
    assert entry.list_name.startswith("Specially Designated Nationals")


def test_the_same_file_again_stores_nothing(list_file):
    path = list_file(320)
    ingest(path)
    count = WatchlistSnapshot.objects.count()
    out = ingest(path)
    assert out.startswith("Unchanged:")
    assert WatchlistSnapshot.objects.count() == count


BAD_FILES = [
    ("malformed", '{"results": [{"id": "1", "name": "A" "source": "EL"}]}', "not valid JSON"),
    ("truncated", None, "cut short"),
    ("empty file", "", "empty"),
    ("empty list", '{"results": []}', "no entries"),
    ("not an object", '[{"id": "1"}]', "expected a JSON object"),
    ("no results", '{"total": 0, "entries": []}', "no `results` list"),
    ("results not a list", '{"results": {"id": "1"}}', "not a list of entries"),
    ("entry not an object", '{"results": ["Ahmed"]}', "not an object"),
    ("no id", '{"results": [{"name": "Zorvak Trading", "source": "EL"}]}', "`id` is missing"),
    ("no name", '{"results": [{"id": "9", "source": "EL"}]}', "`name` is missing"),
    (
        "aliases not text",
        '{"results": [{"id": "9", "name": "Zorvak", "source": "EL", "alt_names": [1]}]}',
        "`alt_names` is not a list of text",
    ),
    (
        "another format",
        '{"results": [{"id": "9", "name": "Zorvak", "altNames": [], "sourceList": "EL"}]}',
        "another tool's format",
    ),
    (
        "duplicate id",
        json.dumps(
            {
                "results": [
                    {"id": "9", "name": "Zorvak", "source": "EL"},
                    {"id": "9", "name": "Quenmur", "source": "EL"},
                ]
            }
        ),
        "appears twice",
    ),
]


@pytest.mark.parametrize("what,raw,message", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_a_bad_file_is_refused_nothing_is_stored_and_the_previous_snapshot_stays(
    list_file, what, raw, message
):
    if raw is None:
        with open(list_file(300, seed=3), encoding="utf-8") as complete:
            whole = complete.read()
        raw = whole[: len(whole) // 2]
    before = (WatchlistSnapshot.objects.count(), WatchlistEntry.objects.count())
    in_use = selectors.snapshot_in_use()
    with pytest.raises(CommandError, match="Nothing was stored") as raised:
        ingest(list_file(raw=raw))
    assert message in str(raised.value)
    assert (WatchlistSnapshot.objects.count(), WatchlistEntry.objects.count()) == before
    assert selectors.snapshot_in_use() == in_use


def test_a_list_other_than_the_csl_is_not_ingested_from_a_file(list_file):
    with pytest.raises(IngestError, match="not ingested from a file"):
        services.ingest_list(source="concern", path=list_file(), by=system_user())
    with pytest.raises(CommandError, match="Unknown source"):
        call_command("ingest_watchlist", "--source", "ofac", list_file(), stdout=io.StringIO())


def test_a_file_that_cannot_be_read_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        ingest(str(tmp_path / "missing.json"))


def test_a_list_30_percent_smaller_is_quarantined_and_the_previous_one_stays_in_use(list_file):
    good = selectors.snapshot_in_use()
    out = ingest(list_file(210, seed=5))
    smaller = WatchlistSnapshot.objects.order_by("-pk").first()
    assert smaller.status == SnapshotStatus.QUARANTINED
    assert "30% fewer than the 300" in smaller.status_reason
    assert "Quarantined" in out
    assert selectors.snapshot_in_use() == good
    status = selectors.list_status()
    assert status.usable and status.quarantined == 1


def test_a_list_within_the_allowed_drop_is_used(list_file):
    ingest(list_file(250, seed=5))  # 17% fewer
    assert selectors.snapshot_in_use().entry_count == 250


def test_an_official_releases_a_quarantined_snapshot_with_a_reason(list_file, official):
    ingest(list_file(100, seed=5))
    quarantined = WatchlistSnapshot.objects.get(status=SnapshotStatus.QUARANTINED)
    with pytest.raises(Exception, match="reason"):
        services.release_snapshot(snapshot=quarantined, by=official, reason=" ")
    services.release_snapshot(
        snapshot=quarantined, by=official, reason="The publisher merged two lists; checked."
    )
    quarantined.refresh_from_db()
    assert quarantined.status == SnapshotStatus.RELEASED
    assert quarantined.released_by == official
    assert selectors.snapshot_in_use() == quarantined
    record = quarantined.history.order_by("-history_id").first()
    assert record.history_username == "official"
    assert "merged two lists" in record.history_change_reason


def test_a_stale_list_makes_screening_unavailable(settings):
    settings.WATCHLIST_MAX_AGE_HOURS = 0.0001
    status = selectors.list_status()
    assert not status.usable
    assert "hours old" in status.reason


def test_the_sample_file_is_marked_illustrative():
    from screening.seeding import SAMPLE_FILE

    document = json.loads(SAMPLE_FILE.read_text(encoding="utf-8"))
    assert document["_note"].startswith("ILLUSTRATIVE SAMPLE")
    assert len(document["results"]) == 300
    assert all(r["remarks"] == "Illustrative entry: invented name." for r in document["results"])
