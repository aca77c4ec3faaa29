"""Drafts, parties and documents through the vendors' API, and what each refuses."""

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from documents import storage
from documents.models import Document
from documents.samples import minimal_pdf
from licenses import services
from licenses.models import LicenceApplication, Party
from registry.errors import ScreeningFailed
from tests.factories import accept_declaration, application_body, issue_licence

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("documents_folder")]

APPLICATIONS = "/api/v1/applications/"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def stored_files(folder):
    return sorted(p.name for p in folder.glob("*")) if folder.exists() else []


def draft(api, product, **changes):
    body = application_body(product, **{"licence_type": "export", "draft": True, **changes})
    body.pop("end_user")
    response = api.post(APPLICATIONS, body, format="json")
    assert response.status_code == 201, response.content
    return response.json()["reference"]


def add_party(api, reference, **fields):
    body = {"role": "end_user", "name": "DGSI", "country": "FR", "kind": "intelligence"}
    body.update(fields)
    return api.post(f"{APPLICATIONS}{reference}/parties/", body, format="json")


def upload(api, reference, *, content=None, name="declaration.pdf", **fields):
    data = {
        "file": SimpleUploadedFile(name, minimal_pdf(["Signed"]) if content is None else content),
        "kind": "end_user_declaration",
        "template_version": "DECA-2021-12",
        "signatory_name": "Céline Martin",
        "signatory_position": "Director of legal affairs",
        "signed_on": "2026-11-02",
        "language": "fr",
    }
    data.update(fields)
    data = {k: v for k, v in data.items() if v is not None}
    return api.post(f"{APPLICATIONS}{reference}/documents/", data, format="multipart")


@pytest.fixture
def export_draft(api_a, product_a):
    """A draft export to France with its end user (no declaration yet)."""
    reference = draft(api_a, product_a)
    assert add_party(api_a, reference).status_code == 201
    return reference


def application(reference):
    return LicenceApplication.objects.get(reference=reference)


# --- Drafts ---------------------------------------------------------------------------------------


def test_a_draft_is_stored_unscreened_and_without_a_submission_time(api_a, product_a):
    reference = draft(api_a, product_a)
    body = api_a.get(f"{APPLICATIONS}{reference}/").json()
    assert (body["status"], body["screening"], body["end_user"]) == ("draft", [], None)
    assert body["submitted_at"] is None
    assert api_a.get(APPLICATIONS, {"status": "draft"}).json()["count"] == 1


def test_a_post_without_draft_still_submits_at_once(api_a, product_a):
    response = api_a.post(APPLICATIONS, application_body(product_a), format="json")
    assert response.json()["status"] == "submitted"


@pytest.mark.parametrize("value", ["true", 1, None])
def test_draft_must_be_a_json_boolean(api_a, product_a, value):
    response = api_a.post(APPLICATIONS, application_body(product_a, draft=value), format="json")
    assert response.status_code == 400
    assert "draft" in response.json()["errors"]
    assert not LicenceApplication.objects.exists()


def test_a_draft_may_carry_its_end_user(api_a, product_a):
    body = application_body(product_a, draft=True)
    response = api_a.post(APPLICATIONS, body, format="json")
    assert response.json()["end_user"] == {
        "name": "Direction générale de la sécurité intérieure",
        "kind": "intelligence",
    }
    party = Party.objects.get()
    assert (party.role, party.country.code) == ("end_user", "FR")


def test_patch_changes_a_draft_with_history(api_a, product_a, export_draft):
    url = f"{APPLICATIONS}{export_draft}/"
    response = api_a.patch(url, {"value": "99.50", "end_use": "Border security."}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["value"], response.json()["end_use"]) == ("99.50", "Border security.")
    latest = application(export_draft).history.first()
    assert (latest.history_change_reason, latest.history_username) == (
        "Draft changed",
        "vendor-acme",
    )


