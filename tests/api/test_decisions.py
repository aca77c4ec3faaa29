"""The vendor's side of a decision: criteria, conditions, the signed documents, appeals."""

import hashlib

import pytest

from documents.models import IssuedDocument
from licenses import services
from licenses.models import Appeal, ApplicationStatus

pytestmark = pytest.mark.django_db


def _downloaded(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def refused_a(application_a, official):
    return services.refuse_application(
        application=application_a,
        by=official,
        reason="Reports of misuse.",
        criteria=["human_rights_risk"],
    )


def test_a_refused_application_shows_its_criteria_and_when_the_appeal_closes(api_a, refused_a):
    body = api_a.get(f"/api/v1/applications/{refused_a.reference}/").json()
    assert body["status"] == "refused"
    assert body["criteria"] == [
        {
            "code": "human_rights_risk",
            "text": "There is a clear risk that the items might be used for internal repression "
            "or serious violations of human rights.",
        }
    ]
    assert body["refused_at_intake"] is False
    assert body["appeal"] is None
    assert body["appeal_closes_on"]


def test_a_refusal_at_intake_is_marked(api_a, product_a):
    body = api_a.post(
        "/api/v1/applications/",
        {
            "licence_type": "marketing",
            "product": product_a.reference,
            "destination": "MX",
            "end_user": {"name": "Policía Federal", "kind": "law_enforcement"},
            "end_use": "Investigations.",
            "value": "100.00",
            "currency": "USD",
        },
        format="json",
    ).json()
    assert body["status"] == "refused"
    assert body["refused_at_intake"] is True
    assert [c["code"] for c in body["criteria"]] == ["destination_not_eligible"]


def test_the_served_letter_is_the_stored_one(api_a, refused_a):
    response = api_a.get(f"/api/v1/applications/{refused_a.reference}/letter/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    letter = IssuedDocument.objects.get(application=refused_a)
    assert hashlib.sha256(_downloaded(response)).hexdigest() == letter.sha256


def test_the_served_certificate_is_the_stored_one_with_conditions(api_a, licence_a):
    body = api_a.get(f"/api/v1/licences/{licence_a.number}/").json()
    assert body["conditions"] == []
    assert body["issued_on_appeal"] is False
    response = api_a.get(f"/api/v1/licences/{licence_a.number}/certificate/")
    assert response.status_code == 200
    certificate = IssuedDocument.objects.get(licence=licence_a)
    assert hashlib.sha256(_downloaded(response)).hexdigest() == certificate.sha256


def test_an_application_without_a_letter_answers_404(api_a, application_a):
    assert api_a.get(f"/api/v1/applications/{application_a.reference}/letter/").status_code == 404


def test_another_vendors_documents_and_appeals_answer_404(api_b, refused_a, licence_a):
    assert api_b.get(f"/api/v1/applications/{refused_a.reference}/letter/").status_code == 404
    assert api_b.get(f"/api/v1/licences/{licence_a.number}/certificate/").status_code == 404
    response = api_b.post(
        f"/api/v1/applications/{refused_a.reference}/appeal/", {"grounds": "x"}, format="json"
    )
    assert response.status_code == 404
    assert not Appeal.objects.exists()


def test_anyone_without_a_token_is_refused(anonymous_api, refused_a, licence_a):
    assert anonymous_api.get(f"/api/v1/licences/{licence_a.number}/certificate/").status_code == 401
    assert (
        anonymous_api.get(f"/api/v1/applications/{refused_a.reference}/letter/").status_code == 401
    )


def test_an_appeal_with_a_document_puts_the_application_under_appeal(api_a, refused_a):
    from tests.factories import pdf_file

    upload = api_a.post(
        f"/api/v1/applications/{refused_a.reference}/documents/",
        {"kind": "other", "file": pdf_file("The end user's mandate", name="mandate.pdf")},
        format="multipart",
    )
    assert upload.status_code == 201, upload.json()
    key = upload.json()["id"]
    response = api_a.post(
        f"/api/v1/applications/{refused_a.reference}/appeal/",
        {"grounds": "The mandate shows lawful use.", "documents": [key]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == ApplicationStatus.UNDER_APPEAL
    assert body["appeal"]["status"] == "open"
    assert Appeal.objects.get().documents == [key]


@pytest.mark.parametrize(
    "payload, field",
    [
        ({}, "grounds"),
        ({"grounds": ""}, "grounds"),
        ({"grounds": "x", "documents": ["nope"]}, "documents"),
        ({"grounds": "x", "documents": ["00000000-0000-0000-0000-000000000000"]}, "documents"),
        ({"grounds": "x", "surprise": 1}, "surprise"),
    ],
)
def test_a_bad_appeal_is_a_400_with_the_field_and_changes_nothing(api_a, refused_a, payload, field):
    response = api_a.post(
        f"/api/v1/applications/{refused_a.reference}/appeal/", payload, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()["errors"]
    refused_a.refresh_from_db()
    assert refused_a.status == ApplicationStatus.REFUSED


def test_an_appeal_of_an_undecided_or_approved_application_or_twice_is_a_409(
    api_a, application_a, licence_a, official
):
    url = "/api/v1/applications/{}/appeal/"
    response = api_a.post(url.format(application_a.reference), {"grounds": "x"}, format="json")
    assert response.status_code == 409
    response = api_a.post(
        url.format(licence_a.application.reference), {"grounds": "x"}, format="json"
    )
    assert response.status_code == 409
    services.refuse_application(
        application=application_a, by=official, reason="No.", criteria=["other"]
    )
    assert (
        api_a.post(url.format(application_a.reference), {"grounds": "x"}, format="json").status_code
        == 201
    )
    response = api_a.post(url.format(application_a.reference), {"grounds": "x"}, format="json")
    assert response.status_code == 409
    assert "appealed already" in str(response.json())
