"""Submitting, reviewing and deciding licence applications through the services."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from countries.models import Country
from licenses import casework, services
from licenses.models import ApplicationStatus, Licence, LicenceApplication, LicenceStatus
from registry.audit import history
from registry.errors import DomainError, ScreeningFailed, TransitionNotAllowed
from tests.factories import (
    LicenceApplicationFactory,
    accept_declaration,
    issue_licence,
    register_product,
    register_vendor,
    submit_application,
)

pytestmark = pytest.mark.django_db


def test_a_passing_application_waits_for_an_official(vendor, product, vendor_user):
    application = submit_application(vendor=vendor, product=product, by=vendor_user)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert re.fullmatch(rf"APP-{timezone.now().year}-000001", application.reference)
    assert [r["passed"] for r in application.screening] == [True] * 7
    assert application.screened_against.reference == "REV-2021-001"
    record = application.history.latest()
    assert (record.history_username, record.history_change_reason) == (
        "vendor-acme",
        "Application submitted",
    )


def test_a_failing_application_is_stored_and_refused_by_the_system(vendor, product, vendor_user):
    application = submit_application(
        vendor=vendor, product=product, by=vendor_user, destination="MX", end_user_kind="private"
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REFUSED
    assert application.decided_by == history.system_user()
    assert application.decided_at is not None
    failed = [r["rule"] for r in application.screening if not r["passed"]]
    assert failed == ["destination_whitelisted", "end_user_government"]
    assert "destination_whitelisted" in application.decision_reason
    assert "end_user_government" in application.decision_reason
    assert "Mexico" in application.decision_reason
    submitted, refused = application.history.order_by("history_id")
    assert (submitted.status, submitted.history_username) == ("submitted", "vendor-acme")
    assert (refused.status, refused.history_username) == ("refused", "system")


def test_a_product_of_another_vendor_is_refused(vendor, vendor_user, official):
    other = register_vendor(by=official, name="Globex", registration_number="51-0000002")
    product = register_product(vendor=other, by=official)
    application = submit_application(vendor=vendor, product=product, by=vendor_user)
    assert application.status == ApplicationStatus.REFUSED
    assert "product_registered" in application.decision_reason


def test_an_export_licence_needs_an_active_marketing_licence(
    vendor, product, vendor_user, official
):
    export = submit_application(
        vendor=vendor, product=product, by=vendor_user, licence_type="export"
    )
    assert export.status == ApplicationStatus.REFUSED
    assert "marketing_before_export" in export.decision_reason

    marketing = issue_licence(vendor=vendor, product=product, by=vendor_user, official=official)
    export = submit_application(
        vendor=vendor, product=product, by=vendor_user, licence_type="export"
    )
    assert export.status == ApplicationStatus.SUBMITTED
    services.start_review(application=export, by=official)
    accept_declaration(application=export, by=official)
    services.suspend_licence(licence=marketing, by=official, reason="Under investigation")
    with pytest.raises(ScreeningFailed) as error:
        services.approve_application(application=export, by=official, reason="ok")
    assert [r["rule"] for r in error.value.failed_rules] == ["marketing_before_export"]


@pytest.mark.parametrize(
    "field,value",
    [
        ("currency", "eur"),
        ("value", -5),
        ("value", "lots"),
        ("value", Decimal("1e20")),
        ("end_user_kind", "mercenary"),
        ("licence_type", "smuggling"),
        ("end_user_name", ""),
        ("end_use", ""),
    ],
)
def test_invalid_values_are_refused_with_field_messages_and_nothing_stored(
    vendor, product, vendor_user, field, value
):
    with pytest.raises(ValidationError) as error:
        submit_application(vendor=vendor, product=product, by=vendor_user, **{field: value})
    assert field in error.value.message_dict
    assert not LicenceApplication.objects.exists()
    # The reference number was given back with the rolled-back transaction.
    again = submit_application(vendor=vendor, product=product, by=vendor_user)
    assert again.reference.endswith("-000001")


def test_approval_issues_a_marketing_licence(vendor, product, vendor_user, official):
    licence = issue_licence(vendor=vendor, product=product, by=vendor_user, official=official)
    year = timezone.now().year
    assert licence.number == f"ML-{year}-000001"
    assert licence.status == LicenceStatus.ACTIVE
    assert licence.valid_from == timezone.localdate()
    assert licence.valid_until == licence.valid_from.replace(year=licence.valid_from.year + 2)
    application = licence.application
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert application.decided_by == official
    assert application.decision_reason == "Meets the conditions"
    assert licence.history.latest().history_change_reason == (
        f"Issued on approval of {application.reference}"
    )


def test_export_licences_are_numbered_in_their_own_series(vendor, product, vendor_user, official):
    issue_licence(vendor=vendor, product=product, by=vendor_user, official=official)
    issue_licence(
        vendor=vendor, product=product, by=vendor_user, official=official, destination="DE"
    )
    export = issue_licence(
        vendor=vendor, product=product, by=vendor_user, official=official, licence_type="export"
    )
    year = timezone.now().year
    assert export.number == f"EL-{year}-000001"
    assert export.valid_until == export.valid_from.replace(year=export.valid_from.year + 1)
    assert sorted(Licence.objects.values_list("number", flat=True)) == [
        f"EL-{year}-000001",
        f"ML-{year}-000001",
        f"ML-{year}-000002",
    ]


def test_approval_screens_again_against_the_list_in_force_now(
    vendor, product, vendor_user, official
):
    application = submit_application(
        vendor=vendor, product=product, by=vendor_user, destination="FR"
    )
    services.start_review(application=application, by=official)
    france = Country.objects.get(code="FR")
    france.eligible = False
    history.save(france, by=official, reason="test: the list changed after the submission")

    with pytest.raises(ScreeningFailed) as error:
        services.approve_application(application=application, by=official, reason="ok")
    assert [r["rule"] for r in error.value.failed_rules] == ["destination_whitelisted"]
    assert "France is not on the whitelist" in error.value.failed_rules[0]["message"]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_REVIEW
    assert not Licence.objects.exists()


def test_approval_refused_once_the_vendor_is_suspended(vendor, product, vendor_user, official):
    application = submit_application(vendor=vendor, product=product, by=vendor_user)
    services.start_review(application=application, by=official)
    services.suspend_vendor(vendor=vendor, by=official, reason="Breach of licence conditions")
    with pytest.raises(ScreeningFailed) as error:
        services.approve_application(application=application, by=official, reason="ok")
    assert [r["rule"] for r in error.value.failed_rules] == ["vendor_in_good_standing"]


def test_refusal_needs_a_reason(vendor, product, vendor_user, official):
    application = submit_application(vendor=vendor, product=product, by=vendor_user)
    with pytest.raises(ValidationError) as error:
        services.refuse_application(
            application=application, by=official, criteria=["other"], reason="  "
        )
    assert "reason" in error.value.message_dict
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_another_vendor_cannot_withdraw_the_application(
    vendor, product, vendor_user, official, django_user_model
):
    application = submit_application(vendor=vendor, product=product, by=vendor_user)
    other = register_vendor(by=official, name="Globex", registration_number="51-0000002")
    intruder = django_user_model.objects.create_user(username="globex", vendor=other)
    with pytest.raises(DomainError):
        services.withdraw_application(application=application, by=intruder)
    services.withdraw_application(application=application, by=vendor_user)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN
    assert application.history.latest().history_change_reason == "Withdrawn by the vendor"


# --- The transition table, each allowed and each forbidden move --------------------------------


def _move(to, application, official):
    if to == ApplicationStatus.SUBMITTED:
        return services.submit_draft(application=application, by=official)
    if to == ApplicationStatus.AWAITING_VENDOR:
        return casework.raise_request(
            application=application, by=official, question="Who?", due_on=casework.due_in(5)
        )
    if to == ApplicationStatus.UNDER_REVIEW:
        return services.start_review(application=application, by=official)
    if to == ApplicationStatus.APPROVED:
        return services.approve_application(application=application, by=official, reason="ok")
    if to == ApplicationStatus.REFUSED:
        return services.refuse_application(
            application=application, by=official, criteria=["other"], reason="no"
        )
    return services.withdraw_application(application=application, by=official)


ALLOWED = {
    (ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED),
    (ApplicationStatus.DRAFT, ApplicationStatus.WITHDRAWN),
    (ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW),
    (ApplicationStatus.SUBMITTED, ApplicationStatus.REFUSED),
    (ApplicationStatus.SUBMITTED, ApplicationStatus.WITHDRAWN),
    (ApplicationStatus.UNDER_REVIEW, ApplicationStatus.APPROVED),
    (ApplicationStatus.UNDER_REVIEW, ApplicationStatus.REFUSED),
    (ApplicationStatus.UNDER_REVIEW, ApplicationStatus.WITHDRAWN),
    (ApplicationStatus.UNDER_REVIEW, ApplicationStatus.AWAITING_VENDOR),
    (ApplicationStatus.AWAITING_VENDOR, ApplicationStatus.REFUSED),
    (ApplicationStatus.AWAITING_VENDOR, ApplicationStatus.WITHDRAWN),
}
# Only the vendor's answer brings a case back from waiting on it (tests/licenses/test_casework.py).
ANSWER = (ApplicationStatus.AWAITING_VENDOR, ApplicationStatus.UNDER_REVIEW)
# Only an appeal's services move a refusal (tests/licenses/test_decisions.py): an official's
# approval or refusal never does.
APPEAL_MOVES = {
    (ApplicationStatus.REFUSED, ApplicationStatus.UNDER_APPEAL),
    (ApplicationStatus.UNDER_APPEAL, ApplicationStatus.REFUSED),
    (ApplicationStatus.UNDER_APPEAL, ApplicationStatus.APPROVED),
}
MOVES = [
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.UNDER_REVIEW,
    ApplicationStatus.AWAITING_VENDOR,
    ApplicationStatus.APPROVED,
    ApplicationStatus.REFUSED,
    ApplicationStatus.WITHDRAWN,
]


@pytest.mark.parametrize("start", list(ApplicationStatus))
@pytest.mark.parametrize("to", MOVES)
def test_application_transitions(start, to, official):
    decided = start in (
        ApplicationStatus.APPROVED,
        ApplicationStatus.REFUSED,
        ApplicationStatus.UNDER_APPEAL,
    )
    application = LicenceApplicationFactory(
        status=start,
        decided_at=timezone.now() if decided else None,
        submitted_at=None if start == ApplicationStatus.DRAFT else timezone.now(),
    )
    records = application.history.count()
    if (start, to) in ALLOWED:
        _move(to, application, official)
        application.refresh_from_db()
        assert application.status == to
        latest = application.history.latest()
        assert (latest.status, latest.history_username) == (to, "official")
    else:
        with pytest.raises(TransitionNotAllowed) as error:
            _move(to, application, official)
        assert ApplicationStatus(start).label.lower() in error.value.message
        assert ApplicationStatus(to).label.lower() in error.value.message
        application.refresh_from_db()
        assert application.status == start
        assert application.history.count() == records


def test_the_table_allows_exactly_the_designed_moves():
    table = {
        (start, to) for start, targets in services.APPLICATION_TRANSITIONS.items() for to in targets
    }
    assert table == ALLOWED | {ANSWER} | APPEAL_MOVES


def test_decision_dates_are_recorded(vendor, product, vendor_user, official):
    application = submit_application(vendor=vendor, product=product, by=vendor_user)
    before = timezone.now() - datetime.timedelta(seconds=1)
    services.refuse_application(
        application=application, by=official, criteria=["other"], reason="Insufficient detail"
    )
    application.refresh_from_db()
    assert application.decided_at >= before
    assert application.decision_reason == "Insufficient detail"
