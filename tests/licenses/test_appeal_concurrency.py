"""Appeals on PostgreSQL: two senior officials deciding one appeal at once, and two appeals
lodged at once, each yield one outcome (row locks)."""

import pytest

from documents.models import IssuedDocument
from licenses import services
from licenses.models import Appeal, Licence
from registry.errors import TransitionNotAllowed
from tests.factories import submit_application
from tests.support.concurrency import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def refused(official, vendor, product, vendor_user):
    application = submit_application(vendor=vendor, product=product, by=vendor_user)
    services.start_review(application=application, by=official)
    return services.refuse_application(
        application=application, by=official, criteria=["diversion_risk"], reason="No"
    )


def test_two_decisions_on_one_appeal_yield_one(refused, vendor_user, senior, second_senior):
    services.lodge_appeal(application=refused, by=vendor_user, grounds="Please.")
    outcomes = run_together(
        lambda: services.decide_appeal(
            application=refused, by=senior, overturn=True, reason="Overturned"
        ),
        lambda: services.decide_appeal(
            application=refused, by=second_senior, overturn=False, reason="Upheld"
        ),
    )
    winners = [o for o in outcomes if not isinstance(o, Exception)]
    losers = [o for o in outcomes if isinstance(o, Exception)]
    assert len(winners) == 1, outcomes
    assert len(losers) == 1 and isinstance(losers[0], TransitionNotAllowed), outcomes
    appeal = Appeal.objects.get()
    assert appeal.history.exclude(status="open").count() == 1
    overturned = appeal.status == Appeal.Status.OVERTURNED
    assert Licence.objects.count() == (1 if overturned else 0)
    letters = IssuedDocument.objects.filter(application=refused, kind="appeal_letter").count()
    assert letters == (0 if overturned else 1)


def test_two_appeals_at_once_make_one(refused, vendor_user):
    outcomes = run_together(
        lambda: services.lodge_appeal(application=refused, by=vendor_user, grounds="One"),
        lambda: services.lodge_appeal(application=refused, by=vendor_user, grounds="Two"),
    )
    assert len([o for o in outcomes if not isinstance(o, Exception)]) == 1, outcomes
    assert Appeal.objects.count() == 1
