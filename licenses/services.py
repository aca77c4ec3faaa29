"""Every write to vendors, products, licence applications and licences.

One function per use case, keyword-only, one transaction each, naming the acting user and the
reason in the history record it writes. Status changes go through the transition tables below
(checked by :func:`registry.transitions.check_transition`), so a change the lifecycle does not
allow raises :class:`TransitionNotAllowed` naming both statuses, whichever face (web, API, admin,
command) asked for it. Objects passed in are re-read under a row lock before their status
changes, so two officials acting on one object at once get one outcome.

A whitelist revision acts on licences and applications only through the two functions at the end,
:func:`lock_for_destination_removal` and :func:`apply_destination_removal`, which the revision
service (``countries.services``) calls inside its own transaction.

Locks are always taken in the same order — vendor, country, application, licence, reference
counter, and last the audit chain's head, which the first history record takes — so concurrent
services wait for each other instead of deadlocking. A service locks every row it will change
before it writes its first history record. A submission holds its records and chains them when
its writes are done (``history.chained_together``), so it takes the head as its last step.

The optional ``at`` dates a record in the past. Only the seed's demo passes it, inside
``registry.audit.history.backdating()``; the history helper refuses it anywhere else.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone

from countries.models import Country, WhitelistRevision
from decisions.models import DecisionCriterion, StandardCondition
from documents import selectors as documents_selectors
from documents import services as documents_services
from licenses import approvals, issuing, selectors
from licenses import events as notices
from licenses import receipts as decision_receipts
from licenses.models import (
    Appeal,
    AppealStatus,
    ApplicationStatus,
    DeliveryReport,
    EndUserKind,
    Licence,
    LicenceApplication,
    LicenceStatus,
    LicenceType,
    Party,
    PartyRole,
    Product,
    Vendor,
    VendorStatus,
)
from registry import working_days
from registry.audit import history
from registry.errors import (
    DomainError,
    FourEyesViolation,
    Incomplete,
    ScreeningFailed,
    TransitionNotAllowed,
)
from registry.references import next_reference
from registry.transitions import check_transition
from screening import services as screening_services

logger = logging.getLogger(__name__)

# How long a licence is valid from its approval.
MARKETING_LICENCE_YEARS = 2
EXPORT_LICENCE_YEARS = 1
LICENCE_YEARS = {
    LicenceType.MARKETING: MARKETING_LICENCE_YEARS,
    LicenceType.EXPORT: EXPORT_LICENCE_YEARS,
}

# --- Transition tables: {from: {to, ...}} ----------------------------------------------------

VENDOR_TRANSITIONS: dict[str, set[str]] = {
    VendorStatus.ACTIVE: {VendorStatus.SUSPENDED, VendorStatus.DEBARRED},
    VendorStatus.SUSPENDED: {VendorStatus.ACTIVE, VendorStatus.DEBARRED},
    VendorStatus.DEBARRED: {VendorStatus.ACTIVE},
}

APPLICATION_TRANSITIONS: dict[str, set[str]] = {
    ApplicationStatus.DRAFT: {ApplicationStatus.SUBMITTED, ApplicationStatus.WITHDRAWN},
    ApplicationStatus.SUBMITTED: {
        ApplicationStatus.UNDER_REVIEW,
        ApplicationStatus.REFUSED,
        ApplicationStatus.WITHDRAWN,
    },
    ApplicationStatus.UNDER_REVIEW: {
        ApplicationStatus.APPROVED,
        ApplicationStatus.REFUSED,
        ApplicationStatus.WITHDRAWN,
        ApplicationStatus.AWAITING_VENDOR,
    },
    # The vendor owes an answer (``licenses.casework``): the answer brings the case back under
    # review; it cannot be approved before.
    ApplicationStatus.AWAITING_VENDOR: {
        ApplicationStatus.UNDER_REVIEW,
        ApplicationStatus.REFUSED,
        ApplicationStatus.WITHDRAWN,
    },
    ApplicationStatus.APPROVED: set(),
    # A refusal may be appealed once (``lodge_appeal``): upheld, it is refused again; overturned,
    # approved with a licence issued on appeal.
    ApplicationStatus.REFUSED: {ApplicationStatus.UNDER_APPEAL},
    ApplicationStatus.UNDER_APPEAL: {ApplicationStatus.REFUSED, ApplicationStatus.APPROVED},
    ApplicationStatus.WITHDRAWN: set(),
}

# What an official's decision may do from each status: an appeal is decided by its own service.
DECISION_STARTS_FROM = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.UNDER_REVIEW,
    ApplicationStatus.AWAITING_VENDOR,
)

REVIEW_STARTS_FROM: dict[str, set[str]] = {
    ApplicationStatus.SUBMITTED: {ApplicationStatus.UNDER_REVIEW},
}

LICENCE_TRANSITIONS: dict[str, set[str]] = {
    LicenceStatus.ACTIVE: {
        LicenceStatus.SUSPENDED,
        LicenceStatus.REVOKED,
        LicenceStatus.EXPIRED,
        LicenceStatus.SURRENDERED,
    },
    LicenceStatus.SUSPENDED: {
        LicenceStatus.ACTIVE,
        LicenceStatus.REVOKED,
        LicenceStatus.EXPIRED,
        LicenceStatus.SURRENDERED,
    },
    LicenceStatus.REVOKED: set(),
    LicenceStatus.EXPIRED: set(),
    LicenceStatus.SURRENDERED: set(),
}


def _require_reason(reason: str, field: str = "reason") -> str:
    if not reason or not str(reason).strip():
        raise ValidationError({field: "Give a reason."})
    return str(reason).strip()


def _now(at: datetime.datetime | None) -> datetime.datetime:
    return at or timezone.now()


def _locked(obj):
    return type(obj).objects.select_for_update().get(pk=obj.pk)


# --- Vendors and products ----------------------------------------------------------------------

VENDOR_EDITABLE_FIELDS = ("name", "contact_name", "contact_email", "contact_phone", "address")


@transaction.atomic
def register_vendor(
    *,
    by,
    name: str,
    registration_number: str,
    contact_name: str,
    contact_email: str,
    contact_phone: str = "",
    address: str = "",
    at: datetime.datetime | None = None,
) -> Vendor:
    vendor = Vendor(
        name=name,
        registration_number=registration_number,
        contact_name=contact_name,
        contact_email=contact_email,
        contact_phone=contact_phone,
        address=address,
    )
    vendor.full_clean()
    try:
        return history.save(vendor, by=by, reason="Vendor registered", at=at)
    except IntegrityError as error:  # registered by someone else since the check above
        raise ValidationError(
            {"registration_number": "A vendor with this registration number exists."}
        ) from error


@transaction.atomic
def update_vendor(*, vendor: Vendor, by, reason: str, **changes) -> Vendor:
    """Changes the vendor's name and contact details. Status changes have their own services."""
    reason = _require_reason(reason)
    not_editable = sorted(set(changes) - set(VENDOR_EDITABLE_FIELDS))
    if not_editable:
        raise ValidationError(dict.fromkeys(not_editable, "This field cannot be changed here."))
    vendor = _locked(vendor)
    for field, value in changes.items():
        setattr(vendor, field, value)
    vendor.full_clean()
    return history.save(vendor, by=by, reason=reason)


