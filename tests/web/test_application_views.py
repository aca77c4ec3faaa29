"""The review queue, the application page with its screening, and the decision form."""

import re

import pytest
from django.utils import timezone

from countries.models import Country
from licenses.models import ApplicationStatus, Licence
from registry.audit import history
from tests.factories import register_product, register_vendor, submit_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(vendor, product, system):
    return submit_application(vendor=vendor, product=product, by=system)


def take_off_the_list(code, by):
    """Removes a country from the whitelist behind the application's back, as a revision does."""
    country = Country.objects.get(code=code)
    country.eligible = False
    history.save(country, by=by, reason="test: removed from the whitelist")


def test_the_queue_lists_pending_applications_oldest_first(client, official, vendor, product):
    first = submit_application(vendor=vendor, product=product, by=official, destination="DE")
    second = submit_application(vendor=vendor, product=product, by=official, destination="FR")
    refused = submit_application(
        vendor=vendor, product=product, by=official, destination="MX"
    )  # refused by screening
    assert refused.status == ApplicationStatus.REFUSED
    client.force_login(official)
    listed = [a.reference for a in client.get("/applications/").context["page"].object_list]
    assert listed == [first.reference, second.reference]
    by_status = client.get("/applications/?status=refused").context["page"].object_list
    assert [a.reference for a in by_status] == [refused.reference]


def test_the_queue_filters_by_destination_and_vendor(client, official, vendor, product):
    other = register_vendor(by=official, name="Globex Ltd", registration_number="51-0000002")
    other_product = register_product(vendor=other, by=official, name="Periscope")
    to_germany = submit_application(vendor=vendor, product=product, by=official, destination="DE")
    submit_application(vendor=vendor, product=product, by=official, destination="FR")
    globex = submit_application(vendor=other, product=other_product, by=official, destination="FR")
    client.force_login(official)

    def listed(query):
        page = client.get(f"/applications/?{query}").context["page"]
        return {a.reference for a in page.object_list}

    assert listed("destination=DE") == {to_germany.reference}
    assert listed("vendor=51-0000002") == {globex.reference}
    assert listed("destination=DE&vendor=51-0000002") == set()


def test_the_page_shows_the_screening_rule_by_rule(client, official, application):
    client.force_login(official)
    html = client.get(f"/applications/{application.reference}/").content.decode()
    for rule in (
        "destination_whitelisted",
        "vendor_in_good_standing",
        "end_user_government",
        "marketing_before_export",
        "product_registered",
    ):
        assert rule in html
    assert "Start the review" in html
    assert "cannot be approved" not in html


def test_an_official_reviews_and_approves_and_the_licence_is_issued(client, official, application):
    client.force_login(official)
    url = f"/applications/{application.reference}/"
    response = client.post(f"{url}review/", follow=True)
    assert "is now under review" in response.content.decode()
    decision = {
        "decision": "approve",
        "reason": "Meets every condition.",
        "conditions": ["no_re_export"],
        "other_conditions": "Deliveries to the Paris site only.",
    }
    # First the check page, restating what will happen; nothing is issued yet.
    check = client.post(f"{url}decision/", decision).content.decode()
    assert "Check your answers" in check
    assert "Approving issues the licence and its signed certificate" in check
    assert "Deliveries to the Paris site only." in check
    assert not Licence.objects.filter(application=application).exists()
    response = client.post(f"{url}decision/", {**decision, "confirmed": "1"}, follow=True)
    licence = Licence.objects.get(application=application)
    assert [c["code"] for c in licence.conditions] == ["no_re_export", ""]
    assert licence.number.startswith(f"ML-{timezone.now().year}-")
    assert f"licence {licence.number} is issued" in response.content.decode()
    application.refresh_from_db()
    assert application.status == "approved"
    assert application.decided_by == official
    assert application.decision_reason == "Meets every condition."


