"""``expire_licences --today``: an operator's run names the operator and never looks ahead.

The scheduled run (no ``--today``) is the system's. A run as of another day is an operator's
decision: it must name an active member of staff (``--actor``), is recorded as theirs with the
OS account that ran it in the reason, and may not expire licences as of a day still to come.
"""

import datetime
import getpass
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from licenses.models import LicenceStatus
from registry import roles
from tests.factories import LicenceFactory, user_with_role

pytestmark = pytest.mark.django_db


def _ending(day: datetime.date):
    return LicenceFactory(valid_from=day - datetime.timedelta(days=365), valid_until=day)


def _run(*args) -> str:
    out = io.StringIO()
    call_command("expire_licences", *args, stdout=out)
    return out.getvalue()


def test_a_future_date_is_refused_and_nothing_expires(official):
    today = timezone.localdate()
    licence = _ending(today + datetime.timedelta(days=3))
    future = today + datetime.timedelta(days=10)
    with pytest.raises(CommandError, match="after today"):
        _run("--today", future.isoformat(), "--actor", official.username)
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.ACTIVE


def test_a_run_as_of_another_day_needs_an_actor():
    licence = _ending(timezone.localdate() - datetime.timedelta(days=30))
    with pytest.raises(CommandError, match="needs --actor"):
        _run("--today", timezone.localdate().isoformat())
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.ACTIVE


@pytest.mark.parametrize("who", ["nobody", "system", "vendor", "inactive"])
def test_the_actor_must_be_an_active_member_of_staff(who, vendor_user):
    if who == "vendor":
        who = vendor_user.username
    elif who == "inactive":
        from registry.accounts import services

        official = user_with_role(role=roles.OFFICIALS, username="gone")
        services.deactivate_user(user=official, by=official, reason="Left the ministry")
        who = "gone"
    licence = _ending(timezone.localdate() - datetime.timedelta(days=30))
    with pytest.raises(CommandError, match="not an active member of staff"):
        _run("--today", timezone.localdate().isoformat(), "--actor", who)
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.ACTIVE


def test_an_operators_run_is_recorded_as_theirs_with_the_os_account(official):
    day = timezone.localdate() - datetime.timedelta(days=2)
    licence = _ending(day - datetime.timedelta(days=1))
    assert "1 licence(s) expired." in _run("--today", day.isoformat(), "--actor", "official")
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.EXPIRED
    record = licence.history.latest()
    assert record.history_username == "official"
    assert record.history_change_reason.startswith(f"Expired: validity ended before {day:%Y-%m-%d}")
    assert f"OS user {getpass.getuser()}" in record.history_change_reason


def test_the_scheduled_run_is_still_the_systems():
    licence = _ending(timezone.localdate() - datetime.timedelta(days=1))
    _run()
    record = licence.history.latest()
    assert record.history_username == "system"
    assert record.history_change_reason == (
        f"Expired: validity ended before {timezone.localdate():%Y-%m-%d}"
    )