def _change_status(obj, *, transitions: dict, to: str, by, reason: str, at=None):
    """Locks the row, checks the transition table and writes the new status with its reason."""
    reason = _require_reason(reason)
    obj = _locked(obj)
    check_transition(transitions, obj, to, what=f"{obj._meta.verbose_name} {obj}")
    obj.status = to
    return history.save(obj, by=by, reason=reason, at=at, update_fields=["status"])


def _change_vendor_status(vendor: Vendor, *, to: str, by, reason: str, at=None) -> Vendor:
    return _change_status(
        vendor, transitions=VENDOR_TRANSITIONS, to=to, by=by, reason=reason, at=at
    )


@transaction.atomic
def suspend_vendor(*, vendor: Vendor, by, reason: str, at=None) -> Vendor:
    return _change_vendor_status(vendor, to=VendorStatus.SUSPENDED, by=by, reason=reason, at=at)


@transaction.atomic
def debar_vendor(*, vendor: Vendor, by, reason: str, at=None) -> Vendor:
    return _change_vendor_status(vendor, to=VendorStatus.DEBARRED, by=by, reason=reason, at=at)


@transaction.atomic
def reinstate_vendor(*, vendor: Vendor, by, reason: str, at=None) -> Vendor:
    return _change_vendor_status(vendor, to=VendorStatus.ACTIVE, by=by, reason=reason, at=at)


@transaction.atomic
def register_product(
    *,
    vendor: Vendor,
    by,
    name: str,
    control_entry: str,
    category: str,
    description: str = "",
    at: datetime.datetime | None = None,
) -> Product:
    product = Product(
        vendor=vendor,
        name=name,
        control_entry=control_entry,
        category=category,
        description=description,
    )
    product.full_clean(exclude=["reference"])
    product.reference = next_reference("PRD", year=_now(at).year)
    try:
        return history.save(product, by=by, reason="Product registered", at=at)
    except IntegrityError as error:  # registered by someone else since the check above
        raise ValidationError({"name": "The vendor has a product of this name."}) from error


# --- Applications ------------------------------------------------------------------------------


def _store_screening(
    application: LicenceApplication, results: list[approvals.RuleResult], revision
) -> None:
    application.screening = [result.as_dict() for result in results]
    application.screened_against = revision


def _refuse_by_screening(application, results, *, system, at=None) -> None:
    """The system refuses an application that fails a rule; the failing rules are the reason.

    Sets the decision only: at submission it is saved by the system, on a whitelist revision in
    bulk with the revision's other writes.
    """
    application.status = ApplicationStatus.REFUSED
    application.decided_by = system
    application.decided_at = _now(at)
    application.decision_reason = approvals.refusal_reason(results)
    application.refusal_criteria = approvals.refusal_criteria(results) or None


def _new_application(
    *, vendor, by, product, licence_type, destination, end_use, value, currency, status
) -> LicenceApplication:
    application = LicenceApplication(
        vendor=vendor,
        product=product,
        licence_type=licence_type,
        destination=destination,
        end_use=end_use,
        value=value,
        currency=currency,
        status=status,
        submitted_by=by,
    )
    _validate_application(application)
    return application


def _validate_application(application: LicenceApplication) -> None:
    """The field checks of a new or edited application, before anything is written."""
    _check_amount(application)
    # The table's check constraints repeat the field checks above, each a query if validated.
    application.full_clean(
        exclude=["reference", *_loaded_relations(application)], validate_constraints=False
    )


def _end_user_party(application, *, name: str, kind: str) -> Party:
    """The end user given with the application: in the destination, no address yet.

    Its errors name the application's fields, ``end_user_name`` and ``end_user_kind``.
    """
    party = Party(
        application=application,
        role=PartyRole.END_USER,
        name=name,
        kind=kind,
        country=application.destination,
    )
    try:
        _check_party(party)
    except ValidationError as error:
        raise ValidationError(
            {f"end_user_{field}": messages for field, messages in error.message_dict.items()}
        ) from None
    return party


def _screen_for_submission(
    application: LicenceApplication, *, end_user_kind: str, parties: list, at=None
):
    """The rules as they stand at submission; raises :class:`Incomplete` (nothing written) when
    the export lacks its end-user declaration. Also answers the restricted-party matches found
    for ``parties`` (``screening.selectors.PartyRef``), to record once the parties are stored."""
    party_facts, new_matches = selectors.party_screening_for(
        [application.pk] if application.pk else [None], parties=parties
    )
    facts, revision = selectors.screening_facts_and_revision(
        vendor=application.vendor,
        product=application.product,
        licence_type=application.licence_type,
        destination=application.destination,
        end_user_kind=end_user_kind,
        application_id=application.pk,
        stage=approvals.SUBMISSION,
        at=at,
        lock=True,
        party_screening=party_facts.get(application.pk),
    )
    results = approvals.screen(facts)
    missing = approvals.incomplete(results)
    if missing is not None:
        how = (
            " Create the application as a draft, add its parties, file the declaration, then "
            "submit it."
            if application.pk is None
            else ""
        )
        raise Incomplete(missing.message + how, failed_rules=[missing.as_dict()])
    return results, revision, new_matches


def _after_screening(application: LicenceApplication, new_matches: list, *, at=None) -> None:
    """What the registry writes once a screened application and its parties are stored: the
    denial register's record when it was refused, else the new matches for officials."""
    if application.status == ApplicationStatus.REFUSED:
        _record_denial(application, by=application.decided_by)
    elif new_matches:
        screening_services.record_matches(
            new=new_matches,
            by=history.system_user(),
            reason=f"Possible restricted-party match on {application.reference}",
        )


def _record_denial(application: LicenceApplication, *, by=None) -> None:
    """Every refusal goes to the denial register: its end user, country and product category."""
    _record_denials([application])


def _record_denials(applications: list[LicenceApplication]) -> None:
    """The denial register's rows of these refused applications, in one statement per batch:
    a whitelist revision may refuse thousands at once. Two queries for their end users and
    product categories."""
    ids = [a.pk for a in applications]
    if not ids:
        return
    end_users = {
        p.application_id: p
        for p in Party.objects.filter(application_id__in=ids, role=PartyRole.END_USER)
    }
    categories = dict(
        LicenceApplication.objects.filter(pk__in=ids).values_list("pk", "product__category")
    )
    screening_services.record_denials(
        [
            screening_services.Denial(
                application_id=a.pk,
                vendor_id=a.vendor_id,
                end_user_name=end_users[a.pk].name,
                country_id=end_users[a.pk].country_id,
                product_category=categories[a.pk],
                refused_at=a.decided_at,
            )
            for a in applications
            if a.pk in end_users
        ]
    )


def _record_submission(application, results, revision, *, by, at=None) -> LicenceApplication:
    """Writes the submission, and the system's refusal when a rule failed."""
    _store_screening(application, results, revision)
    system = history.system_user() if approvals.failed(results) else None
    application.status = ApplicationStatus.SUBMITTED
    application.submitted_by = by
    application.submitted_at = _now(at)
    application.target_date = target_date_for(application.submitted_at)
    if application.reference == "":
        # From the number on, every other submission waits for this transaction: nothing but
        # the writes follow it.
        application.reference = next_reference("APP", year=_now(at).year)
    history.save(application, by=by, reason="Application submitted", at=at)
    notices.application_changed(application, at=at)
    if system is not None:
        _refuse_by_screening(application, results, system=system, at=at)
        application.refused_at_intake = True
        history.save(application, by=system, reason=application.decision_reason, at=at)
        # The letter and the receipt (signed with the log's head) follow the records on the trail.
        history.chain_held()
        issuing.issue_refusal_letter(application=application, by=system, at=at)
        decision_receipts.issue_decision_receipt(
            application=application, decision=decision_receipts.INTAKE_REFUSAL
        )
        notices.application_changed(application, at=at)
    return application


