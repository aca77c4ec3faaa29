"""A crash half-way through applying a whitelist revision leaves no partial change.

A separate process approves the revision through the real service and is killed with SIGKILL once
it has written the first suspended licence, inside the service's transaction. PostgreSQL must then
hold exactly the state from before: the list, the licences, the revision's status and the history.
"""

import os
import signal
import subprocess
import sys

import pytest
from django.db import connection

from countries import services
from countries.models import Country, RevisionStatus
from licenses.models import Licence, LicenceStatus
from tests.factories import LicenceFactory, propose_removal
from tests.support.servers import ROOT, database_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_crash_half_way_through_a_revision_changes_nothing(official, senior):
    france = Country.objects.get(code="FR")
    licences = [LicenceFactory(application__destination=france) for _ in range(3)]
    revision = propose_removal(code="FR", by=official)
    history_before = (Country.history.count(), Licence.history.count())

    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="tests.settings",
        DATABASE_URL=database_url(connection.settings_dict),
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.crash_approver", revision.reference, "senior"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline().strip()
        assert line == "HALFWAY", process.stderr.read()
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

    france.refresh_from_db()
    revision.refresh_from_db()
    assert france.eligible
    assert revision.status == RevisionStatus.PROPOSED
    assert all(
        Licence.objects.get(pk=licence.pk).status == LicenceStatus.ACTIVE for licence in licences
    )
    assert (Country.history.count(), Licence.history.count()) == history_before

    # The database is whole: the same approval, run again, applies in full.
    services.approve_revision(revision=revision, by=senior, note="approved after the crash")
    france.refresh_from_db()
    assert not france.eligible
    assert {Licence.objects.get(pk=lic.pk).status for lic in licences} == {"suspended"}
