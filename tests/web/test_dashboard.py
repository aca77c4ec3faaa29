"""The dashboard shows each role its own entry points."""

import pytest

from countries.models import Country, RevisionStatus
from licenses.models import ApplicationStatus
from tests.factories import LicenceApplicationFactory, LicenceFactory

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_an_official_sees_the_queue_oldest_first_counts_and_latest_changes(client, official):
    import datetime

    from django.utils import timezone

    now = timezone.now()
    newer = LicenceApplicationFactory(submitted_at=now - datetime.timedelta(days=1))
    older = LicenceApplicationFactory(submitted_at=now - datetime.timedelta(days=9))
    LicenceApplicationFactory(
        status=ApplicationStatus.REFUSED, decided_at=now, reference="APP-2026-999999"
    )
    LicenceFactory()
    client.force_login(official)
    html = client.get("/").content.decode()
    queue = html[html.index("Review queue") : html.index("Counts by status")]
    assert queue.index(older.reference) < queue.index(newer.reference)
    assert "APP-2026-999999" not in queue
    assert "Latest changes" in html
    assert "test data" in html  # the reason of the latest records
    assert "Propose a whitelist revision" in html
    assert "/audit/" not in html


def test_a_senior_official_sees_revisions_proposed_by_others(client, senior, official):
    from countries.models import WhitelistRevision
    from registry.audit import history

    revision = WhitelistRevision(
        reference="REV-2026-901",
        title="Remove Mexico",
        reason="Reports of misuse.",
        status=RevisionStatus.PROPOSED,
        proposed_by=official,
    )
    history.save(revision, by=official, reason="proposed")
    client.force_login(senior)
    html = client.get("/").content.decode()
    assert "Revisions waiting for your approval" in html
    assert "REV-2026-901" in html


def test_an_auditor_sees_the_audit_entry_points(client, auditor):
    client.force_login(auditor)
    html = client.get("/").content.decode()
    for path in ('href="/audit/"', 'href="/audit/whitelist/"', 'href="/audit/whitelist/diff/"'):
        assert path in html
    assert "Review queue" not in html


def test_a_vendor_user_is_told_to_use_the_api(client, vendor_user):
    client.force_login(vendor_user)
    html = client.get("/").content.decode()
    assert "Vendors use the API" in html
    assert "Review queue" not in html
    assert Country.objects.count() == 249
