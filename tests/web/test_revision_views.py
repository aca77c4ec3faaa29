"""Whitelist revisions on the web: propose, preview the impact, four eyes, apply."""

import pytest

from countries.models import Country, WhitelistRevision
from licenses.models import LicenceStatus
from tests.factories import issue_licence, register_product, register_vendor, submit_application

pytestmark = pytest.mark.django_db

NEW = "/countries/revisions/new/"


def propose(client, **fields):
    data = {
        "title": "Remove France",
        "reason": "Misuse of intrusion software reported.",
        "licence_treatment": "suspend",
    }
    data.update(fields)
    return client.post(NEW, data)


@pytest.fixture
def french_licence(official, system):
    vendor = register_vendor(by=official)
    product = register_product(vendor=vendor, by=official)
    return issue_licence(
        vendor=vendor, product=product, by=system, official=official, destination="FR"
    )


def test_an_official_proposes_by_picking_and_pasting_codes(client, official):
    client.force_login(official)
    response = propose(client, remove=["FR"], remove_codes="de, nl\nbe", add_codes="MX")
    revision = WhitelistRevision.objects.get(status="proposed")
    assert response.status_code == 302
    assert response.url == f"/countries/revisions/{revision.reference}/"
    changes = {(c.action, c.country.code) for c in revision.changes.select_related("country")}
    assert changes == {
        ("remove", "FR"),
        ("remove", "DE"),
        ("remove", "NL"),
        ("remove", "BE"),
        ("add", "MX"),
    }
    assert revision.proposed_by == official
    assert Country.objects.get(code="FR").eligible  # nothing changes before approval


def test_an_empty_proposal_shows_every_problem_and_keeps_what_was_typed(client, official):
    client.force_login(official)
    response = propose(client, title="", reason="Keep this reason", remove_codes="XX, F1")
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert 'href="#id_title"' in html
    assert "No country has the code XX" in html or "these are not: F1" in html
    assert "Keep this reason" in html
    assert "XX, F1" in html
    assert not WhitelistRevision.objects.filter(status="proposed").exists()


def test_a_proposal_without_countries_is_refused(client, official):
    client.force_login(official)
    html = propose(client).content.decode()
    assert "Choose at least one country to add or remove." in html


def test_the_service_refusal_comes_back_beside_the_field(client, official):
    client.force_login(official)
    html = propose(client, add_codes="FR").content.decode()  # France is already on the list
    assert "There is a problem" in html
    assert "Already on the whitelist: FR" in html
    assert 'id="field-add"' in html


def test_the_impact_preview_lists_licences_applications_and_vendors(
    client, official, french_licence, system
):
    vendor = french_licence.application.vendor
    pending = submit_application(
        vendor=vendor, product=french_licence.application.product, by=system, destination="FR"
    )
    client.force_login(official)
    propose(client, remove=["FR"])
    revision = WhitelistRevision.objects.get(status="proposed")
    html = client.get(f"/countries/revisions/{revision.reference}/").content.decode()
    impact = html[html.index("Impact if approved now") :]
    assert french_licence.number in impact
    assert pending.reference in impact
    assert vendor.name in impact
    assert "1</strong> active licence suspended" in impact
    assert "Record the decision" not in html  # an official may not decide


def test_four_eyes_the_proposer_cannot_approve_their_own_revision(client, senior):
    client.force_login(senior)
    propose(client, remove=["FR"])
    revision = WhitelistRevision.objects.get(status="proposed")
    page = client.get(f"/countries/revisions/{revision.reference}/").content.decode()
    assert "You proposed this revision" in page
    assert "Record the decision" not in page
    response = client.post(
        f"/countries/revisions/{revision.reference}/decision/",
        {"decision": "approve", "confirmed": "1"},
    )
    assert response.status_code == 200
    assert "another senior official must decide it" in response.content.decode()
    revision.refresh_from_db()
    assert revision.status == "proposed"
    assert Country.objects.get(code="FR").eligible


def test_a_second_senior_official_approves_and_the_licence_is_suspended(
    client, official, senior, french_licence, system
):
    application = french_licence.application
    pending = submit_application(
        vendor=application.vendor, product=application.product, by=system, destination="FR"
    )
    client.force_login(official)
    propose(client, remove=["FR"])
    revision = WhitelistRevision.objects.get(status="proposed")
    client.force_login(senior)
    # First the check page, restating the impact; nothing is applied yet.
    check = client.post(
        f"/countries/revisions/{revision.reference}/decision/",
        {"decision": "approve", "note": "Agreed."},
    ).content.decode()
    assert "Check your answers" in check and "Its impact" in check
    assert f"Licence {french_licence.number}" in check
    assert Country.objects.get(code="FR").eligible
    response = client.post(
        f"/countries/revisions/{revision.reference}/decision/",
        {"decision": "approve", "note": "Agreed.", "confirmed": "1"},
        follow=True,
    )
    html = response.content.decode()
    assert f"{revision.reference} is approved and applied" in html
    assert not Country.objects.get(code="FR").eligible
    french_licence.refresh_from_db()
    assert french_licence.status == LicenceStatus.SUSPENDED
    changed = html[html.index("Licences this revision changed") :]
    assert french_licence.number in changed
    assert "Suspended" in changed
    rescreened = html[html.index("Pending applications screened again") :]
    assert pending.reference in rescreened
    assert "Refused" in rescreened
    pending.refresh_from_db()
    assert pending.status == "refused"


def test_rejecting_needs_a_note(client, official, senior):
    client.force_login(official)
    propose(client, remove=["FR"])
    revision = WhitelistRevision.objects.get(status="proposed")
    client.force_login(senior)
    url = f"/countries/revisions/{revision.reference}/decision/"
    html = client.post(url, {"decision": "reject", "note": ""}).content.decode()
    assert "Say why the revision is rejected." in html
    client.post(url, {"decision": "reject", "note": "Not enough evidence."})
    revision.refresh_from_db()
    assert revision.status == "rejected"
    assert revision.decision_note == "Not enough evidence."
    assert Country.objects.get(code="FR").eligible


def test_the_revision_list_counts_changes_and_shows_the_seeded_cut(client, auditor):
    client.force_login(auditor)
    response = client.get("/countries/revisions/")
    rows = {r.reference: r for r in response.context["page"].object_list}
    assert rows["REV-2021-001"].removed_count == 65
    assert rows["REV-2018-001"].added_count == 102
    html = client.get("/countries/revisions/REV-2021-001/").content.decode()
    assert "Removed from the whitelist" in html
    assert "Mexico" in html
