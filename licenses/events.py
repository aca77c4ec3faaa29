"""What licensing tells vendors and officials: the events its services record.

Each function builds the event of one change and records it through
:func:`notifications.services.record_event` (or :func:`~notifications.services.record_events`
for many), inside the service's transaction. The payload names the object by its public key
and gives its new state, and nothing of any other vendor.

A change dated in the past (``at``: only the seed's demo records one) tells no one: that past
was never live, and nobody is waiting to hear of it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from licenses.models import InformationRequest, Licence, LicenceApplication, LicenceStatus
from notifications import events as types
from notifications import services as notifications
from notifications.models import OutboxEvent

APPLICATION_EVENTS = {
    "submitted": types.APPLICATION_SUBMITTED,
    "approved": types.APPLICATION_APPROVED,
    "refused": types.APPLICATION_REFUSED,
    "withdrawn": types.APPLICATION_WITHDRAWN,
}
LICENCE_EVENTS = {
    LicenceStatus.SUSPENDED: types.LICENCE_SUSPENDED,
    LicenceStatus.ACTIVE: types.LICENCE_REINSTATED,
    LicenceStatus.REVOKED: types.LICENCE_REVOKED,
}


def _destination_code(application: LicenceApplication) -> str:
    return application.destination.code


def application_changed(application: LicenceApplication, *, reason: str = "", at=None) -> None:
    """The application's status now, as an event (submitted, approved, refused, withdrawn)."""
    if at is not None:
        return
    state = {
        "status": application.status,
        "licence_type": application.licence_type,
        "destination": _destination_code(application),
    }
    if application.status in ("approved", "refused"):
        state["decided_at"] = application.decided_at
        state["reason"] = reason or application.decision_reason
    notifications.record_event(
        type=APPLICATION_EVENTS[application.status],
        object_type="application",
        reference=application.reference,
        state=state,
        vendor_id=application.vendor_id,
    )


def _licence_state(licence: Licence, application_reference: str, reason: str) -> dict:
    return {
        "status": licence.status,
        "application": application_reference,
        "valid_from": licence.valid_from,
        "valid_until": licence.valid_until,
        "reason": reason,
    }


def licence_changed(licence: Licence, *, reason: str, at=None) -> None:
    """A licence suspended, reinstated or revoked; other changes tell no one."""
    event_type = LICENCE_EVENTS.get(licence.status)
    if event_type is None or at is not None:
        return
    vendor_id, reference = Licence.objects.filter(pk=licence.pk).values_list(
        "application__vendor_id", "application__reference"
    )[0]
    notifications.record_event(
        type=event_type,
        object_type="licence",
        reference=licence.number,
        state=_licence_state(licence, reference, reason),
        vendor_id=vendor_id,
    )


def licences_changed(licences: list[Licence], *, reason: str, at=None) -> int:
    """One event per licence, written in bulk (a revision suspends thousands at once)."""
    if not licences or at is not None:
        return 0
    owners = {
        pk: (vendor_id, reference)
        for pk, vendor_id, reference in Licence.objects.filter(
            pk__in=[licence.pk for licence in licences]
        ).values_list("pk", "application__vendor_id", "application__reference")
    }
    return notifications.record_events(
        notifications.Event(
            type=LICENCE_EVENTS[licence.status],
            object_type="licence",
            reference=licence.number,
            state=_licence_state(licence, owners[licence.pk][1], reason),
            vendor_id=owners[licence.pk][0],
        )
        for licence in licences
        if licence.status in LICENCE_EVENTS
    )


def applications_refused(applications: Iterable[LicenceApplication], *, at=None) -> int:
    """The applications a revision's re-screening refused, one event each, in bulk."""
    if at is not None:
        return 0
    return notifications.record_events(
        notifications.Event(
            type=types.APPLICATION_REFUSED,
            object_type="application",
            reference=application.reference,
            state={
                "status": application.status,
                "licence_type": application.licence_type,
                "destination": _destination_code(application),
                "decided_at": application.decided_at,
                "reason": application.decision_reason,
            },
            vendor_id=application.vendor_id,
        )
        for application in applications
    )


def _request_state(request: InformationRequest, application: LicenceApplication) -> dict:
    return {
        "status": request.status,
        "application": application.reference,
        "due_on": request.due_on,
    }


def request_raised(request: InformationRequest, application: LicenceApplication, *, at=None):
    if at is not None:
        return
    notifications.record_event(
        type=types.REQUEST_RAISED,
        object_type="request",
        reference=str(request.uuid),
        state=_request_state(request, application),
        vendor_id=application.vendor_id,
    )


def requests_due(requests: list[InformationRequest]) -> int:
    """A reminder for each request flagged as due for one (each is flagged once)."""
    if not requests:
        return 0
    applications = {
        a.pk: a
        for a in LicenceApplication.objects.filter(pk__in={r.application_id for r in requests})
    }
    return notifications.record_events(
        notifications.Event(
            type=types.REQUEST_REMINDER,
            object_type="request",
            reference=str(r.uuid),
            state=_request_state(r, applications[r.application_id]),
            vendor_id=applications[r.application_id].vendor_id,
        )
        for r in requests
    )


@transaction.atomic
def licences_expiring(*, today: datetime.date | None = None) -> int:
    """``licence.expiring`` for the active licences that end within each of
    ``LICENCE_EXPIRY_NOTICE_DAYS`` (60 and 30): once per licence, period and end date, however
    often it runs; a licence found late gets the nearest notice only."""
    today = today or timezone.localdate()
    periods = sorted(settings.LICENCE_EXPIRY_NOTICE_DAYS)
    items = []
    seen = set()
    for days in periods:
        licences = Licence.objects.filter(
            status=LicenceStatus.ACTIVE,
            valid_until__gte=today,
            valid_until__lte=today + datetime.timedelta(days=days),
        ).values_list(
            "pk",
            "number",
            "valid_from",
            "valid_until",
            "application__vendor_id",
            "application__reference",
        )
        for pk, number, valid_from, valid_until, vendor_id, application in licences:
            if pk in seen:
                continue
            seen.add(pk)
            items.append(
                notifications.Event(
                    type=types.LICENCE_EXPIRING,
                    object_type="licence",
                    reference=number,
                    state={
                        "status": LicenceStatus.ACTIVE,
                        "application": application,
                        "valid_from": valid_from,
                        "valid_until": valid_until,
                        "days": days,
                        "days_left": (valid_until - today).days,
                    },
                    vendor_id=vendor_id,
                    dedupe_key=f"licence.expiring/{number}/{days}/{valid_until:%Y-%m-%d}",
                )
            )
    if not items:
        return 0
    known = set(
        OutboxEvent.objects.filter(dedupe_key__in=[i.dedupe_key for i in items]).values_list(
            "dedupe_key", flat=True
        )
    )
    fresh = [item for item in items if item.dedupe_key not in known]
    notifications.record_events(fresh, skip_recorded=True)
    return len(fresh)
