"""Reads of documents and declaration templates."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from documents.models import DeclarationTemplate, Document, DocumentKind, IssuedDocument


def template_in_force(on: datetime.date | None = None) -> DeclarationTemplate | None:
    """The declaration template in force on a day (today by default), or None before the first."""
    on = on or timezone.localdate()
    return (
        DeclarationTemplate.objects.filter(in_force_from__lte=on)
        .order_by("-in_force_from", "-version")
        .first()
    )


def latest_declarations(application_ids: Iterable[int]) -> dict[int, Document]:
    """``{application_id: document}``: the latest end-user declaration filed for each
    application's end user, with its party and the party's country. One query."""
    declarations = (
        Document.objects.filter(
            application_id__in=list(application_ids),
            kind=DocumentKind.END_USER_DECLARATION,
            party__role="end_user",
        )
        .select_related("party__country")
        .order_by("application_id", "-version")
    )
    found: dict[int, Document] = {}
    for document in declarations:
        found.setdefault(document.application_id, document)
    return found


def for_application(application) -> QuerySet[Document]:
    """The application's documents, every version, by kind, party and version."""
    return (
        Document.objects.filter(application=application)
        .select_related("party", "uploaded_by", "reviewed_by")
        .order_by("kind", "party_id", "version")
    )


def named_on(application, keys: Iterable) -> list[Document]:
    """The application's documents with these ids, in the order named.

    Raises ``ValidationError`` naming every id that is not one of the application's own
    documents: another application's (or another vendor's) document reads as unknown.
    """
    wanted = []
    for key in keys:
        try:
            wanted.append(uuid.UUID(str(key)))
        except ValueError:
            raise ValidationError({"documents": f"{key!s:.40} is not a document id."}) from None
    found = {d.key: d for d in Document.objects.filter(application=application, key__in=wanted)}
    unknown = [str(key) for key in wanted if key not in found]
    if unknown:
        raise ValidationError(
            {"documents": f"This application has no document {', '.join(unknown)}."}
        )
    return list(dict.fromkeys(found[key] for key in wanted))


def pending_on_other_templates(version: str) -> list:
    """The pending export applications whose latest end-user declaration is on another
    version than ``version``: those a new template in force would make fail at the decision."""
    from licenses.models import LicenceApplication, LicenceType

    pending = LicenceApplication.objects.filter(
        status__in=LicenceApplication.PENDING_STATUSES, licence_type=LicenceType.EXPORT
    ).select_related("vendor")
    latest = latest_declarations(pending.values_list("pk", flat=True))
    return [
        application
        for application in pending.order_by("reference")
        if application.pk in latest and latest[application.pk].template_version != version
    ]


def certificate(licence):
    """The certificate issued with ``licence`` (one per licence)."""
    return (
        IssuedDocument.objects.filter(licence=licence, kind=IssuedDocument.Kind.CERTIFICATE)
        .order_by("-issued_at", "-pk")
        .first()
    )


def latest_letter(application):
    """The latest refusal or appeal letter issued on ``application``."""
    return (
        IssuedDocument.objects.filter(
            application=application,
            kind__in=[IssuedDocument.Kind.REFUSAL_LETTER, IssuedDocument.Kind.APPEAL_LETTER],
        )
        .order_by("-issued_at", "-pk")
        .first()
    )


def issued_for(application):
    return IssuedDocument.objects.filter(application=application).order_by("issued_at", "pk")