@pytest.mark.parametrize(
    "body,field",
    [
        ({"status": "approved"}, "status"),
        ({"currency": "eur"}, "currency"),
        ({"value": 5}, "value"),
    ],
)
def test_patch_refuses_what_it_does_not_take(api_a, export_draft, body, field):
    response = api_a.patch(f"{APPLICATIONS}{export_draft}/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert application(export_draft).history.count() == 1


def test_patch_after_submission_is_a_409(api_a, application_a):
    response = api_a.patch(
        f"{APPLICATIONS}{application_a.reference}/", {"value": "1"}, format="json"
    )
    assert response.status_code == 409
    assert "only a draft" in response.json()["detail"]


def test_a_draft_without_an_end_user_is_incomplete_and_stays_a_draft(api_a, product_a):
    reference = draft(api_a, product_a, licence_type="marketing")
    response = api_a.post(f"{APPLICATIONS}{reference}/submit/")
    assert response.status_code == 400
    assert response.json()["code"] == "incomplete"
    assert application(reference).status == "draft"


def test_an_export_draft_without_a_declaration_is_incomplete_and_left_as_it_was(
    api_a, export_draft
):
    records = application(export_draft).history.count()
    response = api_a.post(f"{APPLICATIONS}{export_draft}/submit/")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "incomplete"
    assert body["failed_rules"][0]["rule"] == "end_user_declaration"
    stored = application(export_draft)
    assert (stored.status, stored.screening, stored.history.count()) == ("draft", [], records)


def test_submitting_a_marketing_draft_screens_it(api_a, product_a):
    reference = draft(api_a, product_a, licence_type="marketing")
    add_party(api_a, reference)
    response = api_a.post(f"{APPLICATIONS}{reference}/submit/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "submitted" and body["submitted_at"]
    assert len(body["screening"]) == 7 and all(r["passed"] for r in body["screening"])
    assert api_a.post(f"{APPLICATIONS}{reference}/submit/").status_code == 409


def test_submit_takes_no_body(api_a, export_draft):
    response = api_a.post(f"{APPLICATIONS}{export_draft}/submit/", {"now": True}, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["now"]


def test_a_draft_is_withdrawn_never_deleted(api_a, export_draft):
    assert api_a.delete(f"{APPLICATIONS}{export_draft}/").status_code == 405
    response = api_a.post(f"{APPLICATIONS}{export_draft}/withdraw/")
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    assert application(export_draft).status == "withdrawn"


# --- Parties --------------------------------------------------------------------------------------


def test_parties_are_listed_with_their_ids(api_a, export_draft):
    consignee = add_party(
        api_a, export_draft, role="consignee", name="Thales", address="Paris", kind=""
    )
    assert consignee.status_code == 201, consignee.content
    listed = api_a.get(f"{APPLICATIONS}{export_draft}/parties/").json()
    assert [(p["role"], p["name"], p["country"]) for p in listed["results"]] == [
        ("end_user", "DGSI", "FR"),
        ("consignee", "Thales", "FR"),
    ]
    party = Party.objects.get(key=consignee.json()["id"])
    record = party.history.get()
    assert (record.history_change_reason, record.history_username) == (
        f"Consignee named on {export_draft}",
        "vendor-acme",
    )


@pytest.mark.parametrize(
    "fields,field",
    [
        ({"country": "XX"}, "country"),
        ({"country": "fr"}, "country"),
        ({"kind": "mercenary"}, "kind"),
        ({"kind": ""}, "kind"),
        ({"role": "buyer"}, "role"),
        ({"name": ""}, "name"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_an_invalid_party_is_a_400_naming_the_field(api_a, product_a, fields, field):
    reference = draft(api_a, product_a)
    response = add_party(api_a, reference, **fields)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not Party.objects.exists()


def test_a_second_end_user_is_refused(api_a, export_draft):
    response = add_party(api_a, export_draft, name="Another")
    assert response.status_code == 400
    assert "one only" in response.json()["errors"]["role"][0]
    assert Party.objects.count() == 1


def test_parties_are_added_only_while_draft(api_a, application_a):
    response = add_party(api_a, application_a.reference, role="consignee", kind="")
    assert response.status_code == 409
    assert Party.objects.count() == 1


# --- Documents ------------------------------------------------------------------------------------


def test_a_declaration_is_filed_with_the_digest_of_its_bytes(api_a, export_draft, documents_folder):
    content = minimal_pdf(["Signed"])
    response = upload(api_a, export_draft, content=content)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    assert (body["size"], body["content_type"], body["version"]) == (
        len(content),
        "application/pdf",
        1,
    )
    assert (body["review"], body["template_version"], body["signed_on"]) == (
        "received",
        "DECA-2021-12",
        "2026-11-02",
    )
    assert body["party"] == str(application(export_draft).end_user.key)
    document = Document.objects.get()
    assert len(stored_files(documents_folder)) == 1
    record = document.history.get()
    assert record.sha256 == body["sha256"] and record.history_username == "vendor-acme"


def test_a_new_upload_is_the_next_version_and_nothing_is_overwritten(api_a, export_draft):
    first = upload(api_a, export_draft).json()
    second = upload(api_a, export_draft, content=minimal_pdf(["Signed again"])).json()
    assert (first["version"], second["version"]) == (1, 2)
    listed = api_a.get(f"{APPLICATIONS}{export_draft}/documents/").json()["results"]
    assert [d["sha256"] for d in listed] == [first["sha256"], second["sha256"]]
    downloaded = api_a.get(first["file"])
    assert b"".join(downloaded.streaming_content) == minimal_pdf(["Signed"])


@pytest.mark.parametrize("content,content_type", [(PNG, "image/png"), (JPEG, "image/jpeg")])
def test_png_and_jpeg_are_accepted(api_a, export_draft, content, content_type):
    response = upload(
        api_a,
        export_draft,
        content=content,
        name="scan.bin",
        kind="letterhead",
        template_version=None,
        signatory_name=None,
        signatory_position=None,
        signed_on=None,
        language=None,
    )
    assert response.status_code == 201, response.content
    assert response.json()["content_type"] == content_type


@pytest.mark.parametrize(
    "content", [b"%PDX-1.4 not a pdf", b"<html><script>alert(1)</script>", b"GIF89a......"]
)
def test_a_file_that_is_not_pdf_png_or_jpeg_is_a_415_whatever_its_name(
    api_a, export_draft, documents_folder, content
):
    response = upload(api_a, export_draft, content=content, name="declaration.pdf")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert not Document.objects.exists()
    assert stored_files(documents_folder) == []


def test_an_empty_file_is_a_400(api_a, export_draft, documents_folder):
    response = upload(api_a, export_draft, content=b"")
    assert response.status_code == 400
    assert "file" in response.json()["errors"]
    assert stored_files(documents_folder) == []


def test_a_file_over_the_limit_is_a_413_and_nothing_is_stored(
    api_a, export_draft, settings, documents_folder
):
    settings.DOCUMENT_MAX_BYTES = 2000
    response = upload(api_a, export_draft, content=b"%PDF-1.4\n" + b"x" * 2000)
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert not Document.objects.exists()
    assert stored_files(documents_folder) == []


def test_a_body_declaring_more_than_the_limit_is_refused_before_it_is_read(
    api_a, export_draft, settings
):
    settings.DOCUMENT_MAX_BYTES = 1000
    response = api_a.generic(
        "POST",
        f"{APPLICATIONS}{export_draft}/documents/",
        b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(10_000_000),
    )
    assert response.status_code == 413


def test_a_document_for_a_party_of_another_application_is_a_400(api_a, product_a, export_draft):
    other = draft(api_a, product_a)
    add_party(api_a, other)
    stranger = application(other).end_user
    response = upload(api_a, export_draft, party=str(stranger.key))
    assert response.status_code == 400
    assert response.json()["errors"]["party"] == ["No such party on this application."]
    assert not Document.objects.exists()


def test_a_declaration_naming_a_country_other_than_the_destination_is_a_400(api_a, product_a):
    reference = draft(api_a, product_a)
    add_party(api_a, reference, country="DE")
    response = upload(api_a, reference)
    assert response.status_code == 400
    assert "names Germany, not the destination France" in response.json()["errors"]["party"][0]
    assert not Document.objects.exists()


@pytest.mark.parametrize(
    "fields,field",
    [
        ({"signatory_name": ""}, "signatory_name"),
        ({"template_version": "DECA-1999-01"}, "template_version"),
        ({"signed_on": "2999-01-01"}, "signed_on"),
        ({"signed_on": "yesterday"}, "signed_on"),
        ({"kind": "love_letter"}, "kind"),
        ({"language": "not a tag"}, "language"),
        ({"party": "not-a-uuid"}, "party"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_invalid_document_fields_are_a_400_naming_the_field(api_a, export_draft, fields, field):
    response = upload(api_a, export_draft, **fields)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not Document.objects.exists()


def test_declaration_fields_on_another_kind_are_refused(api_a, export_draft):
    response = upload(api_a, export_draft, kind="translation")
    assert response.status_code == 400
    assert "signatory_name" in response.json()["errors"]


def test_a_field_given_twice_is_refused(api_a, export_draft):
    response = api_a.post(
        f"{APPLICATIONS}{export_draft}/documents/",
        {"file": SimpleUploadedFile("d.pdf", minimal_pdf(["x"])), "kind": ["other", "letterhead"]},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["kind"] == ["Give this field once."]


def test_a_json_body_is_a_415(api_a, export_draft):
    response = api_a.post(
        f"{APPLICATIONS}{export_draft}/documents/", {"kind": "other"}, format="json"
    )
    assert response.status_code == 415


def test_the_file_is_downloaded_as_an_attachment_that_is_never_sniffed(api_a, export_draft):
    body = upload(api_a, export_draft, name='evil"name.pdf').json()
    response = api_a.get(body["file"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == body["sha256"]


def test_documents_are_filed_until_the_decision_and_for_an_appeal_only(
    api_a, application_a, official, user_a
):
    services.refuse_application(
        application=application_a, by=official, criteria=["other"], reason="No."
    )
    fields = dict(
        kind="other",
        template_version=None,
        signatory_name=None,
        signatory_position=None,
        signed_on=None,
        language=None,
    )
    # Refused, not yet appealed: the vendor files what its appeal will rely on.
    assert upload(api_a, application_a.reference, **fields).status_code == 201
    services.lodge_appeal(application=application_a, by=user_a, grounds="Lawful use.")
    assert upload(api_a, application_a.reference, **fields).status_code == 409


def test_a_crash_while_recording_leaves_no_row_and_no_file(
    api_a, export_draft, documents_folder, monkeypatch
):
    from documents import services as documents_services

    def crash(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(documents_services.history, "save", crash)
    with pytest.raises(RuntimeError):
        upload(api_a, export_draft)
    assert not Document.objects.exists()
    assert stored_files(documents_folder) == []


def test_files_left_without_a_row_are_purged_and_never_counted(
    api_a, export_draft, documents_folder
):
    from django.core.management import call_command

    kept = upload(api_a, export_draft).json()
    orphan = storage.storage().save("orphan.pdf", SimpleUploadedFile("o.pdf", minimal_pdf(["o"])))
    assert api_a.get(f"{APPLICATIONS}{export_draft}/documents/").json()["count"] == 1
    call_command("purge_orphan_documents", "--older-than-minutes", "0", stdout=io.StringIO())
    assert orphan not in stored_files(documents_folder)
    assert Document.objects.get(key=kept["id"]).stored_as in stored_files(documents_folder)


# --- Another vendor: every new endpoint answers 404 ----------------------------------------------


def test_another_vendors_application_parties_and_documents_are_not_found(
    api_a, api_b, export_draft
):
    document = upload(api_a, export_draft).json()
    base = f"{APPLICATIONS}{export_draft}/"
    calls = [
        api_b.get(f"{base}parties/"),
        add_party(api_b, export_draft, role="consignee", kind=""),
        api_b.patch(base, {"value": "1"}, format="json"),
        api_b.post(f"{base}submit/"),
        api_b.get(f"{base}documents/"),
        upload(api_b, export_draft),
        api_b.get(f"{base}documents/{document['id']}/"),
        api_b.get(document["file"]),
    ]
    assert [response.status_code for response in calls] == [404] * len(calls)
    assert Party.objects.count() == 1 and Document.objects.count() == 1


def test_a_document_is_found_under_its_own_application_only(api_a, product_a, export_draft):
    document = upload(api_a, export_draft).json()
    other = draft(api_a, product_a)
    assert api_a.get(f"{APPLICATIONS}{other}/documents/{document['id']}/").status_code == 404
    assert api_a.get(f"{APPLICATIONS}{other}/documents/{document['id']}/file/").status_code == 404
    assert api_a.get(f"{APPLICATIONS}{export_draft}/documents/nope/").status_code == 404


# --- The whole way, through the API ---------------------------------------------------------------


def test_an_export_is_drafted_declared_submitted_accepted_and_approved(
    api_a, product_a, vendor_a, user_a, official
):
    issue_licence(vendor=vendor_a, product=product_a, by=user_a, official=official)
    reference = draft(api_a, product_a)
    assert add_party(api_a, reference).status_code == 201
    assert add_party(api_a, reference, role="consignee", name="Thales", kind="").status_code == 201
    assert upload(api_a, reference).status_code == 201
    submitted = api_a.post(f"{APPLICATIONS}{reference}/submit/").json()
    assert submitted["status"] == "submitted", submitted
    rule6 = {r["rule"]: r for r in submitted["screening"]}["end_user_declaration"]
    assert rule6["passed"] and rule6["message"].endswith("received; review pending.")

    stored = application(reference)
    services.start_review(application=stored, by=official)
    with pytest.raises(ScreeningFailed) as refused:
        services.approve_application(application=stored, by=official, reason="ok")
    assert [r["rule"] for r in refused.value.failed_rules] == ["end_user_declaration"]

    accept_declaration(application=stored, by=official)
    licence = services.approve_application(application=stored, by=official, reason="ok")
    body = api_a.get(f"{APPLICATIONS}{reference}/").json()
    assert (body["status"], body["licence"]) == ("approved", licence.number)
    assert licence.number.startswith("EL-")
    assert {r["rule"]: r["passed"] for r in body["screening"]}["end_user_declaration"]


def test_a_rejected_declaration_blocks_approval_until_a_new_version_is_accepted(
    api_a, product_a, vendor_a, user_a, official
):
    from documents import services as documents_services

    issue_licence(vendor=vendor_a, product=product_a, by=user_a, official=official)
    reference = draft(api_a, product_a)
    add_party(api_a, reference)
    first = upload(api_a, reference).json()
    api_a.post(f"{APPLICATIONS}{reference}/submit/")
    stored = application(reference)
    services.start_review(application=stored, by=official)
    documents_services.review_document(
        document=Document.objects.get(key=first["id"]),
        by=official,
        accept=False,
        reason="Not signed by a state body.",
    )
    with pytest.raises(ScreeningFailed):
        services.approve_application(application=stored, by=official, reason="ok")
    second = upload(api_a, reference, content=minimal_pdf(["Signed by the minister"])).json()
    assert second["version"] == 2
    accept_declaration(application=stored, by=official)
    licence = services.approve_application(application=stored, by=official, reason="ok")
    assert licence.application.status == "approved"
