"""An auditor's offline check: export_audit, then verify_export with only the public key.

Each way of tampering with an export is caught and named: an edited record, a removed record, a
reordered pair, a cut tail, a forged checkpoint, and a log rewritten (and re-signed) after a
checkpoint the auditor kept.
"""

import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from registry.audit import checkpoints, merkle, signing, tree
from registry.audit.verify_export import main, verify
from tests.factories import VendorFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
KEY = ROOT / "tests" / "keys" / "audit-signing.key"
PUBLIC_KEY = Path(f"{KEY}.pub")


@pytest.fixture
def export(tmp_path):
    """An export of the seeded trail with two checkpoints, and the first one kept apart."""
    kept = tmp_path / "kept-checkpoint.txt"
    old, _ = checkpoints.sign()
    kept.write_text(old.note)
    VendorFactory.create_batch(3)
    checkpoints.sign()
    folder = tmp_path / "export"
    call_command("export_audit", str(folder), stdout=io.StringIO())
    return folder, kept


def lines(folder: Path) -> list[bytes]:
    return (folder / "records.jsonl").read_bytes().splitlines(keepends=True)


def rewrite(folder: Path, records: list[bytes]) -> None:
    (folder / "records.jsonl").write_bytes(b"".join(records))


def problems(folder: Path, *kept: Path) -> list[str]:
    return verify(folder, [PUBLIC_KEY], list(kept)).problems


def test_an_untouched_export_verifies_and_extends_the_kept_checkpoint(export):
    folder, kept = export
    result = verify(folder, [PUBLIC_KEY], [kept])
    assert result.ok, result.problems
    assert result.records == tree.size()
    assert result.root == tree.root(tree.size())
    assert len(list((folder / "checkpoints").iterdir())) == 2


def test_the_verifier_runs_without_django_or_a_database_driver(export):
    folder, kept = export
    result = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-m",
            "registry.audit.verify_export",
            str(folder),
            "--public-key",
            str(PUBLIC_KEY),
            "--checkpoint",
            str(kept),
        ],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1].startswith("VERIFIED:")
    imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines() if "|" in line}
    assert "registry.audit.merkle" in imported
    assert not {m for m in imported if m.split(".")[0] in ("django", "psycopg2", "psycopg")}


def test_an_edited_record_is_named(export):
    folder, _ = export
    records = lines(folder)
    records[10] = records[10].replace(b'"system"', b'"someone else"')
    rewrite(folder, records)
    found = problems(folder)
    assert any(p.startswith("[edited record]") for p in found), found


def test_a_removed_record_is_named(export):
    folder, _ = export
    records = lines(folder)
    del records[41]
    rewrite(folder, records)
    found = problems(folder)
    assert "[removed record] record 42 is missing from the export" in found


def test_a_reordered_pair_is_named(export):
    folder, _ = export
    records = lines(folder)
    records[5], records[6] = records[6], records[5]
    rewrite(folder, records)
    found = problems(folder)
    assert "[reordered records] record 6 comes after record 7 (line 7)" in found


def test_a_cut_tail_is_named_with_the_records_missing(export):
    folder, kept = export
    records = lines(folder)
    rewrite(folder, records[:-3])
    found = problems(folder)
    assert any(p.startswith("[tail cut]") and "3 records missing" in p for p in found), found
    # Cut back to before the kept checkpoint, the export's own checkpoints removed as well.
    old = signing.read_checkpoint_unverified(kept.read_text())[0].size
    rewrite(folder, records[: old - 2])
    for path in (folder / "checkpoints").iterdir():
        if path.read_text() != kept.read_text():
            path.unlink()
    found = problems(folder, kept)
    assert any("kept checkpoint" in p and "2 records missing" in p for p in found), found


def test_a_forged_checkpoint_is_named(export):
    folder, _ = export
    latest = sorted((folder / "checkpoints").iterdir())[-1]
    text, _ = signing.split_note(latest.read_text())
    size = text.splitlines()[1]
    latest.write_text(latest.read_text().replace(f"\n{size}\n", f"\n{int(size) + 1}\n", 1))
    found = problems(folder)
    assert any(p.startswith("[forged checkpoint]") and "does not hold" in p for p in found), found


def test_a_log_rewritten_and_re_signed_after_a_kept_checkpoint_is_named(export):
    """The key holder edits an old record, rebuilds the tree, signs a fresh checkpoint and
    exports only that one: the export is consistent with itself, not with what the auditor
    kept."""
    folder, kept = export
    records = lines(folder)
    records[3] = records[3].replace(b'"system"', b'"rewritten"')
    rewrite(folder, records)
    for path in (folder / "checkpoints").iterdir():
        path.unlink()
    hashes = [merkle.leaf_hash(line.rstrip(b"\n")) for line in records]
    head = signing.Checkpoint(settings.AUDIT_LOG_ORIGIN, len(hashes), merkle.root_of(hashes))
    signer = signing.Signer.parse(KEY.read_text())
    (folder / "checkpoints" / "resigned.txt").write_text(signing.sign_checkpoint(head, signer))
    assert problems(folder) == []
    found = problems(folder, kept)
    assert any(p.startswith("[rewritten after checkpoint]") for p in found), found


def test_the_command_line_names_the_failure_and_exits_non_zero(export, capsys):
    folder, _ = export
    records = lines(folder)
    del records[0]
    rewrite(folder, records)
    assert main([str(folder), "--public-key", str(PUBLIC_KEY)]) == 1
    output = capsys.readouterr().out
    assert "[removed record]" in output and output.splitlines()[-1].startswith("FAILED:")
    assert main([str(folder / "nowhere"), "--public-key", str(PUBLIC_KEY)]) == 2


def test_an_export_is_written_to_a_new_folder_only(export):
    folder, _ = export
    with pytest.raises(CommandError, match="not empty"):
        call_command("export_audit", str(folder), stdout=io.StringIO())
