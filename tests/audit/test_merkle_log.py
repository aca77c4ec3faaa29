"""The Merkle log in the database: appended with every record, signed checkpoints, and what
verify_audit finds against them (an edit, a cut tail, a rewrite, a forged or unknown signature)."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from countries.models import Country
from licenses.models import VendorStatus
from registry.audit import checkpoints, history, merkle, signing, tree
from registry.audit.chain import history_models
from registry.audit.models import AppendOnlyError, AuditChainHead, Checkpoint, TreeNode
from registry.audit.verify_tree import records
from tests.audit.conftest import tamper
from tests.factories import VendorFactory

pytestmark = pytest.mark.django_db

TEST_KEY = Path(__file__).resolve().parents[1] / "keys" / "audit-signing.key"
COUNTRY_HISTORY = Country.history.model._meta.db_table


def verify(*args) -> str:
    out = io.StringIO()
    try:
        call_command("verify_audit", *args, stdout=out)
    except CommandError as error:
        return str(error)
    assert "Merkle log:" in out.getvalue()
    return ""


def sign(*args) -> str:
    out = io.StringIO()
    call_command("audit_checkpoint", *args, stdout=out)
    return out.getvalue()


def leaves() -> list[bytes]:
    return [merkle.leaf_hash(record.content) for record in records()]


def test_every_record_of_the_seeded_trail_is_a_leaf_and_the_stored_tree_is_the_rfc_tree():
    hashes = leaves()
    size = AuditChainHead.objects.get().last_seq
    assert len(hashes) == size == tree.size()
    assert tree.root(size) == merkle.root_of(hashes)
    stored = {(n.level, n.index): bytes(n.hash) for n in TreeNode.objects.all()}
    assert stored == merkle.all_nodes(hashes)


def test_single_saves_and_bulk_updates_extend_the_tree_and_proofs_from_the_store_verify(
    official,
):
    before = tree.size()
    old_root = tree.root(before)
    vendors = VendorFactory.create_batch(3)
    for vendor in vendors:
        vendor.status = VendorStatus.SUSPENDED
    history.bulk_update(vendors, fields=["status"], by=official, reason="Sanctions")
    size = tree.size()
    assert size == before + 6 == AuditChainHead.objects.get().last_seq
    hashes = leaves()
    root = tree.root(size)
    assert root == merkle.root_of(hashes)
    for index in (0, before - 1, before, size - 1):
        proof = tree.inclusion_proof(index, size)
        assert merkle.verify_inclusion(index, size, hashes[index], proof, root)
    proof = tree.consistency_proof(before, size)
    assert merkle.verify_consistency(before, size, old_root, root, proof)


def test_a_checkpoint_is_signed_stored_written_out_and_not_repeated_without_new_records(
    tmp_path, official
):
    output = sign("--out", str(tmp_path))
    checkpoint = Checkpoint.objects.get()
    assert checkpoint.tree_size == tree.size()
    verifier = signing.Verifier.parse(Path(f"{TEST_KEY}.pub").read_text())
    head, signed_by = signing.open_checkpoint(checkpoint.note, [verifier])
    assert (head.size, head.root) == (checkpoint.tree_size, tree.root(checkpoint.tree_size))
    assert signed_by == [verifier] and checkpoint.key_id == verifier.hex_id
    [written] = tmp_path.iterdir()
    assert written.read_text() == checkpoint.note
    assert checkpoint.note in output

    assert "Unchanged" in sign()
    assert Checkpoint.objects.count() == 1
    VendorFactory()
    sign()
    assert Checkpoint.objects.count() == 2
    assert verify() == ""


def test_checkpoints_and_tree_nodes_are_append_only(official):
    checkpoint, _ = checkpoints.sign()
    checkpoint.tree_size = 1
    with pytest.raises(AppendOnlyError):
        checkpoint.save()
    with pytest.raises(AppendOnlyError):
        checkpoint.delete()
    with pytest.raises(AppendOnlyError):
        Checkpoint.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        TreeNode.objects.filter(level=0).update(hash=b"x" * 32)


@pytest.mark.postgres
def test_the_database_refuses_to_change_a_checkpoint_or_a_node():
    from django.db import DatabaseError, transaction

    checkpoints.sign()
    for sql in (
        "UPDATE audit_checkpoint SET tree_size = 1",
        "DELETE FROM audit_checkpoint",
        'UPDATE audit_tree_node SET hash = hash WHERE "index" = 0',
        "DELETE FROM audit_tree_node",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)


def test_a_record_edited_in_the_database_is_named_and_breaks_consistency_with_the_checkpoint():
    checkpoints.sign()
    record = Country.history.model.objects.filter(code="HU").order_by("audit_seq").last()
    tamper(
        f"UPDATE {COUNTRY_HISTORY} SET history_change_reason = %s WHERE history_id = %s",
        ["Nothing to see here", record.history_id],
    )
    message = verify("--skip-reconcile")
    assert "[edited record]" in message
    assert f"record {record.audit_seq} ({COUNTRY_HISTORY}, history_id {record.history_id})" in (
        message
    )
    assert "[not consistent]" in message


def cut_tail(count: int) -> None:
    """Removes the newest records, the nodes and checkpoints that cover them, and moves the
    chain's head back, as someone with database rights could: the chain alone verifies again."""
    trail = list(records())
    keep = len(trail) - count
    for record in trail[keep:]:
        tamper(f"DELETE FROM {record.table} WHERE history_id = %s", [record.history_id])
    tamper("DELETE FROM audit_checkpoint WHERE tree_size > %s", [keep])
    tamper('DELETE FROM audit_tree_node WHERE ("index" + 1) * (1 << level) > %s', [keep])
    model = next(m for m in history_models() if m._meta.db_table == trail[keep - 1].table)
    last_hash = model.objects.get(pk=trail[keep - 1].history_id).audit_hash
    tamper("UPDATE registry_auditchainhead SET last_seq = %s, last_hash = %s", [keep, last_hash])


