"""The vendor's side of case-work: requests for information and shared notes."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from documents.samples import minimal_pdf
from licenses import casework, services
from licenses.models import ApplicationStatus
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def asked(application_a, official):
    casework.take_case(application=application_a, by=official)
    services.start_review(application=application_a, by=official)
    return casework.raise_request(
        application=application_a,
        by=official,
        question="Which unit operates the system?",
        due_on=casework.due_in(5),
    )


def _url(application, tail=""):
    return f"/api/v1/applications/{application.reference}/{tail}"


def test_the_vendor_reads_and_answers_a_request(api_a, application_a, asked):
    listed = api_a.get(_url(application_a, "requests/"))
    assert listed.status_code == 200
    [item] = listed.json()["results"]
    assert item["id"] == str(asked.uuid)
    assert item["status"] == "open" and item["question"] == "Which unit operates the system?"
    assert api_a.get(_url(application_a)).json()["status"] == "awaiting_vendor"

    answer = api_a.post(
        _url(application_a, f"requests/{asked.uuid}/response/"),
        {"response": "The cyber unit of the national police."},
        format="json",
    )
    assert answer.status_code == 200, answer.json()
    assert answer.json()["status"] == "answered"
    application_a.refresh_from_db()
    assert application_a.status == ApplicationStatus.UNDER_REVIEW

    again = api_a.post(
        _url(application_a, f"requests/{asked.uuid}/response/"),
        {"response": "Another answer."},
        format="json",
    )
    assert again.status_code == 409
    asked.refresh_from_db()
    assert asked.response == "The cyber unit of the national police."


def _upload(api, application, name="organisation-chart.pdf"):
    return api.post(
        _url(application, "documents/"),
        {"file": SimpleUploadedFile(name, minimal_pdf(["Unit 8200 chart"])), "kind": "other"},
        format="multipart",
    )


def test_an_answer_names_documents_uploaded_while_the_case_waits(
    api_a, application_a, asked, documents_folder, client, official
):
    uploaded = _upload(api_a, application_a)
    assert uploaded.status_code == 201, uploaded.json()
    key = uploaded.json()["id"]

    answer = api_a.post(
        _url(application_a, f"requests/{asked.uuid}/response/"),
        {"response": "The chart is attached.", "documents": [key]},
        format="json",
    )
    assert answer.status_code == 200, answer.json()
    assert answer.json()["documents"] == [key]
    [listed] = api_a.get(_url(application_a, "requests/")).json()["results"]
    assert listed["documents"] == [key]
    record = asked.history.latest()
    assert record.response_documents == [key]

    client.force_login(official)
    page = client.get(f"/applications/{application_a.reference}/")
    assert b"organisation-chart.pdf" in page.content
    assert f"/documents/{key}/file/".encode() in page.content


def test_an_answer_naming_another_applications_document_is_refused_and_changes_nothing(
    api_a, application_a, asked, documents_folder, vendor_a, product_a, user_a
):
    other = factories.submit_application(vendor=vendor_a, product=product_a, by=user_a)
    uploaded = _upload(api_a, other)
    assert uploaded.status_code == 201, uploaded.json()
    response = api_a.post(
        _url(application_a, f"requests/{asked.uuid}/response/"),
        {"response": "See the chart.", "documents": [uploaded.json()["id"], str(uuid.uuid4())]},
        format="json",
    )
    assert response.status_code == 400, response.json()
    assert "no document" in response.json()["errors"]["documents"][0]
    asked.refresh_from_db()
    application_a.refresh_from_db()
    assert asked.status == "open" and asked.response == ""
    assert application_a.status == ApplicationStatus.AWAITING_VENDOR


@pytest.mark.parametrize(
    "body", [{}, {"response": ""}, {"response": 12}, {"response": "ok", "documents": [1]}]
)
def test_a_malformed_answer_is_refused_and_changes_nothing(api_a, application_a, asked, body):
    response = api_a.post(
        _url(application_a, f"requests/{asked.uuid}/response/"), body, format="json"
    )
    assert response.status_code == 400
    asked.refresh_from_db()
    assert asked.status == "open"


def test_another_vendor_gets_404_everywhere(api_b, application_a, asked):
    assert api_b.get(_url(application_a, "requests/")).status_code == 404
    assert api_b.get(_url(application_a, "notes/")).status_code == 404
    response = api_b.post(
        _url(application_a, f"requests/{asked.uuid}/response/"), {"response": "x"}, format="json"
    )
    assert response.status_code == 404
    asked.refresh_from_db()
    assert asked.status == "open"


@pytest.mark.parametrize("key", ["not-a-uuid", str(uuid.uuid4())])
def test_an_unknown_request_is_404(api_a, application_a, asked, key):
    response = api_a.post(
        _url(application_a, f"requests/{key}/response/"), {"response": "x"}, format="json"
    )
    assert response.status_code == 404


def test_only_shared_notes_are_shown(api_a, application_a, official):
    casework.add_note(application=application_a, by=official, text="Internal: check the unit.")
    casework.add_note(application=application_a, by=official, text="We wrote to you.", shared=True)
    notes = api_a.get(_url(application_a, "notes/")).json()["results"]
    assert [note["text"] for note in notes] == ["We wrote to you."]
    assert notes[0]["author"] == "official"
