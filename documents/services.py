"""Every write to documents, their reviews and the declaration templates.

One function per use case, keyword-only, in a transaction, naming the acting user and the reason
in the history record it writes.

A file is written to the storage first, under a new unique name, and its row after, in the
transaction: a row can never point at a file that is not there. When writing the row fails the
file is deleted at once. A file left without a row (the process killed between the two, or an
enclosing transaction rolled back after the service returned) is never counted as a document:
documents are rows. ``manage.py purge_orphan_documents`` deletes such files.
"""

from __future__ import annotations

import datetime
import io
import logging
import re

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from documents import signing, storage
from documents.models import (
    DeclarationTemplate,
    Document,
    DocumentKind,
    IssuedDocument,
    ReviewStatus,
)
from registry.audit import history
from registry.errors import DomainError, SigningUnavailable, TransitionNotAllowed

logger = logging.getLogger(__name__)

REVIEW_TRANSITIONS: dict[str, set[str]] = {
    ReviewStatus.RECEIVED: {ReviewStatus.ACCEPTED, ReviewStatus.REJECTED},
    ReviewStatus.ACCEPTED: set(),
    ReviewStatus.REJECTED: set(),
}

LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")
DECLARATION_FIELDS = (
    "template_version",
    "signatory_name",
    "signatory_position",
    "signed_on",
    "language",
)


class DocumentTooLarge(DomainError):
    status_code = 413
    code = "too_large"


class UnsupportedDocumentType(DomainError):
    status_code = 415
    code = "unsupported_media_type"


def max_bytes() -> int:
    return settings.DOCUMENT_MAX_BYTES


def _size_text(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB" if size >= 1024 * 1024 else f"{size} bytes"


def check_size(size: int | None) -> None:
    """Refuses an empty file (400) or one over ``DOCUMENT_MAX_BYTES`` (413)."""
    if not size:
        raise ValidationError({"file": "The file is empty."})
    if size > max_bytes():
        raise DocumentTooLarge(
            f"The file is {size} bytes; the largest accepted is {_size_text(max_bytes())}."
        )


def _check_declaration(*, application, party, fields: dict) -> None:
    """An end-user declaration: signed by the end user, in the destination, on a known template."""
    from licenses.models import PartyRole

    errors = {}
    if party is None or party.role != PartyRole.END_USER:
        errors["party"] = "An end-user declaration concerns the application's end user."
    elif party.country_id != application.destination_id:
        errors["party"] = (
            f"The declaration names {party.country.name}, not the destination "
            f"{application.destination.name}."
        )
    for name in ("template_version", "signatory_name", "signatory_position", "signed_on"):
        if not fields.get(name):
            errors[name] = "An end-user declaration needs this."
    version = fields.get("template_version")
    if version and not DeclarationTemplate.objects.filter(version=version).exists():
        errors["template_version"] = f"No declaration template {version}."
    signed_on = fields.get("signed_on")
    if signed_on and signed_on > timezone.localdate():
        errors["signed_on"] = "The date of signature cannot be in the future."
    language = fields.get("language") or ""
    if language and not LANGUAGE_TAG.fullmatch(language):
        errors["language"] = "Give a language tag, such as fr or pt-BR."
    if errors:
        raise ValidationError(errors)


def _check_other(fields: dict) -> None:
    given = sorted(name for name in DECLARATION_FIELDS if fields.get(name))
    if given:
        raise ValidationError(
            dict.fromkeys(given, "Only an end-user declaration takes this field.")
        )


@transaction.atomic
def file_document(
    *,
    application,
    by,
    file,
    original_name: str,
    kind: str,
    party=None,
    at: datetime.datetime | None = None,
    **fields,
) -> Document:
    """Files a new version of a document on ``application`` (locked by the caller, licensing's
    ``file_document``), after checking the file and its fields.

    The file's type is read from its bytes (PDF, PNG, JPEG; else 415), its size must be from one
    byte to ``DOCUMENT_MAX_BYTES`` (else 400 or 413).
    """
    unknown = sorted(set(fields) - set(DECLARATION_FIELDS))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "Unknown field."))
    if kind not in DocumentKind.values:
        raise ValidationError({"kind": f"Give one of {', '.join(DocumentKind.values)}."})
    if party is not None and party.application_id != application.pk:
        raise ValidationError({"party": "That party is not on this application."})
    if kind == DocumentKind.END_USER_DECLARATION:
        _check_declaration(application=application, party=party, fields=fields)
    else:
        _check_other(fields)
    check_size(getattr(file, "size", None))
    content_type = storage.sniff(storage.read_head(file))
    if content_type is None:
        raise UnsupportedDocumentType(
            "The file is not a PDF, PNG or JPEG (its bytes were read, whatever its name or "
            "declared type)."
        )
    original_name = (original_name or "document").replace("\x00", "")[-255:]
    moment = at or timezone.now()
    versions = Document.objects.filter(application=application, kind=kind, party=party)
    version = (versions.aggregate(last=Max("version"))["last"] or 0) + 1
    stored, sha256, size = storage.store(file, content_type)
    try:
        check_size(size)  # what was stored, whatever the file object said
        document = Document(
            application=application,
            party=party,
            kind=kind,
            version=version,
            stored_as=stored,
            original_name=original_name,
            content_type=content_type,
            size=size,
            sha256=sha256,
            uploaded_by=by,
            uploaded_at=moment,
            template_version=fields.get("template_version") or "",
            signatory_name=fields.get("signatory_name") or "",
            signatory_position=fields.get("signatory_position") or "",
            signed_on=fields.get("signed_on"),
            language=fields.get("language") or "",
        )
        with transaction.atomic():
            history.save(
                document,
                by=by,
                reason=f"{document.get_kind_display()} v{version} filed on {application}",
                at=at,
            )
    except BaseException:
        _forget_file(stored)
        raise
    return document