def test_a_tail_cut_with_the_head_reset_is_caught_by_a_checkpoint_kept_outside(tmp_path):
    VendorFactory.create_batch(2)
    kept = tmp_path / "kept.txt"
    sign("--out", str(kept))
    cut_tail(2)
    assert verify("--skip-reconcile") == ""
    message = verify("--skip-reconcile", "--checkpoint", str(kept))
    assert "[records missing]" in message
    assert "2 records missing" in message


def test_a_forged_checkpoint_and_one_by_an_unknown_key_are_refused(tmp_path, settings):
    checkpoint, _ = checkpoints.sign()
    text, _ = signing.split_note(checkpoint.note)
    forged = checkpoint.note.replace(text.splitlines()[2], "A" * 43 + "=")
    (tmp_path / "forged.txt").write_text(forged)
    message = verify("--skip-reconcile", "--checkpoint", str(tmp_path / "forged.txt"))
    assert "[forged checkpoint]" in message and "does not hold" in message

    stranger = signing.Signer.generate(settings.AUDIT_LOG_ORIGIN)
    head = signing.Checkpoint(settings.AUDIT_LOG_ORIGIN, checkpoint.tree_size, b"\0" * 32)
    (tmp_path / "stranger.txt").write_text(signing.sign_checkpoint(head, stranger))
    message = verify("--skip-reconcile", "--checkpoint", str(tmp_path / "stranger.txt"))
    assert "[forged checkpoint]" in message and "signed by no key given" in message


def test_after_a_key_rotation_old_checkpoints_verify_with_the_old_public_key(
    tmp_path, settings, official
):
    checkpoints.sign()
    new_key = tmp_path / "new.key"
    call_command("make_audit_key", str(new_key), stdout=io.StringIO())
    settings.AUDIT_SIGNING_KEY_FILE = str(new_key)
    VendorFactory()
    sign()
    old, new = Checkpoint.objects.order_by("tree_size")
    assert old.key_id != new.key_id and new.tree_size > old.tree_size
    assert "[forged checkpoint]" in verify("--skip-reconcile")
    settings.AUDIT_PUBLIC_KEY_FILES = [f"{TEST_KEY}.pub"]
    assert verify("--skip-reconcile") == ""


def test_a_log_behind_the_chain_is_completed_by_the_next_checkpoint():
    size = tree.size()
    tamper('DELETE FROM audit_tree_node WHERE ("index" + 1) * (1 << level) > %s', [size - 5])
    assert tree.size() == size - 5
    checkpoint, _ = checkpoints.sign()
    assert checkpoint.tree_size == size == tree.size()
    assert tree.root(size) == merkle.root_of(leaves())
    assert verify("--skip-reconcile") == ""


def test_make_audit_key_writes_a_private_key_only_its_owner_reads_and_never_overwrites(tmp_path):
    key = tmp_path / "signing.key"
    call_command("make_audit_key", str(key), stdout=io.StringIO())
    assert key.stat().st_mode & 0o077 == 0
    signer = signing.Signer.parse(key.read_text())
    public = Path(f"{key}.pub").read_text()
    assert signing.Verifier.parse(public) == signer.verifier
    assert "BEGIN PUBLIC KEY" in public
    with pytest.raises(CommandError, match="exists"):
        call_command("make_audit_key", str(key), stdout=io.StringIO())


def test_an_unreadable_or_invalid_signing_key_fails_the_system_checks(tmp_path, settings):
    from registry.audit.checks import checkpoint_key_is_usable

    assert checkpoint_key_is_usable() == []
    broken = tmp_path / "broken.key"
    broken.write_text("PRIVATE+KEY+not-a-key")
    settings.AUDIT_SIGNING_KEY_FILE = str(broken)
    settings.DEBUG = False
    assert [e.id for e in checkpoint_key_is_usable()] == ["audit.E004"]
    settings.AUDIT_SIGNING_KEY_FILE = str(tmp_path / "missing.key")
    settings.DEBUG = True
    assert [e.id for e in checkpoint_key_is_usable()] == ["audit.W004"]
