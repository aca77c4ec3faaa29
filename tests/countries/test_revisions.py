"""Whitelist revisions: proposed, approved by another senior official, applied all or nothing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from countries import services
from countries.models import Country, RevisionStatus, WhitelistChange, WhitelistRevision
from countries.seeding import load_fixture
from licenses import services as licence_services
from licenses.models import ApplicationStatus, Licence, LicenceApplication, LicenceStatus, Party
from licenses.selectors import revision_impact
from registry.audit import history
from registry.errors import FourEyesViolation, TransitionNotAllowed
from tests.factories import issue_licence, register_product, register_vendor, submit_application

pytestmark = pytest.mark.django_db

Treatment = WhitelistRevision.LicenceTreatment
CUT = sorted(
    {m["code"] for m in load_fixture("whitelist-2018.json")["members"]}
    - {m["code"] for m in load_fixture("whitelist-2021.json")["members"]}
)


def propose(by, *, add=(), remove=(), treatment=Treatment.SUSPEND, title="Change"):
    return services.propose_revision(
        by=by,
        title=title,
        reason="Decision of the Director of Defense Exports",
        add=add,
        remove=remove,
        licence_treatment=treatment,
    )


def eligible_codes():
    return set(Country.objects.filter(eligible=True).values_list("code", flat=True))


def test_propose_records_the_changes_without_applying_them(senior):
    revision = propose(senior, add=["mx", "SA"], remove=["FR"])
    assert revision.reference == f"REV-{timezone.now().year}-001"
    assert revision.status == RevisionStatus.PROPOSED
    assert revision.proposed_by == senior
    changes = {(c.country.code, c.action) for c in revision.changes.select_related("country")}
    assert changes == {("MX", "add"), ("SA", "add"), ("FR", "remove")}
    assert "FR" in eligible_codes() and "MX" not in eligible_codes()
    assert propose(senior, remove=["DE"]).reference == f"REV-{timezone.now().year}-002"


@pytest.mark.parametrize(
    "kwargs,field,words",
    [
        ({"add": ["XX"]}, "add", "Unknown country codes: XX"),
        ({"add": ["FR"]}, "add", "Already on the whitelist: FR"),
        ({"remove": ["MX"]}, "remove", "Not on the whitelist: MX"),
        ({"add": ["MX"], "remove": ["MX"]}, "remove", "Both added and removed: MX"),
        ({}, "__all__", "at least one country"),
        ({"add": ["MX"], "treatment": "forget"}, "licence_treatment", "not a valid choice"),
        ({"add": ["MX"], "title": ""}, "title", "cannot be blank"),
    ],
)
def test_invalid_proposals_are_refused_with_field_messages(senior, kwargs, field, words):
    with pytest.raises(ValidationError) as error:
        propose(senior, **kwargs)
    assert words in " ".join(error.value.message_dict[field])
    assert not WhitelistRevision.objects.filter(status="proposed").exists()


def test_the_proposer_cannot_approve_or_reject_their_own_revision(senior):
    revision = propose(senior, add=["MX"])
    with pytest.raises(FourEyesViolation):
        services.approve_revision(revision=revision, by=senior)
    with pytest.raises(FourEyesViolation):
        services.reject_revision(revision=revision, by=senior, note="Changed my mind")
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.PROPOSED
    assert "MX" not in eligible_codes()


def test_an_official_who_is_not_senior_cannot_decide_a_revision(senior, official):
    revision = propose(senior, add=["MX"])
    with pytest.raises(PermissionDenied):
        services.approve_revision(revision=revision, by=official)
    with pytest.raises(PermissionDenied):
        services.reject_revision(revision=revision, by=official, note="No")
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.PROPOSED


def test_approval_applies_the_revision_with_history_naming_it(senior, second_senior):
    revision = propose(senior, add=["MX"], remove=["FR"], title="Mexico in, France out")
    services.approve_revision(revision=revision, by=second_senior, note="Agreed")
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.APPLIED
    assert revision.approved_by == second_senior
    assert revision.applied_at is not None and revision.decision_note == "Agreed"
    assert {"MX"} <= eligible_codes() and "FR" not in eligible_codes()
    for code in ("MX", "FR"):
        record = Country.objects.get(code=code).history.latest()
        assert record.history_change_reason == f"{revision.reference}: Mexico in, France out"
        assert record.history_username == "senior2"


def test_rejection_needs_a_note_and_changes_no_country(senior, second_senior):
    revision = propose(senior, remove=["FR"])
    with pytest.raises(ValidationError):
        services.reject_revision(revision=revision, by=second_senior, note=" ")
    services.reject_revision(revision=revision, by=second_senior, note="No legal basis")
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.REJECTED
    assert revision.decision_note == "No legal basis"
    assert "FR" in eligible_codes()


@pytest.mark.parametrize("decided", ["approve", "reject"])
def test_a_decided_revision_cannot_be_decided_again(senior, second_senior, decided):
    revision = propose(senior, remove=["FR"])
    if decided == "approve":
        services.approve_revision(revision=revision, by=second_senior)
    else:
        services.reject_revision(revision=revision, by=second_senior, note="No")
    with pytest.raises(TransitionNotAllowed):
        services.approve_revision(revision=revision, by=second_senior)
    with pytest.raises(TransitionNotAllowed):
        services.reject_revision(revision=revision, by=second_senior, note="No")


# --- The cut from 102 to 37, applied to a registry with licences and applications ---------------


@pytest.fixture
def back_to_102(senior, second_senior):
    """Puts the 65 countries of the cut back on the list, as before November 2021."""
    revision = propose(senior, add=CUT, title="Back to the 102")
    services.approve_revision(revision=revision, by=second_senior)
    assert len(eligible_codes()) == 102


@pytest.fixture
def registry_with_licences(back_to_102, official):
    vendor = register_vendor(by=official)
    product = register_product(vendor=vendor, by=official)
    licences = {
        code: issue_licence(
            vendor=vendor, product=product, by=official, official=official, destination=code
        )
        for code in ("MX", "SA", "AE", "FR", "DE")
    }
    licences["MX-export"] = issue_licence(
        vendor=vendor,
        product=product,
        by=official,
        official=official,
        destination="MX",
        licence_type="export",
    )
    licences["DE"] = licence_services.revoke_licence(
        licence=licences["DE"], by=official, reason="Breach"
    )
    pending = {
        code: submit_application(vendor=vendor, product=product, by=official, destination=code)
        for code in ("HU", "FR")
    }
    licence_services.start_review(application=pending["HU"], by=official)
    return licences, pending


@pytest.mark.parametrize("treatment", [Treatment.SUSPEND, Treatment.RUN_TO_EXPIRY])
def test_the_cut_from_102_to_37(registry_with_licences, senior, second_senior, treatment):
    licences, pending = registry_with_licences
    cut = propose(second_senior, remove=CUT, treatment=treatment, title="The cut to 37")
    impact = revision_impact(cut)
    assert impact.licence_count == 4  # MX, SA, AE, MX-export; FR stays, DE is revoked
    assert [a.reference for a in impact.applications] == [pending["HU"].reference]
    assert [v.name for v in impact.vendors] == ["Acme Cyber Ltd"]

    services.approve_revision(revision=cut, by=senior)

    assert len(eligible_codes()) == 37
    reason = f"{cut.reference}: The cut to 37"
    for key, licence in licences.items():
        before = licence.status
        licence.refresh_from_db()
        record = licence.history.latest()
        if key in ("MX", "SA", "AE", "MX-export"):
            assert record.history_change_reason.startswith(reason)
            assert record.history_username == "senior"
            if treatment == Treatment.SUSPEND:
                assert licence.status == LicenceStatus.SUSPENDED
                assert "suspended pending review" in record.history_change_reason
            else:
                assert licence.status == LicenceStatus.ACTIVE
                assert licence.renewal_barred
                assert "runs to expiry with no renewal" in record.history_change_reason
        else:
            assert licence.status == before
            assert not licence.renewal_barred
            assert not record.history_change_reason.startswith(reason)

    hungary, france = (LicenceApplication.objects.get(pk=pending[c].pk) for c in ("HU", "FR"))
    assert hungary.status == ApplicationStatus.REFUSED
    assert hungary.decided_by == history.system_user()
    assert hungary.screened_against == cut
    assert "destination_whitelisted" in hungary.decision_reason
    assert hungary.history.latest().history_change_reason.startswith(reason)
    assert france.status == ApplicationStatus.SUBMITTED
    # The application refused by the revision can no longer be approved.
    with pytest.raises(TransitionNotAllowed):
        licence_services.approve_application(application=hungary, by=senior, reason="ok")


def test_a_failure_half_way_through_applying_leaves_nothing_changed(
    registry_with_licences, senior, second_senior, monkeypatch
):
    licences, pending = registry_with_licences
    cut = propose(second_senior, remove=CUT, title="The cut to 37")
    history_rows = sum(m.history.count() for m in (Country, Licence, LicenceApplication))
    statuses = dict(Licence.objects.values_list("number", "status"))

    def fail(*args, **kwargs):
        raise RuntimeError("the database went away")

    # Countries and licences are written by then; the re-screening fails.
    monkeypatch.setattr(licence_services, "_rescreen_applications", fail)
    with pytest.raises(RuntimeError):
        services.approve_revision(revision=cut, by=senior)

    cut.refresh_from_db()
    assert cut.status == RevisionStatus.PROPOSED
    assert len(eligible_codes()) == 102
    assert dict(Licence.objects.values_list("number", "status")) == statuses
    assert LicenceApplication.objects.get(pk=pending["HU"].pk).status == "under_review"
    assert sum(m.history.count() for m in (Country, Licence, LicenceApplication)) == history_rows


def test_applying_a_revision_to_10000_licences_uses_a_bounded_number_of_queries(
    senior, second_senior, official, django_assert_max_num_queries
):
    """Ten thousand licences and a thousand applications to France, written in bulk as data."""
    vendor = register_vendor(by=official)
    product = register_product(vendor=vendor, by=official)
    france = Country.objects.get(code="FR")
    now, today = timezone.now(), timezone.localdate()
    common = {
        "vendor": vendor,
        "product": product,
        "destination": france,
        "licence_type": "marketing",
        "end_use": "Counter-terrorism",
        "value": 1,
        "currency": "EUR",
        "submitted_at": now,
    }
    with history.bulk_writes():
        approved = LicenceApplication.objects.bulk_create(
            LicenceApplication(
                reference=f"APP-T-{n:06d}", status="approved", decided_at=now, **common
            )
            for n in range(10_000)
        )
        Licence.objects.bulk_create(
            Licence(
                number=f"ML-T-{n:06d}",
                application=application,
                valid_from=today,
                valid_until=today.replace(year=today.year + 2),
            )
            for n, application in enumerate(approved)
        )
        pending = LicenceApplication.objects.bulk_create(
            LicenceApplication(reference=f"APP-P-{n:06d}", **common) for n in range(1_000)
        )
        Party.objects.bulk_create(
            Party(application=a, role="end_user", name="DGSI", kind="intelligence", country=france)
            for a in pending
        )
    cut = propose(senior, remove=["FR"], title="France out")

    with django_assert_max_num_queries(250):
        impact = revision_impact(cut)
    assert (impact.licence_count, impact.application_count) == (10_000, 1_000)

    # Bounded by batches (a few statements per thousand rows), never one per licence; SQLite's
    # limit of 999 parameters a statement makes its batches smaller than PostgreSQL's. The outbox
    # takes its share: 11,000 events (one per licence suspended and per application refused),
    # a statement per thousand on PostgreSQL, per hundred on SQLite; and so do the refusals'
    # signed receipts and the denial register's entries, in batches too.
    budget = 80 if connection.vendor == "postgresql" else 500
    with django_assert_max_num_queries(budget):
        services.approve_revision(revision=cut, by=second_senior)

    assert Licence.objects.filter(status="suspended").count() == 10_000
    assert LicenceApplication.objects.filter(status="refused").count() == 1_000
    records = Licence.history.filter(history_change_reason__startswith=cut.reference)
    assert records.count() == 10_000
    assert set(records.values_list("history_username", flat=True)) == {"senior2"}


def test_revision_impact_counts_without_a_query_per_row(
    registry_with_licences, senior, django_assert_num_queries
):
    cut = propose(senior, remove=["MX", "SA"], treatment=Treatment.RUN_TO_EXPIRY)
    with django_assert_num_queries(3):
        impact = revision_impact(cut)
        numbers = sorted(lic.number for lic in impact.licences)
        vendors = [lic.application.vendor.name for lic in impact.licences]
        destinations = {lic.application.destination.code for lic in impact.licences}
    assert len(numbers) == 3
    assert vendors == ["Acme Cyber Ltd"] * 3
    assert destinations == {"MX", "SA"}
    assert [c.code for c in impact.removed] == ["MX", "SA"]
    assert impact.added == [] and not impact.suspends_licences


def test_whitelist_changes_are_recorded_with_the_proposer(senior):
    revision = propose(senior, remove=["FR"])
    change = WhitelistChange.objects.get(revision=revision)
    assert change.history.latest().history_username == "senior"