@transaction.atomic
def submit_application(
    *,
    vendor: Vendor,
    by,
    product: Product,
    licence_type: str,
    destination,
    end_user_name: str,
    end_user_kind: str,
    end_use: str,
    value,
    currency: str,
    at: datetime.datetime | None = None,
) -> LicenceApplication:
    """Stores the application with its end user and screens it at once.

    One that fails a rule is kept on record, refused by the system with its failing rules as the
    reason; one that passes waits for an official (``submitted``). An export that needs an
    end-user declaration cannot be submitted this way (it has none yet): :class:`Incomplete`,
    and nothing is stored.
    """
    application = _new_application(
        vendor=vendor,
        by=by,
        product=product,
        licence_type=licence_type,
        destination=destination,
        end_use=end_use,
        value=value,
        currency=currency,
        status=ApplicationStatus.SUBMITTED,
    )
    party = _end_user_party(application, name=end_user_name, kind=end_user_kind)
    refs = selectors.party_refs(parties=[party])
    results, revision, new_matches = _screen_for_submission(
        application, end_user_kind=end_user_kind, parties=refs, at=at
    )
    # Every read and check is done: what follows writes. The number, then the rows, then their
    # history records chained in one step: the counter and the chain's head are held for the
    # last few statements of the transaction only.
    with history.chained_together():
        _record_submission(application, results, revision, by=by, at=at)
        party.application = application
        history.save(party, by=by, reason=f"End user named on {application.reference}", at=at)
    application.end_user_parties = [party]
    stored = dataclasses.replace(refs[0], party_id=party.pk, application_id=application.pk)
    new_matches = [dataclasses.replace(m, party=stored) for m in new_matches]
    _after_screening(application, new_matches, at=at)
    return application


@transaction.atomic
def create_draft(
    *,
    vendor: Vendor,
    by,
    product: Product,
    licence_type: str,
    destination,
    end_use: str,
    value,
    currency: str,
    end_user_name: str = "",
    end_user_kind: str = "",
    at: datetime.datetime | None = None,
) -> LicenceApplication:
    """Stores an application as a draft: nothing screened, nobody but its vendor sees it. Its
    end user may come with it or later, as a party."""
    application = _new_application(
        vendor=vendor,
        by=by,
        product=product,
        licence_type=licence_type,
        destination=destination,
        end_use=end_use,
        value=value,
        currency=currency,
        status=ApplicationStatus.DRAFT,
    )
    party = None
    if end_user_name or end_user_kind:
        party = _end_user_party(application, name=end_user_name, kind=end_user_kind)
    application.reference = next_reference("APP", year=_now(at).year)
    history.save(application, by=by, reason="Draft application created", at=at)
    if party is not None:
        party.application = application
        history.save(party, by=by, reason=f"End user named on {application.reference}", at=at)
    application.end_user_parties = [party] if party else []
    return application


DRAFT_EDITABLE_FIELDS = (
    "licence_type",
    "product",
    "destination",
    "end_use",
    "value",
    "currency",
)


def _locked_draft(application, by, what: str) -> LicenceApplication:
    """The application locked, if it is a draft of the vendor's; ``what`` is done to it."""
    application = _locked_application(application)
    _refuse_other_vendors(by, application.vendor_id, f"{what} this application")
    if not application.is_draft:
        labels = dict(ApplicationStatus.choices)
        raise TransitionNotAllowed(
            f"Application {application.reference} is {labels[application.status].lower()}: "
            f"only a draft's vendor may {what} it."
        )
    return application


@transaction.atomic
def update_draft(*, application: LicenceApplication, by, at=None, **changes) -> LicenceApplication:
    """The vendor changes a draft's fields; its parties have their own service."""
    not_editable = sorted(set(changes) - set(DRAFT_EDITABLE_FIELDS))
    if not_editable:
        raise ValidationError(dict.fromkeys(not_editable, "This field cannot be changed here."))
    application = _locked_draft(application, by, "change")
    for field, value in changes.items():
        setattr(application, field, value)
    _validate_application(application)
    if not changes:
        return application
    return history.save(application, by=by, reason="Draft changed", at=at)


@transaction.atomic
def submit_draft(*, application: LicenceApplication, by, at=None) -> LicenceApplication:
    """Submits a draft and screens it, as :func:`submit_application` does.

    A draft without its end user, or an export without the end-user declaration it needs, is
    not submitted (:class:`Incomplete`) and stays as it was.
    """
    current = LicenceApplication.objects.select_related("product", "destination", "vendor").get(
        pk=application.pk
    )
    _refuse_other_vendors(by, current.vendor_id, "submit this application")
    end_user = current.end_user
    if end_user is None:
        raise Incomplete("Add the end user (a party with the role end_user) before submitting.")
    # The vendor and the destination are locked before the application (see the module's note).
    results, revision, new_matches = _screen_for_submission(
        current,
        end_user_kind=end_user.kind,
        parties=selectors.party_refs([current.pk]),
        at=at,
    )
    application = _locked_application(application)
    check_transition(
        APPLICATION_TRANSITIONS, application, ApplicationStatus.SUBMITTED, what=_what(application)
    )
    _record_submission(application, results, revision, by=by, at=at)
    application.end_user_parties = [end_user]
    _after_screening(application, new_matches, at=at)
    return application


PARTY_FIELDS = ("role", "name", "country", "address", "kind")


def _check_party(party: Party) -> None:
    party.full_clean(
        exclude=["application", "key", *_loaded_relations(party)], validate_constraints=False
    )
    if party.role == PartyRole.END_USER and not party.kind:
        raise ValidationError({"kind": "Give the end user's kind."})
    if party.kind and party.kind not in EndUserKind.values:
        raise ValidationError({"kind": f"Give one of {', '.join(EndUserKind.values)}."})


@transaction.atomic
def add_party(
    *,
    application: LicenceApplication,
    by,
    role: str,
    name: str,
    country,
    address: str = "",
    kind: str = "",
    at=None,
) -> Party:
    """Names a party on a draft. One end user per application."""
    application = _locked_draft(application, by, "add parties to")
    party = Party(
        application=application,
        role=role,
        name=name,
        country=country,
        address=address,
        kind=kind,
    )
    _check_party(party)
    if role == PartyRole.END_USER and application.parties.filter(role=PartyRole.END_USER).exists():
        raise ValidationError({"role": "The application has its end user: there is one only."})
    label = PartyRole(role).label
    try:
        return history.save(party, by=by, reason=f"{label} named on {application}", at=at)
    except IntegrityError as error:  # another end user added since the check above
        raise ValidationError(
            {"role": "The application has its end user: there is one only."}
        ) from error


# While a document can still count: before the decision.
DOCUMENT_STATUSES = (
    ApplicationStatus.DRAFT,
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.UNDER_REVIEW,
    ApplicationStatus.AWAITING_VENDOR,
)


