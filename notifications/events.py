"""The events, who is told of each, and the JSON a receiver gets.

A vendor's events go to its webhooks subscribed to them and to its contact's email address; an
officials' event goes by email to the officials holding the permission named here. Every payload
has the same shape, and holds only the object the event is about, which is the vendor's own::

    {"id": "<event uuid>", "type": "licence.suspended", "created": "2026-12-01T10:00:00Z",
     "data": {"object": "licence", "reference": "EL-2026-000046", "status": "suspended", ...}}
"""

from dataclasses import dataclass

APPLICATION_SUBMITTED = "application.submitted"
APPLICATION_APPROVED = "application.approved"
APPLICATION_REFUSED = "application.refused"
APPLICATION_WITHDRAWN = "application.withdrawn"
REQUEST_RAISED = "request.raised"
REQUEST_REMINDER = "request.reminder"
LICENCE_SUSPENDED = "licence.suspended"
LICENCE_REINSTATED = "licence.reinstated"
LICENCE_REVOKED = "licence.revoked"
LICENCE_EXPIRING = "licence.expiring"
MATCH_REVIEW = "match.review"
REVISION_PROPOSED = "revision.proposed"
REVISION_REJECTED = "revision.rejected"

DECIDE = "licenses.decide_licenceapplication"
APPROVE_REVISION = "countries.approve_whitelistrevision"


@dataclass(frozen=True)
class Route:
    """Who hears of an event: its vendor (webhooks and contact), officials with a permission,
    and the event's named recipient."""

    vendor: bool = False
    officials: str | None = None
    recipient: bool = False
    # Officials are told only when the object is in this status (a submission refused at
    # intake never reaches their queue).
    officials_when_status: str | None = None
    subject: str = ""


ROUTES: dict[str, Route] = {
    APPLICATION_SUBMITTED: Route(
        vendor=True,
        officials=DECIDE,
        officials_when_status="submitted",
        subject="Application {reference} submitted",
    ),
    APPLICATION_APPROVED: Route(vendor=True, subject="Application {reference} approved"),
    APPLICATION_REFUSED: Route(vendor=True, subject="Application {reference} refused"),
    APPLICATION_WITHDRAWN: Route(vendor=True, subject="Application {reference} withdrawn"),
    REQUEST_RAISED: Route(
        vendor=True, subject="Information requested on application {application}"
    ),
    REQUEST_REMINDER: Route(
        vendor=True, subject="Reminder: information due on application {application}"
    ),
    LICENCE_SUSPENDED: Route(vendor=True, subject="Licence {reference} suspended"),
    LICENCE_REINSTATED: Route(vendor=True, subject="Licence {reference} reinstated"),
    LICENCE_REVOKED: Route(vendor=True, subject="Licence {reference} revoked"),
    LICENCE_EXPIRING: Route(vendor=True, subject="Licence {reference} expires in {days} days"),
    MATCH_REVIEW: Route(officials=DECIDE, subject="A party match to review on {application}"),
    REVISION_PROPOSED: Route(
        officials=APPROVE_REVISION, subject="Whitelist revision {reference} awaits approval"
    ),
    REVISION_REJECTED: Route(recipient=True, subject="Whitelist revision {reference} rejected"),
}

# What a vendor may subscribe a webhook to.
VENDOR_EVENTS = tuple(sorted(name for name, route in ROUTES.items() if route.vendor))


def subject(event_type: str, data: dict) -> str:
    template = ROUTES[event_type].subject
    try:
        return template.format(**data)
    except (KeyError, IndexError):
        return event_type
