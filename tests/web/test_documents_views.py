"""The application page's parties and documents, document reviews, downloads, and the
declaration templates' page."""

import datetime

import pytest

from documents.models import DeclarationTemplate, Document
from tests.factories import create_draft, issue_licence, submit_application

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("documents_folder")]


@pytest.fixture
def export(vendor, product, vendor_user, official):
    issue_licence(vendor=vendor, product=product, by=vendor_user, official=official)
    return submit_application(vendor=vendor, product=product, by=vendor_user, licence_type="export")


def declaration(application):
    return Document.objects.get(application=application, kind="end_user_declaration")


def test_drafts_never_reach_the_officials(client, official, vendor, product, vendor_user):
    draft = create_draft(vendor=vendor, product=product, by=vendor_user)
    client.force_login(official)
    assert client.get(f"/applications/{draft.reference}/").status_code == 404
    assert client.get("/applications/?status=draft").context["form"].errors
    listed = client.get("/applications/").context["page"].object_list
    assert draft.reference not in [a.reference for a in listed]
    dashboard = client.get("/").content.decode()
    assert draft.reference not in dashboard and "Draft" not in dashboard


def test_the_page_lists_parties_and_documents(client, official, export):
    client.force_login(official)
    page = client.get(f"/applications/{export.reference}/").content.decode()
    assert "Direction générale de la sécurité intérieure" in page
    assert "DECA-2021-12, signed by Céline Martin" in page
    assert f"/applications/{export.reference}/documents/{declaration(export).key}/file/" in page


def test_a_rejection_needs_a_reason_and_is_recorded_with_it(client, official, export):
    client.force_login(official)
    url = f"/applications/{export.reference}/documents/{declaration(export).key}/review/"
    response = client.post(url, {"decision": "reject"})
    assert response.status_code == 200
    assert "Enter the reason for the rejection" in response.content.decode()
    assert declaration(export).review == "received"
    response = client.post(url, {"decision": "reject", "reason": "Signed by a private firm."})
    assert response.status_code == 302
    document = declaration(export)
    assert (document.review, document.review_reason, document.reviewed_by) == (
        "rejected",
        "Signed by a private firm.",
        official,
    )
    record = document.history.first()
    assert record.history_change_reason == "Rejected: Signed by a private firm."
    again = client.post(url, {"decision": "accept"})
    assert "already rejected" in again.content.decode()


def test_documents_of_a_decided_application_are_not_reviewed(client, official, export):
    from licenses import services

    services.refuse_application(application=export, by=official, criteria=["other"], reason="No.")
    client.force_login(official)
    url = f"/applications/{export.reference}/documents/{declaration(export).key}/review/"
    response = client.post(url, {"decision": "accept"})
    assert "reviewed while it waits for a decision" in response.content.decode()
    assert declaration(export).review == "received"


def test_auditors_download_but_do_not_review(client, auditor, export):
    client.force_login(auditor)
    base = f"/applications/{export.reference}/documents/{declaration(export).key}/"
    assert client.post(f"{base}review/", {"decision": "accept"}).status_code == 403
    response = client.get(f"{base}file/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_document_key_of_another_application_is_not_found(
    client, official, export, vendor, product, vendor_user
):
    other = submit_application(vendor=vendor, product=product, by=vendor_user, destination="DE")
    client.force_login(official)
    key = declaration(export).key
    assert client.get(f"/applications/{other.reference}/documents/{key}/file/").status_code == 404


def test_a_senior_official_publishes_a_template_and_sees_what_it_touches(
    client, senior, official, export
):
    client.force_login(official)
    page = client.get("/declaration-templates/")
    assert page.context["current"].version == "DECA-2021-12" and page.context["form"] is None
    assert client.post("/declaration-templates/new/", {}).status_code == 403

    client.force_login(senior)
    page = client.get("/declaration-templates/")
    assert [a.reference for a in page.context["touched"]] == [export.reference]
    refused = client.post("/declaration-templates/new/", {"version": "bad", "title": "x"})
    assert refused.status_code == 200 and refused.context["form"].errors
    body = {
        "version": "DECA-2027-01",
        "title": "End-user declaration, 2027",
        "in_force_from": (datetime.date.today() - datetime.timedelta(days=1)).isoformat(),
        "text": "The end user undertakes …",
        "reason": "Ministerial order of January 2027",
    }
    assert client.post("/declaration-templates/new/", body).status_code == 302
    template = DeclarationTemplate.objects.get(version="DECA-2027-01")
    record = template.history.get()
    assert (record.history_username, record.history_change_reason) == (
        "senior",
        "Ministerial order of January 2027",
    )
    # The export's declaration is on the old version now: the official cannot approve it.
    client.force_login(official)
    page = client.get(f"/applications/{export.reference}/")
    assert not page.context["approvable"]
    assert "the template in force is DECA-2027-01" in page.content.decode()