@transaction.atomic
def file_document(*, application: LicenceApplication, by, party: Party | None = None, **document):
    """Files a document on an application of the vendor's, before its decision (a new version
    of a rejected declaration, say). The documents app checks and stores the file."""
    application = _locked_application(application)
    _refuse_other_vendors(by, application.vendor_id, "file documents on this application")
    if application.status not in DOCUMENT_STATUSES and not _open_to_appeal(application):
        labels = dict(ApplicationStatus.choices)
        raise TransitionNotAllowed(
            f"Application {application.reference} is {labels[application.status].lower()}: "
            "documents are filed before the decision, or for an appeal of a refusal while it "
            "may be lodged."
        )
    return documents_services.file_document(application=application, by=by, party=party, **document)


def _loaded_relations(obj) -> list[str]:
    """The foreign keys of ``obj`` set to rows read from the database.

    Validating one checks with a query that the row exists; rows here are never deleted, and the
    table's foreign key still refuses one that is gone.
    """
    return [
        field.name
        for field in obj._meta.concrete_fields
        if field.is_relation
        and field.is_cached(obj)
        and getattr(obj, field.name) is not None
        and not getattr(obj, field.name)._state.adding
    ]


def _check_amount(application: LicenceApplication) -> None:
    """Field messages for what the table's constraints would only refuse as a whole."""
    errors = {}
    if not re.fullmatch(r"[A-Z]{3}", str(application.currency or "")):
        errors["currency"] = "Give the currency's three-letter ISO 4217 code, such as EUR."
    try:
        if application.value is not None and Decimal(str(application.value)) < 0:
            errors["value"] = "The value cannot be negative."
    except InvalidOperation:
        errors["value"] = "Give the value as a number."
    if errors:
        raise ValidationError(errors)


def _refuse_other_vendors(by, vendor_id: int, what: str) -> None:
    """A vendor's user acts on its own vendor's records only; officials act on any."""
    if getattr(by, "vendor_id", None) and by.vendor_id != vendor_id:
        raise DomainError(f"Only the vendor concerned may {what}.")


def _locked_application(application: LicenceApplication) -> LicenceApplication:
    return LicenceApplication.objects.select_for_update().get(pk=application.pk)


def _what(application: LicenceApplication) -> str:
    return f"application {application.reference}"


def target_date_for(submitted_at: datetime.datetime) -> datetime.date:
    """The last working day for a decision on an application submitted at ``submitted_at``."""
    return working_days.add(
        timezone.localdate(submitted_at),
        settings.APPLICATION_TARGET_WORKING_DAYS,
        calendar=working_days.calendar(),
    )


def check_may_decide(application: LicenceApplication, by) -> None:
    """An assigned case is decided by its assignee or a senior official, no one else."""
    if (
        application.assigned_to_id
        and application.assigned_to_id != by.pk
        and not by.has_perm("licenses.assign_licenceapplication")
    ):
        raise DomainError(
            f"Application {application.reference} is assigned to "
            f"{application.assigned_to.get_username()}: only they or a senior official may "
            "act on it."
        )


@transaction.atomic
def start_review(*, application: LicenceApplication, by, at=None) -> LicenceApplication:
    application = _locked_application(application)
    check_may_decide(application, by)
    to = ApplicationStatus.UNDER_REVIEW
    # A case waiting on the vendor comes back under review by the vendor's answer only.
    check_transition(REVIEW_STARTS_FROM, application, to, what=_what(application))
    application.status = to
    return history.save(application, by=by, reason="Review started", at=at)


def _facts_at_decision(application: LicenceApplication, *, at=None):
    """The screening facts of an approval (or an overturned refusal) and the revision in force,
    the parties screened as they stand; locks the vendor and the destination for share."""
    current = LicenceApplication.objects.select_related("product").get(pk=application.pk)
    party_facts, _ = selectors.party_screening_for([current.pk])
    return selectors.screening_facts_and_revision(
        vendor=current.vendor,
        product=current.product,
        licence_type=current.licence_type,
        destination=current.destination,
        end_user_kind=current.end_user.kind,
        application_id=current.pk,
        stage=approvals.DECISION,
        at=at,
        lock=True,
        party_screening=party_facts[current.pk],
    )


@transaction.atomic
def approve_application(
    *,
    application: LicenceApplication,
    by,
    reason: str,
    conditions: Iterable[str] = (),
    other_conditions: str = "",
    at: datetime.datetime | None = None,
) -> Licence:
    """Approves the application and issues its licence, if it still passes every rule now.

    The rules run again against the list in force at this moment: a destination removed since the
    submission makes approval impossible (:class:`ScreeningFailed`; nothing is changed).
    ``conditions`` are codes of the standard conditions, ``other_conditions`` free text, one
    condition a line; the licence keeps their text as issued. Its certificate is generated,
    signed and stored in the same transaction.
    """
    reason = _require_reason(reason)
    chosen = conditions_for(conditions, other_conditions)
    # The vendor and the destination are locked before the application (see the module's note).
    facts, revision = _facts_at_decision(application, at=at)
    application = _locked_application(application)
    check_may_decide(application, by)
    to = ApplicationStatus.APPROVED
    _check_decision_from(application, to)
    results = approvals.screen(facts)
    failures = approvals.failed(results)
    if failures:
        raise ScreeningFailed(
            f"Application {application.reference} now fails "
            + ", ".join(result.rule for result in failures)
            + ": it cannot be approved. Refuse it instead.",
            failed_rules=[result.as_dict() for result in failures],
        )
    moment = _now(at)
    # The number is taken before the first history record, as the counter's lock comes before
    # the audit chain's head (see the module's note).
    prefix = Licence.NUMBER_PREFIXES[application.licence_type]
    number = next_reference(prefix, year=moment.year)
    _store_screening(application, results, revision)
    application.status = to
    application.decided_by = by
    application.decided_at = moment
    application.decision_reason = reason
    history.save(application, by=by, reason=reason, at=at)
    notices.application_changed(application, at=at)
    licence = _issue_licence(application, number=number, by=by, at=at, conditions=chosen)
    decision_receipts.issue_decision_receipt(
        application=application, decision=decision_receipts.APPROVAL, licence=licence
    )
    return licence


def conditions_for(codes: Iterable[str], other: str = "") -> list[dict]:
    """The conditions of an approval as the licence keeps them: [{code, text}], the standard
    ones first (by code, from the catalogue, not retired), then each line of ``other``."""
    codes = list(dict.fromkeys(str(code) for code in codes or ()))
    found = {
        condition.code: condition
        for condition in StandardCondition.objects.filter(code__in=codes, retired=False)
    }
    unknown = [code for code in codes if code not in found]
    if unknown:
        raise ValidationError(
            {"conditions": f"No standard condition in use with the code {', '.join(unknown)}."}
        )
    chosen = [{"code": code, "text": found[code].text} for code in codes]
    for line in str(other or "").splitlines():
        if line.strip():
            chosen.append({"code": "", "text": line.strip()})
    return chosen


