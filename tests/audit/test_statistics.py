"""Transparency statistics: computed from the trail as of a moment, reproducible to the byte,
small counts suppressed, and every total traced back to the history of the objects it counts."""

import datetime
import hashlib
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from countries import services as countries_services
from licenses import services
from licenses.models import EndUserKind, Licence, LicenceApplication, LicenceStatus
from registry.audit import statistics
from tests.factories import issue_licence, propose_removal, submit_application

pytestmark = pytest.mark.django_db

PAGE = reverse("audit:statistics")


def next_second() -> str:
    """A moment to the second, after every record written so far."""
    return (timezone.now() + datetime.timedelta(seconds=1)).replace(microsecond=0).isoformat()


@pytest.fixture
def decisions(vendor, vendor_user, product, official, senior, second_senior):
    """This year's cases: 4 approvals (3 to France, 1 to Germany), 1 refusal after review,
    3 refusals at intake, the German licence suspended by a revision, 1 French one revoked."""
    licences = [
        issue_licence(vendor=vendor, product=product, by=vendor_user, official=official)
        for _ in range(3)
    ]
    issue_licence(
        vendor=vendor, product=product, by=vendor_user, official=official, destination="DE"
    )
    refused = submit_application(vendor=vendor, product=product, by=vendor_user)
    services.start_review(application=refused, by=official)
    services.refuse_application(
        application=refused, by=official, reason="Diversion risk", criteria=["diversion_risk"]
    )
    for _ in range(3):
        submit_application(
            vendor=vendor, product=product, by=vendor_user, end_user_kind=EndUserKind.PRIVATE
        )
    revision = propose_removal(code="DE", by=senior)
    countries_services.approve_revision(revision=revision, by=second_senior)
    services.revoke_licence(licence=licences[0], by=official, reason="Misuse reported")
    return revision


def test_the_totals_reconcile_with_each_objects_history(decisions):
    as_of = timezone.now()
    figures = statistics.compute(as_of.year, as_of)
    # The same figures read object by object: each application's latest record then.
    expected = {"applications": [], "approvals": [], "refusals": [], "refusals_at_intake": []}
    for application in LicenceApplication.objects.all():
        record = (
            application.history.filter(history_date__lte=as_of)
            .order_by("-history_date", "-audit_seq")
            .first()
        )
        expected["applications"].append(record.reference)
        if record.status == "approved":
            expected["approvals"].append(record.reference)
        elif record.status == "refused":
            at_intake = record.history_username == "system"
            expected["refusals_at_intake" if at_intake else "refusals"].append(record.reference)
    for column, references in expected.items():
        assert sorted(figures.counted[column]) == sorted(references), column
    assert figures.totals["approvals"] == 4 and figures.totals["refusals"] == 1
    assert figures.totals["refusals_at_intake"] == 3 and figures.totals["applications"] == 8

    suspended, revoked = [], []
    for licence in Licence.objects.all():
        statuses = [
            r.status for r in licence.history.filter(history_date__lte=as_of).order_by("audit_seq")
        ]
        suspended += [licence.number] * statuses.count(LicenceStatus.SUSPENDED)
        revoked += [licence.number] * statuses.count(LicenceStatus.REVOKED)
    assert sorted(figures.counted["licences_suspended"]) == sorted(suspended)
    assert sorted(figures.counted["licences_revoked"]) == sorted(revoked)


def test_the_document_suppresses_small_counts_and_names_the_revision(decisions):
    as_of = timezone.now()
    data = statistics.publish(as_of.year, as_of).data
    assert data["totals"]["approvals"] == 4
    assert data["totals"]["refusals"] == "<3"
    assert data["totals"]["licences_suspended"] == "<3"
    rows = {row["code"]: row for row in data["by_destination"]}
    assert rows["DE"]["approvals"] == "<3"
    # The only suppressed count of its column: the next smallest is hidden too.
    assert rows["FR"]["approvals"] == "*"
    criteria = {row["criterion"]: row for row in data["refusals_by_criterion"]}
    # The criteria each refusal recorded: the rule's at intake, the official's choice after.
    assert criteria["end_user_not_eligible"]["refusals_at_intake"] == 3
    assert criteria["diversion_risk"]["refusals"] == "<3"
    by_revision = {row["revision"]: row for row in data["licences_by_revision"]}
    assert decisions.reference in by_revision and None in by_revision
    assert by_revision[decisions.reference]["licences_suspended"] == "<3"
    assert by_revision[None]["licences_revoked"] == "<3"
    timing = data["processing_working_days"]
    assert timing["decisions"] == 5 and timing["median"] == "0" and timing["percentile_90"] == 0


def test_the_same_year_and_moment_give_the_same_bytes_whatever_came_after(
    decisions, vendor, vendor_user, product, official
):
    as_of = timezone.now().replace(microsecond=0)
    first = statistics.publish(as_of.year, as_of)
    issue_licence(vendor=vendor, product=product, by=vendor_user, official=official)
    again = statistics.publish(as_of.year, as_of)
    assert again.content == first.content
    assert again.sha256 == first.sha256 == hashlib.sha256(first.content).hexdigest()
    later = timezone.now()
    assert statistics.publish(as_of.year, later).sha256 != first.sha256


def test_the_command_writes_the_document_and_states_its_sha256(decisions, tmp_path):
    as_of = next_second()
    out, err = io.StringIO(), io.StringIO()
    year = str(timezone.now().year)
    call_command("statistics", "--year", year, "--as-of", as_of, stdout=out, stderr=err)
    content = out.getvalue().encode("utf-8")
    assert json.loads(content)["year"] == int(year)
    assert f"SHA-256 {hashlib.sha256(content).hexdigest()}" in err.getvalue()
    path = tmp_path / "stats.json"
    stated = io.StringIO()
    call_command("statistics", "--year", year, "--as-of", as_of, "--out", str(path), stdout=stated)
    assert path.read_bytes() == content
    text = io.StringIO()
    call_command("statistics", "--year", year, "--as-of", as_of, "--format", "text", stdout=text)
    assert "approvals: 4" in text.getvalue()


def test_the_page_states_the_sha256_of_the_json_it_offers(auditor_client, decisions):
    as_of = next_second()
    year = timezone.now().year
    page = auditor_client.get(PAGE, {"year": year, "as_of": as_of})
    assert page.status_code == 200
    download = auditor_client.get(PAGE, {"year": year, "as_of": as_of, "format": "json"})
    digest = hashlib.sha256(download.content).hexdigest()
    assert digest in page.content.decode()
    assert download["X-Content-SHA256"] == digest
    assert "Refusals at intake" in page.content.decode()


def test_a_year_without_decisions_says_so(auditor_client):
    page = auditor_client.get(PAGE, {"year": 1999}).content.decode()
    assert "By destination: none in 1999." in page
    assert "not shown: fewer than 3 decisions" in page


def test_only_auditors_see_the_statistics_and_bad_input_is_a_400(client, official, auditor):
    assert client.get(PAGE).status_code == 302
    client.force_login(official)
    assert client.get(PAGE).status_code == 403
    client.force_login(auditor)
    response = client.get(PAGE, {"year": "soon", "as_of": "yesterday"})
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert client.get(PAGE, {"year": "2021", "format": "json"}).status_code == 200
