"""The public check at /verify/, the appeal decided on the web, and the issued documents."""

import hashlib
import re

import pytest

from documents.models import IssuedDocument
from licenses import services
from licenses.models import ApplicationStatus, Licence
from tests.factories import issue_licence, submit_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def licence(vendor, product, vendor_user, official):
    return issue_licence(vendor=vendor, product=product, by=vendor_user, official=official)


def check(client, number, code, **extra):
    return client.post("/verify/", {"number": number, "check_code": code}, **extra)


def test_anyone_checks_a_licence_and_sees_only_its_status_and_dates(client, licence, official):
    assert client.get("/verify/").status_code == 200
    response = check(client, licence.number, licence.check_code.lower().replace("-", " "))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="verify-result"' in html
    assert "Valid" in html
    assert f"{licence.valid_until:%-d %B %Y}" in html
    application = licence.application
    for private in (application.vendor.name, application.end_user.name, application.reference):
        assert private not in html
    services.suspend_licence(licence=licence, by=official, reason="Review")
    html = check(client, licence.number, licence.check_code).content.decode()
    assert "Suspended" in html


def test_a_wrong_code_and_an_unknown_number_answer_the_same(client, licence, official):
    other = issue_licence(
        vendor=licence.application.vendor,
        product=licence.application.product,
        by=official,
        official=official,
        destination="DE",
    )
    answers = [
        check(client, licence.number, "AAAA-BBBB-CCCC"),
        check(client, "ML-2099-999999", licence.check_code),
        # The check code of another licence does not check this one.
        check(client, licence.number, other.check_code),
    ]
    assert {answer.status_code for answer in answers} == {200}
    for answer in answers:
        html = answer.content.decode()
        assert "No licence matches this number and check code" in html
        assert 'id="verify-result"' not in html

    # The same page, but for the form's CSRF token and what was typed into it.
    def without_inputs(answer):
        return re.sub(r'value="[^"]*"', "", answer.content.decode())

    assert len({without_inputs(answer) for answer in answers}) == 1


def test_the_check_is_throttled_per_address(client, licence, settings):
    settings.VERIFY_CHECKS_PER_HOUR = 3
    for _ in range(3):
        assert check(client, licence.number, "WRONG").status_code == 200
    response = check(client, licence.number, licence.check_code)
    assert response.status_code == 429
    assert "Too many checks" in response.content.decode()


@pytest.mark.parametrize(
    "data, field",
    [
        ({"number": "", "check_code": "x"}, "number"),
        ({"number": "ML-1", "check_code": ""}, "check_code"),
    ],
)
def test_a_check_with_a_field_missing_shows_the_error_summary(client, data, field):
    response = client.post("/verify/", data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html
    assert f'href="#id_{field}"' in html


def test_an_appeal_is_decided_on_the_web_by_another_senior_official(
    client, vendor, product, vendor_user, senior, second_senior
):
    application = submit_application(vendor=vendor, product=product, by=vendor_user)
    services.refuse_application(
        application=application, by=senior, reason="Doubts.", criteria=["diversion_risk"]
    )
    services.lodge_appeal(application=application, by=vendor_user, grounds="Mandate attached.")
    url = f"/applications/{application.reference}/"
    client.force_login(senior)
    page = client.get(url).content.decode()
    assert "Mandate attached." in page
    assert "who did not take the refusal decides" in page
    assert 'name="outcome"' not in page
    refused = client.post(f"{url}appeal/", {"outcome": "overturn", "reason": "Mine."})
    assert "There is a problem" in refused.content.decode()
    assert "Mine." in refused.content.decode()
    client.force_login(second_senior)
    page = client.get(url).content.decode()
    assert 'name="outcome"' in page
    response = client.post(
        f"{url}appeal/",
        {"outcome": "overturn", "reason": "The mandate is clear.", "conditions": ["no_re_export"]},
        follow=True,
    )
    assert "overturned on appeal" in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    licence = Licence.objects.get(application=application)
    assert licence.issued_on_appeal
    page = client.get(f"/licences/{licence.number}/").content.decode()
    assert 'id="issued-on-appeal"' in page
    assert "No re-export" in page


def test_officials_download_the_issued_documents_as_stored(
    client, official, vendor, product, vendor_user
):
    application = submit_application(
        vendor=vendor, product=product, by=vendor_user, destination="MX"
    )
    client.force_login(official)
    page = client.get(f"/applications/{application.reference}/").content.decode()
    assert 'id="refused-at-intake"' in page
    assert "destination_not_eligible" in page
    letter = IssuedDocument.objects.get(application=application)
    response = client.get(f"/applications/{application.reference}/issued/{letter.key}/")
    assert response.status_code == 200
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == letter.sha256


def test_vendors_and_anonymous_visitors_get_no_issued_document_on_the_web(
    client, vendor_user, vendor, product
):
    application = submit_application(
        vendor=vendor, product=product, by=vendor_user, destination="MX"
    )
    letter = IssuedDocument.objects.get(application=application)
    url = f"/applications/{application.reference}/issued/{letter.key}/"
    assert client.get(url).status_code == 302
    client.force_login(vendor_user)
    assert client.get(url).status_code == 403
