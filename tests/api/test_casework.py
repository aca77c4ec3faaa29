"""The vendor's side of case-work: requests for information and shared notes."""

import uuid

import pytest

from licenses import casework, services
from licenses.models import ApplicationStatus

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