def criteria_for(codes: Iterable[str]) -> list[str]:
    """The criteria of a refusal: at least one, each a code of the catalogue not retired."""
    codes = list(dict.fromkeys(str(code) for code in codes or ()))
    if not codes:
        raise ValidationError({"criteria": "Choose at least one criterion the refusal rests on."})
    known = set(
        DecisionCriterion.objects.filter(code__in=codes, retired=False).values_list(
            "code", flat=True
        )
    )
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise ValidationError(
            {"criteria": f"No criterion in use with the code {', '.join(unknown)}."}
        )
    return codes


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _issue_licence(
    application: LicenceApplication,
    *,
    number: str,
    by,
    at=None,
    conditions: list[dict] | None = None,
    on_appeal: bool = False,
) -> Licence:
    """The licence, and its signed certificate with a new check code (only its digest kept)."""
    valid_from = timezone.localdate(_now(at))
    check_code = issuing.new_check_code()
    reason = f"Issued {'on appeal' if on_appeal else 'on approval'} of {application.reference}"
    licence = Licence(
        number=number,
        application=application,
        valid_from=valid_from,
        valid_until=_add_years(valid_from, LICENCE_YEARS[application.licence_type]),
        status=LicenceStatus.ACTIVE,
        conditions=conditions or None,
        issued_on_appeal=True if on_appeal else None,
        check_code_sha256=issuing.check_code_digest(number, check_code),
        status_reason=reason,
        status_changed_at=_now(at),
        next_report_due=first_report_due(valid_from)
        if application.licence_type == LicenceType.EXPORT
        else None,
    )
    history.save(licence, by=by, reason=reason, at=at)
    issuing.issue_certificate(licence=licence, check_code=check_code, by=by, at=at)
    # The code is printed on the certificate and never stored: the caller (a test, the demo)
    # may read it once here.
    licence.check_code = check_code
    return licence


@transaction.atomic
def refuse_application(
    *,
    application: LicenceApplication,
    by,
    reason: str,
    criteria: Iterable[str] = (),
    conditions: Iterable[str] = (),
    at=None,
) -> LicenceApplication:
    """Refuses the application on at least one criterion of the catalogue, and issues the
    signed refusal letter (criteria, reasons, how to appeal and by when)."""
    reason = _require_reason(reason)
    if list(conditions or ()):
        raise ValidationError(
            {"conditions": "Conditions are attached to an approval, not a refusal."}
        )
    codes = criteria_for(criteria)
    application = _locked_application(application)
    check_may_decide(application, by)
    to = ApplicationStatus.REFUSED
    _check_decision_from(application, to)
    application.status = to
    application.decided_by = by
    application.decided_at = _now(at)
    application.decision_reason = reason
    application.refusal_criteria = codes
    history.save(application, by=by, reason=reason, at=at)
    issuing.issue_refusal_letter(application=application, by=by, at=at)
    decision_receipts.issue_decision_receipt(
        application=application, decision=decision_receipts.REFUSAL
    )
    notices.application_changed(application, at=at)
    _record_denial(application, by=by)
    return application


def _check_decision_from(application: LicenceApplication, to: str) -> None:
    """An official's decision is taken on a pending case only (an appeal has its own)."""
    if application.status not in DECISION_STARTS_FROM:
        check_transition({}, application, to, what=_what(application))
    check_transition(APPLICATION_TRANSITIONS, application, to, what=_what(application))


@transaction.atomic
def withdraw_application(
    *, application: LicenceApplication, by, reason: str = "Withdrawn by the vendor", at=None
) -> LicenceApplication:
    """The vendor takes back an application that is not yet decided."""
    reason = _require_reason(reason)
    application = _locked_application(application)
    _refuse_other_vendors(by, application.vendor_id, "withdraw this application")
    to = ApplicationStatus.WITHDRAWN
    check_transition(APPLICATION_TRANSITIONS, application, to, what=_what(application))
    was_draft = application.status == ApplicationStatus.DRAFT
    application.status = to
    history.save(application, by=by, reason=reason, at=at)
    if not was_draft:  # a draft was never submitted: nobody was told of it
        notices.application_changed(application, at=at)
    return application


@transaction.atomic
def review_document(*, application: LicenceApplication, document, by, accept: bool, reason=""):
    """An official accepts or rejects a document of an application waiting for a decision."""
    application = _locked_application(application)
    if document.application_id != application.pk:
        raise ValidationError({"document": "That document is not on this application."})
    if not application.is_pending:
        labels = dict(ApplicationStatus.choices)
        raise TransitionNotAllowed(
            f"Application {application.reference} is {labels[application.status].lower()}: "
            "its documents are reviewed while it waits for a decision."
        )
    return documents_services.review_document(
        document=document, by=by, accept=accept, reason=reason
    )


# --- Appeals ----------------------------------------------------------------------------------


def appeal_closes_on(application: LicenceApplication) -> datetime.date:
    """The last day the vendor may appeal the refusal: APPEAL_DAYS calendar days after the
    refusal letter's date."""
    return issuing.appeal_closes_on(application)


@transaction.atomic
def lodge_appeal(
    *,
    application: LicenceApplication,
    by,
    grounds: str,
    documents: Iterable = (),
    at: datetime.datetime | None = None,
) -> Appeal:
    """The vendor appeals a refusal, once, within APPEAL_DAYS of the letter; the application is
    ``under_appeal`` until a senior official decides. ``documents`` are keys of documents filed
    on the application."""
    grounds = _require_reason(grounds, "grounds")
    application = _locked_application(application)
    _refuse_other_vendors(by, application.vendor_id, "appeal this application's refusal")
    labels = dict(ApplicationStatus.choices)
    if Appeal.objects.filter(application=application).exists():
        raise TransitionNotAllowed(
            f"Application {application.reference} has been appealed already: an application is "
            "appealed once."
        )
    if application.status != ApplicationStatus.REFUSED:
        raise TransitionNotAllowed(
            f"Application {application.reference} is {labels[application.status].lower()}: only "
            "a refusal can be appealed."
        )
    moment = _now(at)
    closes = appeal_closes_on(application)
    if not approvals.appeal_open(
        today=timezone.localdate(moment),
        letter_date=issuing.letter_date(application),
        days=settings.APPEAL_DAYS,
    ):
        raise TransitionNotAllowed(
            f"The time to appeal the refusal of {application.reference} closed on "
            f"{closes:%Y-%m-%d} ({settings.APPEAL_DAYS} days from the letter of "
            f"{issuing.letter_date(application):%Y-%m-%d})."
        )
    named = documents_selectors.named_on(application, documents or ())
    appeal = Appeal(
        application=application,
        grounds=grounds,
        documents=[str(document.key) for document in named],
        refused_by=application.decided_by,
        lodged_by=by,
        lodged_at=moment,
    )
    history.save(appeal, by=by, reason=f"Appeal lodged against the refusal of {application}", at=at)
    check_transition(
        APPLICATION_TRANSITIONS,
        application,
        ApplicationStatus.UNDER_APPEAL,
        what=_what(application),
    )
    application.status = ApplicationStatus.UNDER_APPEAL
    history.save(application, by=by, reason="Appeal lodged", at=at, update_fields=["status"])
    return appeal


def _open_to_appeal(application: LicenceApplication, at=None) -> bool:
    """A refusal not yet appealed, within its appeal period: the vendor may file the documents
    its appeal will rely on."""
    return (
        application.status == ApplicationStatus.REFUSED
        and application.decided_at is not None
        and not Appeal.objects.filter(application=application).exists()
        and approvals.appeal_open(
            today=timezone.localdate(_now(at)),
            letter_date=issuing.letter_date(application),
            days=settings.APPEAL_DAYS,
        )
    )


