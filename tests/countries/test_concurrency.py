"""Two senior officials approving one revision at once on PostgreSQL: it is applied once."""

import pytest

from countries import services
from countries.models import Country, WhitelistRevision
from registry.errors import TransitionNotAllowed
from tests.factories import propose_removal
from tests.support.concurrency import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_approving_one_revision_twice_applies_it_once(official, senior, second_senior):
    revision = propose_removal(code="FR", by=official)

    outcomes = run_together(
        *(
            lambda by=by: services.approve_revision(revision=revision, by=by)
            for by in (senior, second_senior)
        )
    )

    assert sum(isinstance(o, WhitelistRevision) for o in outcomes) == 1, outcomes
    assert sum(isinstance(o, TransitionNotAllowed) for o in outcomes) == 1, outcomes
    france = Country.objects.get(code="FR")
    assert not france.eligible
    assert france.history.filter(history_change_reason__startswith=revision.reference).count() == 1
    assert revision.history.filter(status="applied").count() == 1
