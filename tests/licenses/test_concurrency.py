"""Two officials acting at once on PostgreSQL: row locks make one outcome."""

import pytest
from django.utils import timezone

from licenses import services
from licenses.models import Licence, LicenceApplication
from registry.errors import TransitionNotAllowed
from tests.factories import submit_application
from tests.support.concurrency import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_decisions_on_one_application_yield_one(official, senior, vendor, product):
    application = submit_application(vendor=vendor, product=product, by=official)
    services.start_review(application=application, by=official)

    outcomes = run_together(
        lambda: services.approve_application(application=application, by=official, reason="Yes"),
        lambda: services.refuse_application(
            application=application, by=senior, criteria=["other"], reason="No"
        ),
    )

    winners = [o for o in outcomes if not isinstance(o, Exception)]
    losers = [o for o in outcomes if isinstance(o, Exception)]
    assert len(winners) == 1, outcomes
    assert len(losers) == 1 and isinstance(losers[0], TransitionNotAllowed), outcomes
    application.refresh_from_db()
    decisions = application.history.filter(status__in=["approved", "refused"])
    assert decisions.count() == 1
    assert decisions.get().status == application.status
    assert Licence.objects.count() == (1 if application.status == "approved" else 0)


def test_the_same_approval_twice_issues_one_licence(official, senior, vendor, product):
    application = submit_application(vendor=vendor, product=product, by=official)
    services.start_review(application=application, by=official)

    outcomes = run_together(
        *(
            lambda by=by: services.approve_application(application=application, by=by, reason="Yes")
            for by in (official, senior)
        )
    )

    assert sum(isinstance(o, Licence) for o in outcomes) == 1, outcomes
    assert sum(isinstance(o, TransitionNotAllowed) for o in outcomes) == 1, outcomes
    assert Licence.objects.count() == 1
    assert LicenceApplication.history.filter(status="approved").count() == 1


def test_licence_numbers_stay_unique_and_gap_free_under_concurrent_approvals(
    official, vendor, product
):
    applications = []
    for code in ("FR", "DE", "IT", "ES", "NL", "BE"):
        application = submit_application(
            vendor=vendor, product=product, by=official, destination=code
        )
        applications.append(services.start_review(application=application, by=official))

    outcomes = run_together(
        *(
            lambda a=a: services.approve_application(application=a, by=official, reason="Yes")
            for a in applications
        )
    )

    assert all(isinstance(o, Licence) for o in outcomes), outcomes
    year = timezone.now().year
    assert sorted(o.number for o in outcomes) == [f"ML-{year}-{n:06d}" for n in range(1, 7)]


def test_two_refusals_at_once_record_one_decision(official, senior, vendor, product):
    """Repeated, since a race without the lock shows only when the two reads overlap."""
    for round_ in range(5):
        application = submit_application(vendor=vendor, product=product, by=official)
        outcomes = run_together(
            *(
                lambda by=by, application=application: services.refuse_application(
                    application=application,
                    by=by,
                    criteria=["other"],
                    reason=f"Refused by {by.username}",
                )
                for by in (official, senior)
            )
        )
        assert sum(isinstance(o, TransitionNotAllowed) for o in outcomes) == 1, (round_, outcomes)
        assert application.history.filter(status="refused").count() == 1
