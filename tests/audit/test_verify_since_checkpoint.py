"""verify_audit --since-checkpoint: a signed checkpoint kept outside the database vouches for the
records it covers, and only the records written after it are rehashed. It still catches an edit
after the checkpoint, a cut tail, a rewritten log and a forged signature."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from countries.models import Country
from registry.audit import checkpoints, merkle, signing, tree
from registry.audit.models import VerificationRun
from registry.audit.verify_tree import records
from tests.audit.conftest import tamper
from tests.audit.test_merkle_log import cut_tail
from tests.factories import VendorFactory

pytestmark = pytest.mark.django_db

COUNTRY_HISTORY = Country.history.model._meta.db_table


def since(path) -> tuple[str, str]:
    """The command's output and, when it fails, its error."""
    out = io.StringIO()
    try:
        call_command("verify_audit", "--since-checkpoint", str(path), stdout=out)
    except CommandError as error:
        return out.getvalue(), str(error)
    return out.getvalue(), ""


def keep_checkpoint(tmp_path):
    checkpoint, _ = checkpoints.sign(force=True)
    path = tmp_path / "kept.txt"
    checkpoints.write_out(checkpoint, path)
    return checkpoint, path


def test_an_untouched_trail_verifies_from_the_checkpoint_and_says_what_was_trusted(tmp_path):
    checkpoint, path = keep_checkpoint(tmp_path)
    VendorFactory.create_batch(2)
    size, last = checkpoint.tree_size, tree.size()
    assert last > size
    out, error = since(path)
    assert error == ""
    assert (
        f"Records 1..{size} trusted by the checkpoint of size {size} signed by "
        f"{checkpoint.key_name}" in out
    )
    assert f"records {size + 1}..{last} verified ({last - size} rehashed" in out
    assert "only a full run" in out and "Reconciliation skipped" in out
    assert "Audit trail verified." in out
    run = VerificationRun.objects.latest("id")
    assert run.ok and run.source == "since checkpoint" and run.records == last - size


def test_the_integrity_page_says_an_incremental_run_rehashed_only_the_newer_records(
    tmp_path, auditor_client
):
    _, path = keep_checkpoint(tmp_path)
    VendorFactory()
    since(path)
    page = auditor_client.get(reverse("audit:integrity")).content.decode()
    assert "only the records written after a kept checkpoint were rehashed" in page


def test_a_folder_stands_for_its_newest_checkpoint_and_no_new_record_verifies(tmp_path):
    checkpoint, _ = checkpoints.sign(force=True)
    checkpoints.write_out(checkpoint, tmp_path)
    out, error = since(tmp_path)
    assert error == ""
    assert f"Records 1..{checkpoint.tree_size} trusted" in out


def test_a_record_edited_after_the_checkpoint_is_named(tmp_path):
    checkpoint, path = keep_checkpoint(tmp_path)
    VendorFactory.create_batch(2)
    record = list(records())[-2]
    assert record.seq > checkpoint.tree_size
    tamper(
        f"UPDATE {record.table} SET history_change_reason = %s WHERE history_id = %s",
        ["Nothing to see here", record.history_id],
    )
    _, error = since(path)
    assert "NOT verified" in error
    where = f"record {record.seq} ({record.table}, history_id {record.history_id})"
    assert f"[edited record] {where} no longer matches its leaf" in error
    assert f"[chain] {where}: its content or hash does not match the chain" in error


def test_a_record_edited_before_the_checkpoint_is_left_to_the_full_run(tmp_path):
    record = Country.history.model.objects.order_by("audit_seq").first()
    _, path = keep_checkpoint(tmp_path)
    tamper(
        f"UPDATE {COUNTRY_HISTORY} SET history_change_reason = %s WHERE history_id = %s",
        ["Nothing to see here", record.history_id],
    )
    _, error = since(path)
    assert error == ""
    with pytest.raises(CommandError, match="edited record"):
        call_command("verify_audit", "--skip-reconcile", stdout=io.StringIO())


def test_a_tail_cut_below_the_checkpoint_is_caught(tmp_path):
    VendorFactory.create_batch(2)
    checkpoint, path = keep_checkpoint(tmp_path)
    cut_tail(3)
    _, error = since(path)
    assert "[records missing]" in error
    assert f"signs {checkpoint.tree_size} records" in error and "3 records missing" in error


def test_a_log_rewritten_under_the_checkpoint_no_longer_matches_its_root(tmp_path):
    checkpoint, path = keep_checkpoint(tmp_path)
    VendorFactory()
    # An old record is edited and the whole log rebuilt from the edited records, as someone
    # hiding the edit from the log would: the log is whole, but not the one that was signed.
    record = Country.history.model.objects.order_by("audit_seq").first()
    tamper(
        f"UPDATE {COUNTRY_HISTORY} SET history_change_reason = %s WHERE history_id = %s",
        ["Nothing to see here", record.history_id],
    )
    tamper("DELETE FROM audit_tree_node")
    nodes = merkle.all_nodes([merkle.leaf_hash(r.content) for r in records()])
    for (level, index), digest in nodes.items():
        tamper(
            'INSERT INTO audit_tree_node (level, "index", hash) VALUES (%s, %s, %s)',
            [level, index, digest],
        )
    _, error = since(path)
    assert f"[not consistent] checkpoint {path}: the stored log's first " in error
    assert f"{checkpoint.tree_size} records do not hash to the root it signed" in error


def test_a_forged_or_unknown_signature_is_refused(tmp_path, settings):
    checkpoint, _ = checkpoints.sign(force=True)
    text, _ = signing.split_note(checkpoint.note)
    forged = tmp_path / "forged.txt"
    forged.write_text(checkpoint.note.replace(text.splitlines()[2], "A" * 43 + "="))
    _, error = since(forged)
    assert "[forged checkpoint]" in error and "does not hold" in error

    stranger = signing.Signer.generate(settings.AUDIT_LOG_ORIGIN)
    head = signing.Checkpoint(settings.AUDIT_LOG_ORIGIN, checkpoint.tree_size, checkpoint.root_hash)
    unknown = tmp_path / "unknown.txt"
    unknown.write_text(signing.sign_checkpoint(head, stranger))
    _, error = since(unknown)
    assert "[forged checkpoint]" in error and "signed by no key given" in error


def test_it_runs_alone(tmp_path):
    _, path = keep_checkpoint(tmp_path)
    with pytest.raises(CommandError, match="runs alone"):
        call_command("verify_audit", "--since-checkpoint", str(path), "--checkpoint", str(path))