def _forget_file(name: str) -> None:
    try:
        storage.delete(name)
    except Exception:  # the row is gone either way; the purge command finds what is left
        logger.exception("Could not delete the file %s of a document not filed", name)


@transaction.atomic
def review_document(*, document: Document, by, accept: bool, reason: str = "", at=None) -> Document:
    """An official accepts a document, or rejects it with a reason."""
    reason = (reason or "").strip()
    if not accept and not reason:
        raise ValidationError({"reason": "Give the reason for the rejection."})
    document = Document.objects.select_for_update().get(pk=document.pk)
    to = ReviewStatus.ACCEPTED if accept else ReviewStatus.REJECTED
    what = f"{document.get_kind_display().lower()} v{document.version}"
    current = document.review
    if to not in REVIEW_TRANSITIONS[current]:
        raise TransitionNotAllowed(f"The {what} is already {ReviewStatus(current).label.lower()}.")
    document.review = to
    document.reviewed_by = by
    document.reviewed_at = at or timezone.now()
    document.review_reason = reason
    default = "Accepted" if accept else "Rejected"
    return history.save(
        document, by=by, reason=f"{default}: {reason}" if reason else default, at=at
    )


@transaction.atomic
def publish_template(
    *,
    by,
    version: str,
    title: str,
    text: str,
    in_force_from: datetime.date,
    reason: str,
    at: datetime.datetime | None = None,
) -> DeclarationTemplate:
    """A new version of the end-user declaration. From ``in_force_from`` every export
    application's declaration must be on it: those on older versions fail at the decision."""
    if not (reason or "").strip():
        raise ValidationError({"reason": "Give a reason."})
    template = DeclarationTemplate(
        version=version, title=title, text=text, in_force_from=in_force_from
    )
    template.full_clean()
    latest = DeclarationTemplate.objects.order_by("-in_force_from").first()
    if latest and in_force_from < latest.in_force_from:
        raise ValidationError(
            {
                "in_force_from": f"{latest.version} is in force from {latest.in_force_from}: "
                "a new version starts on that day or later."
            }
        )
    try:
        return history.save(template, by=by, reason=reason, at=at)
    except IntegrityError as error:
        raise ValidationError({"version": "This version exists."}) from error


@transaction.atomic
def issue_document(
    *,
    application,
    kind: str,
    pdf: bytes,
    by,
    licence=None,
    at: datetime.datetime | None = None,
) -> IssuedDocument:
    """Signs ``pdf`` with the agency's pair, stores it and records it (its SHA-256 in the
    history). Called inside the decision's transaction: a decision rolled back leaves a file
    without a row, which ``purge_orphan_documents`` deletes, never a row without its file."""

    try:
        pair = signing.configured_pair()
    except ImproperlyConfigured as error:
        logger.error("No document can be signed: %s", error)
        raise SigningUnavailable(
            "The decision was not recorded: the agency's signing key is not available to sign "
            "its document. Tell the registry's operators."
        ) from error
    label = IssuedDocument.Kind(kind).label
    signed = signing.sign_pdf(pdf, pair=pair, reason=f"{label} of the agency")
    stored, sha256, size = storage.store(io.BytesIO(signed), "application/pdf")
    try:
        document = IssuedDocument(
            application=application,
            licence=licence,
            kind=kind,
            stored_as=stored,
            size=size,
            sha256=sha256,
            signer_certificate_sha256=pair.certificate_sha256,
            issued_by=by,
            issued_at=at or timezone.now(),
        )
        subject = licence.number if licence is not None else application.reference
        with transaction.atomic():
            history.save(
                document, by=by, reason=f"{label} issued for {subject} (SHA-256 {sha256})", at=at
            )
    except BaseException:
        _forget_file(stored)
        raise
    return document
