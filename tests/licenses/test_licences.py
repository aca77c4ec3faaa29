"""The licence lifecycle: suspend, reinstate, revoke, surrender, expire."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from countries.models import Country
from licenses import services
from licenses.models import LicenceStatus
from registry.audit import history
from registry.errors import DomainError, TransitionNotAllowed
from tests.factories import LicenceFactory, VendorFactory

pytestmark = pytest.mark.django_db


SERVICES = {
    LicenceStatus.SUSPENDED: services.suspend_licence,
    LicenceStatus.ACTIVE: services.reinstate_licence,
    LicenceStatus.REVOKED: services.revoke_licence,
    LicenceStatus.SURRENDERED: services.surrender_licence,
}
ALLOWED = {
    (LicenceStatus.ACTIVE, LicenceStatus.SUSPENDED),
    (LicenceStatus.ACTIVE, LicenceStatus.REVOKED),
    (LicenceStatus.ACTIVE, LicenceStatus.SURRENDERED),
    (LicenceStatus.SUSPENDED, LicenceStatus.ACTIVE),
    (LicenceStatus.SUSPENDED, LicenceStatus.REVOKED),
    (LicenceStatus.SUSPENDED, LicenceStatus.SURRENDERED),
}


@pytest.mark.parametrize("start", list(LicenceStatus))
@pytest.mark.parametrize("to", list(SERVICES))
def test_licence_transitions(start, to, official):
    licence = LicenceFactory(status=start)
    records = licence.history.count()
    if (start, to) in ALLOWED:
        SERVICES[to](licence=licence, by=official, reason="Decided by the licensing officer")
        licence.refresh_from_db()
        assert licence.status == to
        latest = licence.history.latest()
        assert latest.history_change_reason == "Decided by the licensing officer"
        assert latest.history_username == "official"
    else:
        with pytest.raises(TransitionNotAllowed) as error:
            SERVICES[to](licence=licence, by=official, reason="Decided by the licensing officer")
        assert licence.number in error.value.message
        licence.refresh_from_db()
        assert licence.status == start
        assert licence.history.count() == records


def test_every_change_needs_a_reason(official):
    licence = LicenceFactory()
    with pytest.raises(ValidationError, match="reason"):
        services.suspend_licence(licence=licence, by=official, reason="")
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.ACTIVE


def test_reinstating_is_refused_while_the_destination_is_not_eligible(official):
    licence = LicenceFactory(status=LicenceStatus.SUSPENDED)
    france = Country.objects.get(code="FR")
    france.eligible = False
    history.save(france, by=official, reason="test: France left the list")
    with pytest.raises(TransitionNotAllowed, match="France is not on the whitelist"):
        services.reinstate_licence(licence=licence, by=official, reason="Review complete")
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.SUSPENDED


def test_reinstating_is_refused_once_the_validity_has_ended(official):
    start = timezone.localdate() - datetime.timedelta(days=800)
    licence = LicenceFactory(
        status=LicenceStatus.SUSPENDED,
        valid_from=start,
        valid_until=start + datetime.timedelta(days=730),
    )
    with pytest.raises(TransitionNotAllowed, match="validity ended"):
        services.reinstate_licence(licence=licence, by=official, reason="Review complete")


def test_expire_licences_expires_active_and_suspended_licences_past_their_validity():
    today = datetime.date(2026, 6, 1)
    start = datetime.date(2024, 1, 1)
    ended = LicenceFactory(valid_from=start, valid_until=datetime.date(2026, 5, 31))
    ended_suspended = LicenceFactory(
        status=LicenceStatus.SUSPENDED, valid_from=start, valid_until=datetime.date(2026, 1, 1)
    )
    last_day = LicenceFactory(valid_from=start, valid_until=today)
    revoked = LicenceFactory(
        status=LicenceStatus.REVOKED, valid_from=start, valid_until=datetime.date(2025, 1, 1)
    )

    assert services.expire_licences(today=today) == 2
    for licence, status in [
        (ended, LicenceStatus.EXPIRED),
        (ended_suspended, LicenceStatus.EXPIRED),
        (last_day, LicenceStatus.ACTIVE),
        (revoked, LicenceStatus.REVOKED),
    ]:
        licence.refresh_from_db()
        assert licence.status == status
    record = ended.history.latest()
    assert record.history_username == "system"
    assert record.history_change_reason == "Expired: validity ended before 2026-06-01"
    assert services.expire_licences(today=today) == 0


def test_expire_licences_command():
    licence = LicenceFactory(
        valid_from=datetime.date(2020, 1, 1), valid_until=datetime.date(2021, 1, 1)
    )
    out = io.StringIO()
    call_command("expire_licences", stdout=out)
    assert "1 licence(s) expired." in out.getvalue()
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.EXPIRED


def test_only_the_holder_or_an_official_may_surrender(official, django_user_model):
    licence = LicenceFactory()
    holder = django_user_model.objects.create_user(
        username="holder", vendor=licence.application.vendor
    )
    stranger = django_user_model.objects.create_user(username="stranger", vendor=VendorFactory())
    with pytest.raises(DomainError):
        services.surrender_licence(licence=licence, by=stranger, reason="Not ours")
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.ACTIVE
    services.surrender_licence(licence=licence, by=holder, reason="Contract ended")
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.SURRENDERED
    assert licence.history.latest().history_username == "holder"