@transaction.atomic
def decide_appeal(
    *,
    application: LicenceApplication,
    by,
    overturn: bool,
    reason: str,
    conditions: Iterable[str] = (),
    other_conditions: str = "",
    at: datetime.datetime | None = None,
) -> Appeal:
    """A senior official who did not take the refusal decides the appeal: upheld (the
    application is refused again, with a final letter), or overturned (approved, with a licence
    marked ``issued_on_appeal`` and its certificate). An overturned refusal still needs every
    screening rule to pass now."""
    reason = _require_reason(reason)
    if not by.has_perm("licenses.decide_appeal"):
        raise DomainError("Only a senior official decides an appeal.")
    chosen = conditions_for(conditions, other_conditions) if overturn else []
    if not overturn and (list(conditions or ()) or str(other_conditions or "").strip()):
        raise ValidationError(
            {"conditions": "Conditions are attached to a licence, not a refusal."}
        )
    facts = revision = None
    if overturn:
        # The vendor and the destination are locked before the application (the module's note).
        facts, revision = _facts_at_decision(application, at=at)
    application = _locked_application(application)
    appeal = Appeal.objects.select_for_update().filter(application=application).first()
    if appeal is None or appeal.status != AppealStatus.OPEN:
        raise TransitionNotAllowed(
            f"Application {application.reference} has no appeal waiting for a decision."
        )
    if appeal.refused_by_id == by.pk:
        raise FourEyesViolation(
            f"You refused {application.reference}: a senior official who did not take the "
            "refusal decides its appeal."
        )
    to = ApplicationStatus.APPROVED if overturn else ApplicationStatus.REFUSED
    check_transition(APPLICATION_TRANSITIONS, application, to, what=_what(application))
    moment = _now(at)
    number = None
    results = None
    if overturn:
        results = approvals.screen(facts)
        failures = approvals.failed(results)
        if failures:
            raise ScreeningFailed(
                f"Application {application.reference} now fails "
                + ", ".join(result.rule for result in failures)
                + ": the refusal cannot be overturned. Uphold it instead.",
                failed_rules=[result.as_dict() for result in failures],
            )
        number = next_reference(Licence.NUMBER_PREFIXES[application.licence_type], year=moment.year)
    appeal.status = AppealStatus.OVERTURNED if overturn else AppealStatus.UPHELD
    appeal.decided_by = by
    appeal.decided_at = moment
    appeal.decision_reason = reason
    history.save(appeal, by=by, reason=f"Appeal {appeal.get_status_display().lower()}", at=at)
    application.status = to
    if overturn:
        _store_screening(application, results, revision)
        application.decided_by = by
        application.decided_at = moment
        application.decision_reason = reason
        history.save(application, by=by, reason=f"Refusal overturned on appeal: {reason}", at=at)
        licence = _issue_licence(
            application, number=number, by=by, at=at, conditions=chosen, on_appeal=True
        )
        decision_receipts.issue_decision_receipt(
            application=application,
            decision=decision_receipts.APPEAL_OVERTURNED,
            licence=licence,
            extra={"appeal": {"grounds": appeal.grounds, "decision_reason": reason}},
        )
    else:
        history.save(
            application,
            by=by,
            reason=f"Refusal upheld on appeal: {reason}",
            at=at,
            update_fields=["status"],
        )
        issuing.issue_refusal_letter(application=application, by=by, at=at, appeal=appeal)
        decision_receipts.issue_decision_receipt(
            application=application,
            decision=decision_receipts.APPEAL_UPHELD,
            extra={"appeal": {"grounds": appeal.grounds, "decision_reason": reason}},
        )
    notices.application_changed(application, at=at)
    return appeal


# --- Licences ----------------------------------------------------------------------------------


def _change_licence_status(licence: Licence, *, to: str, by, reason: str, at=None) -> Licence:
    """As :func:`_change_status`, keeping the reason and the moment on the licence too."""
    reason = _require_reason(reason)
    licence = _locked(licence)
    check_transition(LICENCE_TRANSITIONS, licence, to, what=f"licence {licence}")
    licence.status = to
    licence.status_reason = reason
    licence.status_changed_at = _now(at)
    history.save(
        licence,
        by=by,
        reason=reason,
        at=at,
        update_fields=["status", "status_reason", "status_changed_at"],
    )
    notices.licence_changed(licence, reason=_require_reason(reason), at=at)
    return licence


@transaction.atomic
def suspend_licence(*, licence: Licence, by, reason: str, at=None) -> Licence:
    return _change_licence_status(licence, to=LicenceStatus.SUSPENDED, by=by, reason=reason, at=at)


@transaction.atomic
def reinstate_licence(*, licence: Licence, by, reason: str, at=None) -> Licence:
    """Brings a suspended licence back, only while its destination is on the whitelist."""
    reason = _require_reason(reason)
    destination_id = Licence.objects.values_list("application__destination_id", flat=True).get(
        pk=licence.pk
    )
    destination = Country.objects.select_for_update().get(pk=destination_id)
    locked = _locked(licence)
    check_transition(
        LICENCE_TRANSITIONS, locked, LicenceStatus.ACTIVE, what=f"licence {locked.number}"
    )
    if not destination.eligible:
        raise TransitionNotAllowed(
            f"Licence {locked.number} cannot be reinstated: {destination.name} is not on the "
            "whitelist in force."
        )
    if locked.valid_until < timezone.localdate(_now(at)):
        raise TransitionNotAllowed(
            f"Licence {locked.number} cannot be reinstated: its validity ended on "
            f"{locked.valid_until:%Y-%m-%d}."
        )
    return _change_licence_status(locked, to=LicenceStatus.ACTIVE, by=by, reason=reason, at=at)


@transaction.atomic
def revoke_licence(*, licence: Licence, by, reason: str, at=None) -> Licence:
    return _change_licence_status(licence, to=LicenceStatus.REVOKED, by=by, reason=reason, at=at)


@transaction.atomic
def surrender_licence(*, licence: Licence, by, reason: str, at=None) -> Licence:
    """The holder gives the licence up (or an official records that it did)."""
    vendor_id = Licence.objects.values_list("application__vendor_id", flat=True).get(pk=licence.pk)
    _refuse_other_vendors(by, vendor_id, "surrender this licence")
    return _change_licence_status(
        licence, to=LicenceStatus.SURRENDERED, by=by, reason=reason, at=at
    )


@transaction.atomic
def expire_licences(*, today: datetime.date | None = None, by=None, operator_note: str = "") -> int:
    """Marks active and suspended licences whose validity has ended as expired.

    The scheduled run is the system's. An operator catching up on a missed day passes ``today``
    and ``by`` (and says how the run was made in ``operator_note``); a day after today is refused,
    as it would end licences still valid. Returns how many. A few statements whatever the number,
    with one history record each.
    """
    now = timezone.localdate()
    if today is not None and today > now:
        raise DomainError(
            f"Cannot expire licences as of {today:%Y-%m-%d}: it is after today ({now:%Y-%m-%d})."
        )
    today = today or now
    licences = list(
        Licence.objects.select_for_update()
        .filter(status__in=[LicenceStatus.ACTIVE, LicenceStatus.SUSPENDED], valid_until__lt=today)
        .order_by("pk")
    )
    reason = f"Expired: validity ended before {today:%Y-%m-%d}"
    if operator_note.strip():
        reason = f"{reason} ({operator_note.strip()})"
    moment = timezone.now()
    for licence in licences:
        licence.status = LicenceStatus.EXPIRED
        licence.status_reason = reason
        licence.status_changed_at = moment
    history.bulk_update(
        licences,
        fields=["status", "status_reason", "status_changed_at"],
        by=by or history.system_user(),
        reason=reason,
    )
    return len(licences)


