"""Two officials acting on one case at once, on PostgreSQL: the row lock gives one owner."""

import pytest

from licenses import casework
from licenses.models import InformationRequest
from registry import roles
from registry.errors import DomainError
from tests.factories import submit_application, user_with_role
from tests.support.concurrency import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_officials_taking_one_case_leave_one_owner(official, vendor, product, vendor_user):
    other = user_with_role(role=roles.OFFICIALS, username="official2")
    application = submit_application(vendor=vendor, product=product, by=vendor_user)

    outcomes = run_together(
        lambda: casework.take_case(application=application, by=official),
        lambda: casework.take_case(application=application, by=other),
    )

    winners = [o for o in outcomes if not isinstance(o, Exception)]
    losers = [o for o in outcomes if isinstance(o, Exception)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    assert isinstance(losers[0], DomainError) and "assigned to" in losers[0].message
    application.refresh_from_db()
    assert application.assigned_to == winners[0].assigned_to
    assert application.history.filter(history_change_reason__startswith="Case taken").count() == 1


def test_two_answers_at_once_record_one(official, vendor, product, vendor_user):
    application = submit_application(vendor=vendor, product=product, by=vendor_user)
    casework.take_case(application=application, by=official)
    from licenses import services

    services.start_review(application=application, by=official)
    request = casework.raise_request(
        application=application, by=official, question="Who?", due_on=casework.due_in(5)
    )
    outcomes = run_together(
        lambda: casework.answer_request(request=request, by=vendor_user, response="One"),
        lambda: casework.answer_request(request=request, by=vendor_user, response="Two"),
    )
    losers = [o for o in outcomes if isinstance(o, Exception)]
    assert len(losers) == 1 and isinstance(losers[0], casework.AlreadyAnswered), outcomes
    request = InformationRequest.objects.get(pk=request.pk)
    assert request.history.filter(status="answered").count() == 1
