"""Decision receipts: each decision is signed, served to its vendor alone, and checked offline.

A receipt is canonical JSON signed with the audit key; the offline verifier needs only the public
key, and refuses a receipt with any one byte changed.
"""

import base64
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from knox.models import AuthToken
from rest_framework.test import APIClient

from countries.models import Country
from licenses import services
from licenses.models import EndUserKind
from registry import roles
from registry.audit import receipts, signing, tree
from registry.audit.models import AppendOnlyError, DecisionReceipt
from registry.audit.verify_export import main, verify, verify_receipts
from tests.factories import (
    VendorFactory,
    issue_licence,
    submit_application,
    user_with_role,
)

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PUBLIC_KEY = ROOT / "tests" / "keys" / "audit-signing.key.pub"


def api_for(user) -> APIClient:
    client = APIClient()
    _, key = AuthToken.objects.create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def opened(document: bytes) -> dict:
    receipt, _ = signing.open_receipt(document, [signing.Verifier.parse(PUBLIC_KEY.read_text())])
    return receipt


def test_an_approval_has_a_signed_receipt_of_its_inputs_and_the_log_head(
    vendor, vendor_user, product, official
):
    licence = issue_licence(vendor=vendor, product=product, by=vendor_user, official=official)
    application = licence.application
    stored = receipts.latest(application.reference)
    receipt = opened(stored.document.encode())
    assert receipt["decision"] == "approval"
    assert receipt["outcome"] == "approved"
    assert receipt["subject"] == application.reference
    assert receipt["vendor"]["registration_number"] == vendor.registration_number
    assert receipt["product"]["control_entry"] == product.control_entry
    assert receipt["destination"] == {"code": "FR", "name": "France"}
    assert [p["role"] for p in receipt["parties"]] == ["end_user"]
    assert {r["rule"] for r in receipt["rules"]} >= {"destination_whitelisted"}
    assert all(r["passed"] for r in receipt["rules"])
    assert receipt["whitelist_revision"] == application.screened_against.reference
    assert receipt["licence"]["number"] == licence.number
    assert receipt["decided_by"] == official.username
    assert receipt["documents"] == []
    # The restricted-party lists the decision screened against, by snapshot.
    assert receipt["screening_snapshots"] == sorted(
        {s for r in application.screening for s in r.get("snapshots") or ()}
    )
    assert receipt["screening_snapshots"]
    # And the signed certificate issued with the licence, by its digest.
    [certificate] = receipt["issued_documents"]
    assert certificate["kind"] == "certificate" and len(certificate["sha256"]) == 64
    # The log head it signs holds the decision: the licence and its certificate are its leaves.
    assert receipt["log"]["tree_size"] == tree.size()
    assert base64.b64decode(receipt["log"]["root"]) == tree.root(tree.size())
    assert stored.key_id == signing.Verifier.parse(PUBLIC_KEY.read_text()).hex_id