# --- A whitelist revision's removed destinations ------------------------------------------------


@dataclass
class DestinationRemoval:
    """The pending applications and the active licences to the destinations a revision removes,
    locked for update by :func:`lock_for_destination_removal`."""

    applications: list[LicenceApplication]
    licences: list[Licence]


@dataclass(frozen=True)
class RemovalOutcome:
    licences_changed: int
    applications_refused: int


def lock_for_destination_removal(
    *, country_ids: Iterable[int], at: datetime.datetime | None = None
) -> DestinationRemoval:
    """Locks, each by id, the pending applications and then the active licences (still valid on
    the day of ``at``) to these countries, inside the revision's transaction.

    The revision service calls it after locking the countries and before its first history record,
    so the registry's lock order holds (see the module's note): an official's service locks its
    application or licence and then writes history; had the revision taken the audit chain's head
    first and then waited for that row, each would wait for the other.
    """
    affected = selectors.affected_by_removal(country_ids, on=timezone.localdate(_now(at)))
    applications = list(
        selectors.with_end_user(
            affected.applications.select_related(
                "vendor", "product", "destination"
            ).select_for_update(of=("self",))
        )
    )
    licences = list(affected.licences.select_for_update(of=("self",)))
    return DestinationRemoval(applications, licences)


@transaction.atomic
def apply_destination_removal(
    *,
    removal: DestinationRemoval,
    revision: WhitelistRevision,
    destinations: Iterable[Country],
    by,
    reason: str,
    at: datetime.datetime | None = None,
) -> RemovalOutcome:
    """Does to the rows of ``removal`` what ``revision`` decided, with one history record each.

    Licences first, then the pending applications, so the re-screening sees the licences as the
    revision left them. ``destinations`` are the countries the revision changed, as it left them;
    ``reason`` (the revision's reference and title) begins every record's reason. The revision's
    transaction makes it all or nothing, with its changes to the countries.
    """
    licences = _treat_licences(revision, removal.licences, by=by, reason=reason, at=at)
    refused = _rescreen_applications(
        revision,
        removal.applications,
        destinations=destinations,
        by=by,
        reason=reason,
        at=at,
    )
    return RemovalOutcome(licences_changed=licences, applications_refused=refused)


def _treat_licences(
    revision: WhitelistRevision, licences: list[Licence], *, by, reason: str, at=None
) -> int:
    """Suspends the active licences to removed destinations, or bars their renewal, as the
    revision says. Returns how many licences changed."""
    if revision.licence_treatment == WhitelistRevision.LicenceTreatment.SUSPEND:
        what = "licence suspended pending review: its destination left the whitelist"
        moment = _now(at)
        for licence in licences:
            licence.status = LicenceStatus.SUSPENDED
            licence.status_reason = f"{reason} — {what}"
            licence.status_changed_at = moment
        fields = ["status", "status_reason", "status_changed_at", "changed_by_revision"]
    else:
        licences = [licence for licence in licences if not licence.renewal_barred]
        for licence in licences:
            licence.renewal_barred = True
        fields = ["renewal_barred", "changed_by_revision"]
        what = "licence runs to expiry with no renewal: its destination left the whitelist"
    for licence in licences:
        licence.changed_by_revision = revision
    history.save_many(licences, fields=fields, by=by, reason=f"{reason} — {what}", at=at)
    if revision.licence_treatment == WhitelistRevision.LicenceTreatment.SUSPEND:
        notices.licences_changed(licences, reason=f"{reason} — {what}", at=at)
    return len(licences)


def _rescreen_applications(
    revision: WhitelistRevision,
    applications: list[LicenceApplication],
    *,
    destinations: Iterable[Country],
    by,
    reason: str,
    at=None,
) -> int:
    """Screens again the pending applications to removed destinations, against the revised list.

    One that now fails is refused by the system with its failing rules as the reason, as at
    submission. Returns how many were refused.
    """
    # The destinations were read when the rows were locked, before the revision changed them;
    # the screening must see them as the revision left them.
    countries = {country.pk: country for country in destinations}
    for application in applications:
        application.destination = countries.get(application.destination_id, application.destination)
    facts = selectors.facts_for_applications(applications, revision_reference=revision.reference)
    system = history.system_user()
    moment = _now(at)
    refused, passed = [], []
    for application in applications:
        results = approvals.screen(facts[application.pk])
        _store_screening(application, results, revision)
        application.rescreened_by_revision = revision
        if approvals.failed(results):
            _refuse_by_screening(application, results, system=system, at=moment)
            refused.append(application)
        else:
            passed.append(application)
    history.save_many(
        refused,
        fields=[
            "screening",
            "screened_against",
            "rescreened_by_revision",
            "status",
            "decided_by",
            "decided_at",
            "decision_reason",
            "refusal_criteria",
        ],
        by=by,
        reason=f"{reason} — refused by screening against the revised whitelist",
        at=at,
    )
    decision_receipts.issue_decision_receipts(refused, decision=decision_receipts.REVISION_REFUSAL)
    notices.applications_refused(refused, at=at)
    _record_denials(refused)
    if refused:
        # A revision may refuse thousands at once: their letters are drawn and signed by the
        # worker after it commits, not while it holds its locks nor in the official's request
        # (in process when no broker is configured). Should that fail, the daily
        # ``issue_missing_letters`` command issues what is owed.
        ids = [application.pk for application in refused]
        transaction.on_commit(lambda: _issue_letters_after_commit(ids, by=by))
    history.save_many(
        passed,
        fields=["screening", "screened_against", "rescreened_by_revision"],
        by=by,
        reason=f"{reason} — screened again against the revised whitelist",
        at=at,
    )
    return len(refused)


# --- Restricted-party screening again, after a list changed (screening.rescreen) ---------------


def rescreen_parties(*, by, reason: str) -> int:
    """Screens the parties of every pending application and live licence against the lists in
    use, and records the new matches for officials. A few queries for the parties and the
    matches on record, whatever their number, then one record per new match. Called by the
    screening app (``screening.rescreen``) inside the transaction of the list's change."""
    _, new_matches = selectors.party_screening_for([], parties=selectors.live_parties())
    return len(screening_services.record_matches(new=new_matches, by=by, reason=reason))


@transaction.atomic
def rescreen_application(*, application: LicenceApplication, by) -> int:
    """An official screens one application's parties again now (a refusal since its submission
    may have added a name to the denial register). Returns how many new matches."""
    _, new_matches = selectors.party_screening_for([application.pk])
    matches = screening_services.record_matches(
        new=new_matches, by=by, reason=f"Parties of {application.reference} screened again"
    )
    return len(matches)


# --- Delivery reports on export licences --------------------------------------------------------

REPORT_INTERVAL_MONTHS = 6


def _add_months(day: datetime.date, months: int) -> datetime.date:
    years, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month + 1
    last_day = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last_day))