def test_a_decision_without_a_reason_is_refused_and_keeps_the_choice(client, official, application):
    client.force_login(official)
    client.post(f"/applications/{application.reference}/review/")
    response = client.post(
        f"/applications/{application.reference}/decision/", {"decision": "refuse", "reason": " "}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert 'href="#id_reason"' in html
    assert re.search(r'value="refuse"[^>]*checked', html)
    application.refresh_from_db()
    assert application.status == "under_review"


def test_approval_is_impossible_while_a_rule_fails_and_the_page_says_why(
    client, official, application
):
    client.force_login(official)
    client.post(f"/applications/{application.reference}/review/")
    take_off_the_list("FR", official)

    page = client.get(f"/applications/{application.reference}/").content.decode()
    assert "This application cannot be approved" in page
    assert "destination_whitelisted" in page[page.index("cannot be approved") :]
    assert 'value="approve"' not in page  # only refusal is offered

    response = client.post(
        f"/applications/{application.reference}/decision/",
        {"decision": "approve", "reason": "Approving anyway."},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "cannot be approved" in html
    assert "Approving anyway." in html  # what was typed is kept
    application.refresh_from_db()
    assert application.status == "under_review"
    assert not Licence.objects.filter(application=application).exists()


def test_refusing_records_the_reason(client, official, application):
    client.force_login(official)
    client.post(f"/applications/{application.reference}/review/")
    client.post(
        f"/applications/{application.reference}/decision/",
        {
            "decision": "refuse",
            "reason": "End-use statement is not credible.",
            "criteria": ["diversion_risk"],
        },
    )
    application.refresh_from_db()
    assert application.status == "refused"
    assert application.decision_reason == "End-use statement is not credible."
    assert application.refusal_criteria == ["diversion_risk"]


def test_a_decided_application_offers_no_decision(client, official, application):
    client.force_login(official)
    client.post(f"/applications/{application.reference}/review/")
    client.post(
        f"/applications/{application.reference}/decision/",
        {"decision": "refuse", "reason": "No.", "criteria": ["other"]},
    )
    html = client.get(f"/applications/{application.reference}/").content.decode()
    assert 'id="decision-title"' not in html
    again = client.post(
        f"/applications/{application.reference}/decision/",
        {"decision": "approve", "reason": "Changed my mind."},
    )
    assert again.status_code == 200
    assert "There is a problem" in again.content.decode()
    application.refresh_from_db()
    assert application.status == "refused"


def test_the_queue_is_paginated_in_a_constant_number_of_queries(client, official, vendor, product):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(official)
    submit_application(vendor=vendor, product=product, by=official)
    with CaptureQueriesContext(connection) as few:
        client.get("/applications/")
    for _ in range(30):
        submit_application(vendor=vendor, product=product, by=official)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/applications/")
    assert len(response.context["page"].object_list) == 25
    assert len(many) == len(few)


def test_screening_refusals_stay_on_record_with_their_date(client, official, vendor, product):
    refused = submit_application(vendor=vendor, product=product, by=official, destination="SA")
    client.force_login(official)
    html = client.get(f"/applications/{refused.reference}/").content.decode()
    assert "Refused" in html
    assert "Screening on record" in html
    assert "Record the decision" not in html


def test_a_refusal_without_a_criterion_is_refused_and_keeps_what_was_typed(
    client, official, application
):
    client.force_login(official)
    client.post(f"/applications/{application.reference}/review/")
    response = client.post(
        f"/applications/{application.reference}/decision/",
        {"decision": "refuse", "reason": "Typed with care."},
    )
    html = response.content.decode()
    assert "There is a problem" in html
    assert 'href="#field-criteria"' in html
    assert "Typed with care." in html
    application.refresh_from_db()
    assert application.status == "under_review"


def test_a_decision_refused_because_the_case_moved_on_keeps_the_typed_reason(
    client, official, application, vendor_user
):
    from licenses import services

    client.force_login(official)
    client.post(f"/applications/{application.reference}/review/")
    services.withdraw_application(application=application, by=vendor_user)
    response = client.post(
        f"/applications/{application.reference}/decision/",
        {"decision": "refuse", "reason": "A long reason typed before.", "criteria": ["other"]},
    )
    html = response.content.decode()
    assert "There is a problem" in html
    assert "withdrawn" in html
    assert "A long reason typed before." in html