def test_the_receipt_is_canonical_json_without_floats(vendor, vendor_user, product, official):
    licence = issue_licence(vendor=vendor, product=product, by=vendor_user, official=official)
    document = receipts.latest(licence.application.reference).document.encode()
    parsed = json.loads(document)
    assert document == json.dumps(
        parsed, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")
    assert parsed["receipt"]["application"]["value"] == "250000.00"
    with pytest.raises(signing.NoteError):
        signing.canonical_json({"value": 1.5})


def test_an_export_with_its_declaration_lists_the_documents_hashes(
    vendor, vendor_user, product, official
):
    issue_licence(vendor=vendor, product=product, by=vendor_user, official=official)
    licence = issue_licence(
        vendor=vendor, product=product, by=vendor_user, official=official, licence_type="export"
    )
    receipt = opened(receipts.latest(licence.application.reference).document.encode())
    [document] = receipt["documents"]
    assert document["kind"] == "end_user_declaration"
    assert document["review"] == "accepted"
    assert document["sha256"] == licence.application.documents.get().sha256


def test_refusals_by_an_official_at_intake_and_on_a_revision_each_have_a_receipt(
    vendor, vendor_user, product, official, senior, second_senior
):
    refused = submit_application(vendor=vendor, product=product, by=vendor_user)
    services.start_review(application=refused, by=official)
    services.refuse_application(
        application=refused, by=official, reason="Diversion risk", criteria=["diversion_risk"]
    )
    at_intake = submit_application(
        vendor=vendor, product=product, by=vendor_user, end_user_kind=EndUserKind.PRIVATE
    )
    pending = submit_application(vendor=vendor, product=product, by=vendor_user, destination="DE")
    from countries import services as countries_services
    from tests.factories import propose_removal

    revision = propose_removal(code="DE", by=senior)
    countries_services.approve_revision(revision=revision, by=second_senior)

    kinds = {
        r.subject: opened(r.document.encode())["decision"] for r in DecisionReceipt.objects.all()
    }
    assert kinds == {
        refused.reference: "refusal",
        at_intake.reference: "intake_refusal",
        pending.reference: "revision_refusal",
    }
    intake = opened(receipts.latest(at_intake.reference).document.encode())
    assert intake["decided_by"] == "system"
    assert [r["rule"] for r in intake["rules"] if not r["passed"]] == ["end_user_government"]
    on_revision = opened(receipts.latest(pending.reference).document.encode())
    assert on_revision["whitelist_revision"] == revision.reference


def test_the_vendor_gets_its_receipt_and_another_vendor_a_404(
    vendor, vendor_user, product, official
):
    licence = issue_licence(vendor=vendor, product=product, by=vendor_user, official=official)
    reference = licence.application.reference
    url = f"/api/v1/applications/{reference}/receipt/"
    response = api_for(vendor_user).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.content == receipts.latest(reference).document.encode()
    assert opened(response.content)["subject"] == reference

    other_vendor = VendorFactory()
    other = user_with_role(role=roles.VENDORS, username="vendor-other", vendor=other_vendor)
    assert api_for(other).get(url).status_code == 404
    assert APIClient().get(url).status_code == 401


def test_an_undecided_application_has_no_receipt_yet(vendor, vendor_user, product):
    application = submit_application(vendor=vendor, product=product, by=vendor_user)
    response = api_for(vendor_user).get(f"/api/v1/applications/{application.reference}/receipt/")
    assert response.status_code == 404
    assert "no decision" in response.json()["detail"]


def test_receipts_are_append_only(vendor, vendor_user, product, official):
    licence = issue_licence(vendor=vendor, product=product, by=vendor_user, official=official)
    stored = receipts.latest(licence.application.reference)
    with pytest.raises(AppendOnlyError):
        stored.save()
    with pytest.raises(AppendOnlyError):
        DecisionReceipt.objects.all().update(decision="approval")


@pytest.fixture
def receipt_file(tmp_path, vendor, vendor_user, product, official):
    licence = issue_licence(vendor=vendor, product=product, by=vendor_user, official=official)
    path = tmp_path / "receipt.json"
    path.write_bytes(receipts.latest(licence.application.reference).document.encode())
    return path


def test_the_offline_verifier_checks_a_receipt(receipt_file, capsys):
    assert main(["--receipt", str(receipt_file), "--public-key", str(PUBLIC_KEY)]) == 0
    assert "VERIFIED: 1 receipt" in capsys.readouterr().out


def test_one_byte_changed_anywhere_fails_the_check(receipt_file):
    original = receipt_file.read_bytes()
    # Every byte of the document: the receipt's values, its keys, its punctuation, the signature.
    for position in range(0, len(original), 7):
        changed = bytearray(original)
        changed[position] = changed[position] ^ 0x01
        receipt_file.write_bytes(bytes(changed))
        result = verify_receipts([receipt_file], [PUBLIC_KEY])
        assert not result.ok, f"byte {position} changed, and the receipt still verified"
    receipt_file.write_bytes(original.replace(b'"outcome":"approved"', b'"outcome":"refused"'))
    assert verify_receipts([receipt_file], [PUBLIC_KEY]).problems[0].startswith("[forged receipt]")


def test_a_receipt_reformatted_is_refused(receipt_file):
    pretty = json.dumps(json.loads(receipt_file.read_bytes()), indent=1).encode()
    receipt_file.write_bytes(pretty)
    [problem] = verify_receipts([receipt_file], [PUBLIC_KEY]).problems
    assert "canonical" in problem


def test_the_receipt_is_also_a_signed_note(receipt_file):
    document = json.loads(receipt_file.read_bytes())
    [signature] = document["signatures"]
    text = signing.canonical_json(document["receipt"]).decode() + "\n"
    note = f"{text}\n— {signature['key_name']} {signature['signature']}\n"
    signing.open_note(note, [signing.Verifier.parse(PUBLIC_KEY.read_text())])


def test_an_export_must_extend_the_log_head_a_receipt_signed(receipt_file, tmp_path):
    from registry.audit import checkpoints

    checkpoints.sign()
    folder = tmp_path / "export"
    call_command("export_audit", str(folder), stdout=io.StringIO())
    assert verify(folder, [PUBLIC_KEY], [], [receipt_file]).ok
    size = json.loads(receipt_file.read_bytes())["receipt"]["log"]["tree_size"]
    lines = (folder / "records.jsonl").read_bytes().splitlines(keepends=True)
    # The licence issued, among the last records the receipt covers, rewritten in the export.
    last = max(i for i in range(size) if b'"active"' in lines[i])
    lines[last] = lines[last].replace(b'"active"', b'"revoked"')
    (folder / "records.jsonl").write_bytes(b"".join(lines))
    problems = verify(folder, [PUBLIC_KEY], [], [receipt_file]).problems
    assert any(p.startswith("[rewritten after receipt]") for p in problems), problems


def test_the_receipt_check_runs_without_django(receipt_file):
    result = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-m",
            "registry.audit.verify_export",
            "--receipt",
            str(receipt_file),
            "--public-key",
            str(PUBLIC_KEY),
        ],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines() if "|" in line}
    assert not {m for m in imported if m.split(".")[0] in ("django", "psycopg2", "psycopg")}


def test_a_decision_fails_whole_when_its_receipt_cannot_be_signed(
    settings, vendor, vendor_user, product, official, tmp_path
):
    application = submit_application(vendor=vendor, product=product, by=vendor_user)
    services.start_review(application=application, by=official)
    settings.AUDIT_SIGNING_KEY_FILE = str(tmp_path / "missing.key")
    with pytest.raises(Exception, match="cannot be read"):
        services.refuse_application(
            application=application, by=official, reason="No", criteria=["other"]
        )
    application.refresh_from_db()
    assert application.status == "under_review"
    assert not DecisionReceipt.objects.exists()
    assert Country.objects.filter(code="FR").exists()


def test_the_quick_start_writes_its_key_before_the_demo_decides(settings, tmp_path):
    settings.DEBUG = True
    settings.AUDIT_SIGNING_KEY_FILE = str(tmp_path / "audit-signing-dev.key")
    call_command("quickstart", no_serve=True, stdout=io.StringIO())
    assert (tmp_path / "audit-signing-dev.key.pub").exists()
    verifier = signing.Verifier.parse((tmp_path / "audit-signing-dev.key.pub").read_text())
    decided = DecisionReceipt.objects.all()
    assert {r.decision for r in decided} >= {"approval", "intake_refusal"}
    for stored in decided:
        signing.open_receipt(stored.document.encode(), [verifier])
