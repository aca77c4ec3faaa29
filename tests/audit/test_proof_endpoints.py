"""The Merkle log's endpoints: what an auditor fetches and checks with RFC 9162 alone."""

import base64
from pathlib import Path

import pytest
from django.urls import reverse

from registry.audit import checkpoints, merkle, signing, tree
from tests.factories import VendorFactory

pytestmark = pytest.mark.django_db

CHECKPOINT = reverse("audit:checkpoint")
INCLUSION = reverse("audit:proof-inclusion")
CONSISTENCY = reverse("audit:proof-consistency")
PUBLIC_KEY = Path(__file__).resolve().parents[1] / "keys" / "audit-signing.key.pub"


def b64(text):
    return base64.b64decode(text)


@pytest.mark.parametrize("url", [CHECKPOINT, INCLUSION + "?seq=1", CONSISTENCY + "?from=1"])
def test_only_auditors_reach_the_proofs(client, official, url):
    assert client.get(url).status_code == 302
    client.force_login(official)
    assert client.get(url).status_code == 403


def test_the_latest_checkpoint_is_served_as_its_signed_note(auditor_client):
    assert auditor_client.get(CHECKPOINT).status_code == 404
    checkpoints.sign()
    response = auditor_client.get(CHECKPOINT)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    verifier = signing.Verifier.parse(PUBLIC_KEY.read_text())
    head, _ = signing.open_checkpoint(response.content.decode(), [verifier])
    assert head.size == tree.size()


def test_an_inclusion_proof_verifies_against_a_signed_checkpoint(auditor_client):
    checkpoint, _ = checkpoints.sign()
    head = signing.Checkpoint.parse_text(signing.split_note(checkpoint.note)[0])
    for seq in (1, head.size // 2, head.size):
        body = auditor_client.get(INCLUSION, {"seq": seq, "size": head.size}).json()
        assert b64(body["root_hash"]) == head.root
        assert merkle.verify_inclusion(
            seq - 1, head.size, b64(body["leaf_hash"]), [b64(p) for p in body["proof"]], head.root
        )


def test_a_consistency_proof_shows_the_log_only_grew_since_a_kept_checkpoint(auditor_client):
    old, _ = checkpoints.sign()
    VendorFactory.create_batch(3)
    new, _ = checkpoints.sign()
    body = auditor_client.get(CONSISTENCY, {"from": old.tree_size, "to": new.tree_size}).json()
    assert merkle.verify_consistency(
        old.tree_size,
        new.tree_size,
        bytes(old.root_hash),
        bytes(new.root_hash),
        [b64(p) for p in body["proof"]],
    )


@pytest.mark.parametrize(
    "query",
    [
        INCLUSION,
        INCLUSION + "?seq=",
        INCLUSION + "?seq=abc",
        INCLUSION + "?seq=-1",
        INCLUSION + "?seq=0",
        INCLUSION + "?seq=%EF%BC%91",  # a full-width digit
        INCLUSION + "?seq=5&size=4",
        INCLUSION + "?seq=1&size=99999999",
        INCLUSION + "?seq=1&size=99999999999999999999999",
        CONSISTENCY,
        CONSISTENCY + "?from=0",
        CONSISTENCY + "?from=9&to=3",
        CONSISTENCY + "?from=1&to=1e9",
        CONSISTENCY + "?from=1&to=99999999",
    ],
)
def test_bad_parameters_answer_400_with_a_json_error(auditor_client, query):
    response = auditor_client.get(query)
    assert response.status_code == 400
    assert response.json()["error"]


INTEGRITY = reverse("audit:integrity")


def test_the_integrity_page_shows_the_latest_checkpoint_and_a_records_leaf(
    auditor_client, official
):
    assert "No checkpoint has been signed yet" in auditor_client.get(INTEGRITY).content.decode()
    checkpoint, _ = checkpoints.sign()
    VendorFactory()
    page = auditor_client.get(INTEGRITY, {"seq": 3}).content.decode()
    assert checkpoint.note.splitlines()[2] in page
    assert f"{tree.size()} records in the log, 1 written since the latest checkpoint" in page
    assert tree.leaf(2).hex() in page
    assert auditor_client.get(INTEGRITY, {"seq": "x"}).status_code == 400
    assert auditor_client.get(INTEGRITY, {"seq": tree.size() + 1}).status_code == 400
    auditor_client.force_login(official)
    assert auditor_client.get(INTEGRITY).status_code == 403


def test_the_timeline_and_an_objects_history_show_each_records_leaf_hash(auditor_client):
    vendor = VendorFactory()
    record = vendor.history.get()
    leaf = tree.leaf(record.audit_seq - 1).hex()
    for url in (
        reverse("audit:timeline"),
        reverse("audit:object-history", args=["vendor", vendor.registration_number]),
    ):
        page = auditor_client.get(url).content.decode()
        assert f'title="Merkle leaf hash {leaf}"' in page
