"""Documents filed on licence applications, their reviews, and the end-user declaration's
template.

A document is never overwritten or deleted: a new upload of the same kind for the same party is
the next ``version``. Its review (``received -> accepted | rejected``) changes only through
``documents.services``.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from registry.audit.history import TrackedModel, project_history


class DeclarationTemplate(TrackedModel):
    """A version of the end-user declaration the buying state signs (``DECA-2021-12``).

    The one in force (the latest whose ``in_force_from`` has come) is the one every export
    application's declaration must be on: a new version makes declarations on older ones fail
    at the decision.
    """

    version = models.CharField(max_length=20, unique=True)
    title = models.CharField(max_length=200)
    text = models.TextField(help_text="The undertakings the signatory gives.")
    in_force_from = models.DateField()

    history = project_history()

    class Meta:
        ordering = ["-in_force_from", "-version"]
        constraints = [
            models.CheckConstraint(
                condition=Q(version__regex=r"^[A-Z]{2,8}-\d{4}-\d{2}[A-Z0-9-]*\Z"),
                name="declarationtemplate_version_shape",
            ),
        ]

    def __str__(self) -> str:
        return self.version


class DocumentKind(models.TextChoices):
    END_USER_DECLARATION = "end_user_declaration", "End-user declaration"
    TRANSLATION = "translation", "Translation"
    LETTERHEAD = "letterhead", "Letterhead"
    TECHNICAL_SPECIFICATION = "technical_specification", "Technical specification"
    OTHER = "other", "Other"


class ReviewStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class ContentType(models.TextChoices):
    PDF = "application/pdf", "PDF"
    PNG = "image/png", "PNG image"
    JPEG = "image/jpeg", "JPEG image"


class Document(TrackedModel):
    """One version of one file on an application, with its review."""

    Kind = DocumentKind
    Review = ReviewStatus

    key = models.UUIDField(
        default=uuid.uuid4, unique=True, editable=False, help_text="Its id in the API."
    )
    application = models.ForeignKey(
        "licenses.LicenceApplication", on_delete=models.PROTECT, related_name="documents"
    )
    party = models.ForeignKey(
        "licenses.Party",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
        help_text="The party it concerns, if any.",
    )
    kind = models.CharField(max_length=30, choices=DocumentKind.choices)
    version = models.PositiveIntegerField(
        help_text="1 for the first of its kind for its party (or for the application), then n+1."
    )
    stored_as = models.CharField(
        max_length=255, unique=True, help_text="The file's name in the documents storage."
    )
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=30, choices=ContentType.choices)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()
    review = models.CharField(
        max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.RECEIVED
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_reason = models.TextField(blank=True)
    # An end-user declaration's own fields; empty for the other kinds.
    template_version = models.CharField(max_length=20, blank=True)
    signatory_name = models.CharField(max_length=200, blank=True)
    signatory_position = models.CharField(max_length=200, blank=True)
    signed_on = models.DateField(null=True, blank=True)
    language = models.CharField(
        max_length=35, blank=True, help_text="BCP 47 language tag, such as fr or pt-BR."
    )

    history = project_history()

    class Meta:
        ordering = ["application", "kind", "party", "version"]
        permissions = [("review_document", "Can accept or reject documents")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=DocumentKind.values), name="document_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(review__in=ReviewStatus.values), name="document_review_valid"
            ),
            models.CheckConstraint(
                condition=Q(content_type__in=ContentType.values),
                name="document_content_type_valid",
            ),
            models.CheckConstraint(condition=Q(size__gt=0), name="document_not_empty"),
            models.CheckConstraint(
                condition=Q(sha256__regex=r"^[0-9a-f]{64}\Z"), name="document_sha256_hex"
            ),
            models.CheckConstraint(
                condition=Q(review=ReviewStatus.RECEIVED) | Q(reviewed_at__isnull=False),
                name="document_review_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(kind=DocumentKind.END_USER_DECLARATION)
                | (
                    Q(party__isnull=False, signed_on__isnull=False)
                    & ~Q(template_version="")
                    & ~Q(signatory_name="")
                ),
                name="document_declaration_complete",
            ),
            models.UniqueConstraint(
                fields=["application", "kind", "version"],
                condition=Q(party__isnull=True),
                name="document_version_unique_per_application",
            ),
            models.UniqueConstraint(
                fields=["party", "kind", "version"],
                condition=Q(party__isnull=False),
                name="document_version_unique_per_party",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version} ({self.original_name})"

    @property
    def is_declaration(self) -> bool:
        return self.kind == DocumentKind.END_USER_DECLARATION


class IssuedKind(models.TextChoices):
    CERTIFICATE = "certificate", "Licence certificate"
    REFUSAL_LETTER = "refusal_letter", "Refusal letter"
    APPEAL_LETTER = "appeal_letter", "Appeal decision letter"


class IssuedDocument(TrackedModel):
    """A signed PDF the agency issues at a decision: a licence's certificate or a refusal letter.

    Written once, in the decision's transaction; never regenerated (a licence's later status is
    told by the public check, not by a new certificate). Its SHA-256 is on record in its history.
    """

    Kind = IssuedKind

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(
        "licenses.LicenceApplication", on_delete=models.PROTECT, related_name="issued_documents"
    )
    licence = models.ForeignKey(
        "licenses.Licence",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issued_documents",
    )
    kind = models.CharField(max_length=20, choices=IssuedKind.choices)
    stored_as = models.CharField(max_length=255, unique=True)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    signer_certificate_sha256 = models.CharField(
        max_length=64, help_text="SHA-256 of the DER certificate that signed it."
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField()

    history = project_history()

    class Meta:
        ordering = ["issued_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=IssuedKind.values), name="issueddocument_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(sha256__regex=r"^[0-9a-f]{64}\Z"), name="issueddocument_sha256_hex"
            ),
            models.CheckConstraint(
                condition=~Q(kind=IssuedKind.CERTIFICATE) | Q(licence__isnull=False),
                name="issueddocument_certificate_has_licence",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key}"

    @property
    def filename(self) -> str:
        subject = self.licence.number if self.licence_id else self.application.reference
        return f"{subject}-{self.kind.replace('_', '-')}.pdf"