def first_report_due(issued_on: datetime.date) -> datetime.date:
    """An export licence's first delivery report: ``DELIVERY_REPORT_DAYS`` after issue."""
    return issued_on + datetime.timedelta(days=settings.DELIVERY_REPORT_DAYS)


def report_due_dates(issued_on: datetime.date) -> Iterator[datetime.date]:
    """The due dates of an export licence's reports: the first, then every six months after
    (counted from the first, so a due date on the 31st does not drift)."""
    first = first_report_due(issued_on)
    months = 0
    while True:
        yield _add_months(first, months)
        months += REPORT_INTERVAL_MONTHS


def next_report_due(
    *, issued_on: datetime.date, due: datetime.date, filed_on: datetime.date
) -> datetime.date:
    """The due date after a report filed on ``filed_on`` while ``due`` was the next one owed.

    Each due date has a window: from the due date before it (the issue, for the first) to the
    date itself. A report filed in the window of ``due``, or after it, answers ``due`` and every
    due date already past; the next one owed is the first after the filing. A second report in
    a window already answered moves nothing: reports cannot be filed in advance of the periods
    they cover.
    """
    previous = issued_on
    dates = report_due_dates(issued_on)
    for day in dates:
        if day >= due:
            break
        previous = day
    if filed_on <= previous:
        return due
    for day in dates:
        if day > filed_on:
            return day
    raise AssertionError("unreachable: the due dates have no end")


@transaction.atomic
def file_delivery_report(
    *,
    licence: Licence,
    by,
    delivered_on: datetime.date,
    systems: int,
    installation_country: Country,
    operating_unit: str,
    remote_maintenance: bool,
    at: datetime.datetime | None = None,
) -> DeliveryReport:
    """Records a delivery made under an export licence, and moves its next due date on.

    The licence is locked, so two reports filed at once are counted one after the other. Only
    the vendor holding the licence (or an official recording a report for it) may file one.
    """
    vendor_id = Licence.objects.values_list("application__vendor_id", flat=True).get(pk=licence.pk)
    _refuse_other_vendors(by, vendor_id, "report deliveries under this licence")
    licence = (
        Licence.objects.select_related("application")
        .select_for_update(of=("self",))
        .get(pk=licence.pk)
    )
    moment = _now(at)
    today = timezone.localdate(moment)
    if licence.application.licence_type != LicenceType.EXPORT:
        raise ValidationError(
            {
                "licence": f"Licence {licence.number} is a marketing licence: deliveries are "
                "reported under an export licence only."
            }
        )
    errors = {}
    if delivered_on > today:
        errors["delivered_on"] = "The delivery date cannot be in the future."
    elif delivered_on < licence.valid_from:
        errors["delivered_on"] = (
            f"The delivery date cannot be before the licence was issued "
            f"({licence.valid_from:%Y-%m-%d})."
        )
    if systems is None or systems < 1:
        errors["systems"] = "Give how many systems were delivered: 1 or more."
    operating_unit = (operating_unit or "").strip()
    if not operating_unit:
        errors["operating_unit"] = "Name the unit that operates the systems."
    if errors:
        raise ValidationError(errors)
    report = DeliveryReport(
        licence=licence,
        delivered_on=delivered_on,
        systems=systems,
        installation_country=installation_country,
        operating_unit=operating_unit,
        remote_maintenance=remote_maintenance,
        reported_by=by,
        reported_at=moment,
        due_on=licence.next_report_due,
    )
    report.full_clean(exclude=["licence", "installation_country", "reported_by"])
    history.save(report, by=by, reason=f"Delivery reported under licence {licence.number}", at=at)
    if licence.next_report_due is not None:
        licence.next_report_due = next_report_due(
            issued_on=licence.valid_from, due=licence.next_report_due, filed_on=today
        )
        history.save(
            licence,
            by=by,
            reason=f"Delivery report filed: the next is due on {licence.next_report_due:%Y-%m-%d}",
            at=at,
            update_fields=["next_report_due"],
        )
    return report


@dataclass(frozen=True)
class OverdueReminders:
    licences: int
    officials: int
    vendors: int


def send_overdue_report_reminders(*, today: datetime.date | None = None) -> OverdueReminders:
    """Emails the overdue delivery reports: one digest of them all to the officials (those with
    an email address), and to each vendor's contact the list of its own. Nothing is sent when
    nothing is overdue. Run daily (``manage.py delivery_reports_overdue``)."""
    overdue = list(selectors.reports_overdue(today=today))
    if not overdue:
        return OverdueReminders(0, 0, 0)
    officials = sorted(selectors.officials_emails())
    lines = [_overdue_line(licence) for licence in overdue]
    messages = []
    if officials:
        messages.append(
            EmailMessage(
                subject=f"{len(overdue)} delivery report(s) overdue",
                body="These export licences owe a delivery report:\n\n" + "\n".join(lines),
                to=officials,
            )
        )
    by_vendor: dict[Vendor, list[Licence]] = {}
    for licence in overdue:
        by_vendor.setdefault(licence.application.vendor, []).append(licence)
    for vendor, licences in by_vendor.items():
        messages.append(
            EmailMessage(
                subject="Delivery report overdue",
                body=(
                    f"Dear {vendor.contact_name},\n\nA delivery report is overdue under these "
                    f"export licences of {vendor.name}:\n\n"
                    + "\n".join(_overdue_line(licence, vendor=False) for licence in licences)
                    + "\n\nReport the deliveries through the API: POST "
                    "/api/v1/licences/{number}/reports/."
                ),
                to=[vendor.contact_email],
            )
        )
    with mail.get_connection() as connection:
        connection.send_messages(messages)
    return OverdueReminders(len(overdue), len(officials), len(by_vendor))


def _overdue_line(licence: Licence, *, vendor: bool = True) -> str:
    application = licence.application
    holder = f" ({application.vendor.name})" if vendor else ""
    return (
        f"- {licence.number}{holder} to {application.destination.name}: due on "
        f"{licence.next_report_due:%Y-%m-%d}"
    )


def _issue_letters_after_commit(application_ids: list[int], *, by) -> None:
    from licenses import tasks  # the tasks call these services

    try:
        tasks.issue_refusal_letters.delay(application_ids, by.pk)
    except Exception:  # the decisions stand; the daily command issues what is owed
        logger.exception("Refusal letters left to the daily command")


def issue_missing_letters(*, by, application_ids: Iterable[int] | None = None) -> int:
    """Issues the refusal letter of each refused application that has none (a refusal by a
    whitelist revision gets its letter after the revision commits). One transaction per letter,
    each under the application's lock; returns how many."""
    from documents.models import IssuedDocument

    owed = LicenceApplication.objects.filter(
        status__in=[ApplicationStatus.REFUSED, ApplicationStatus.UNDER_APPEAL]
    ).exclude(issued_documents__kind=IssuedDocument.Kind.REFUSAL_LETTER)
    if application_ids is not None:
        owed = owed.filter(pk__in=list(application_ids))
    issued = 0
    for pk in owed.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            application = (
                LicenceApplication.objects.select_for_update(of=("self",))
                .select_related("vendor", "product", "destination")
                .get(pk=pk)
            )
            if application.issued_documents.filter(
                kind=IssuedDocument.Kind.REFUSAL_LETTER
            ).exists():
                continue
            issuing.issue_refusal_letter(application=application, by=by)
            issued += 1
    return issued
