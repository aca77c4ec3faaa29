"""Vendors, their products, their licence applications and the licences granted on them.

Statuses only change through the services in ``licenses.services``, which check the allowed
transitions and write history naming the acting user and the reason. Nothing here is ever deleted.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from registry.audit.history import TrackedModel, project_history
from registry.validators import no_control_characters


def _choices_constraint(field: str, choices: type[models.TextChoices], name: str):
    return models.CheckConstraint(condition=Q(**{f"{field}__in": choices.values}), name=name)


class VendorStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    DEBARRED = "debarred", "Debarred"


class Vendor(TrackedModel):
    """An exporting company registered with the ministry."""

    name = models.CharField("company name", max_length=200)
    registration_number = models.CharField(
        max_length=50,
        unique=True,
        validators=[no_control_characters],
        help_text="The company registry number; its key in URLs.",
    )
    contact_name = models.CharField(max_length=200)
    contact_email = models.EmailField()
    contact_phone = models.CharField(max_length=50, blank=True)
    address = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=VendorStatus.choices, default=VendorStatus.ACTIVE
    )

    history = project_history()

    class Meta:
        ordering = ["name"]
        constraints = [
            _choices_constraint("status", VendorStatus, "vendor_status_valid"),
            models.CheckConstraint(
                condition=~Q(registration_number=""),
                name="vendor_registration_number_not_empty",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ProductCategory(models.TextChoices):
    INTRUSION = "intrusion", "Intrusion software"
    INTERCEPTION = "interception", "Interception"
    FORENSICS = "forensics", "Forensics"
    DEFENSIVE = "defensive", "Defensive"
    OTHER = "other", "Other"


class Product(TrackedModel):
    """An item a vendor offers for export, classified by its control-list entry."""

    Category = ProductCategory

    reference = models.CharField(max_length=20, unique=True, validators=[no_control_characters])
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="products")
    name = models.CharField(max_length=200)
    control_entry = models.CharField(
        max_length=20,
        help_text="Wassenaar-style control-list entry, such as 4A005 or 5A001.j.",
    )
    category = models.CharField(max_length=12, choices=Category.choices)
    description = models.TextField(blank=True)

    history = project_history()

    class Meta:
        ordering = ["reference"]
        constraints = [
            _choices_constraint("category", ProductCategory, "product_category_valid"),
            models.UniqueConstraint(
                fields=["vendor", "name"], name="product_name_unique_per_vendor"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.name}"


class LicenceType(models.TextChoices):
    MARKETING = "marketing", "Marketing licence"
    EXPORT = "export", "Export licence"


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    UNDER_REVIEW = "under_review", "Under review"
    AWAITING_VENDOR = "awaiting_vendor", "Awaiting the vendor"
    APPROVED = "approved", "Approved"
    REFUSED = "refused", "Refused"
    UNDER_APPEAL = "under_appeal", "Under appeal"
    WITHDRAWN = "withdrawn", "Withdrawn"


class EndUserKind(models.TextChoices):
    LAW_ENFORCEMENT = "law_enforcement", "Law enforcement"
    INTELLIGENCE = "intelligence", "Intelligence"
    MILITARY = "military", "Military"
    OTHER_GOVERNMENT = "other_government", "Other government body"
    PRIVATE = "private", "Private entity"


class RetiredEndUserColumns(models.Model):
    """The end user's name and kind, held by the application until its parties took them over
    (migration 0006). Its history table keeps them: the records written before hold them."""

    retired_fields = ("end_user_name", "end_user_kind")

    end_user_name = models.CharField(max_length=200, null=True, blank=True, editable=False)
    end_user_kind = models.CharField(max_length=20, null=True, blank=True, editable=False)

    class Meta:
        abstract = True


class LicenceApplication(TrackedModel):
    """A vendor's request for a marketing or export licence to one destination and end user.

    Its parties (``Party``) name the end user and the others the export passes through; the
    end user is read through :attr:`end_user`.
    """

    EndUserKind = EndUserKind
    Status = ApplicationStatus

    PENDING_STATUSES = (
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.UNDER_REVIEW,
        ApplicationStatus.AWAITING_VENDOR,
    )
    # Pending, with the working-day clock running: not while the vendor owes an answer.
    CLOCK_RUNNING_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW)

    reference = models.CharField(max_length=20, unique=True, validators=[no_control_characters])
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="applications")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="applications")
    licence_type = models.CharField(max_length=10, choices=LicenceType.choices)
    destination = models.ForeignKey(
        "countries.Country", on_delete=models.PROTECT, related_name="applications"
    )
    end_use = models.TextField("end-use statement")
    value = models.DecimalField(max_digits=15, decimal_places=2)
    currency = models.CharField(max_length=3, help_text="ISO 4217 code, such as EUR or USD.")
    screening = models.JSONField(
        default=list,
        blank=True,
        help_text="The last screening: [{rule, passed, message}], one entry per rule.",
    )
    screened_against = models.ForeignKey(
        "countries.WhitelistRevision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The whitelist revision in force when the application was last screened.",
    )
    rescreened_by_revision = models.ForeignKey(
        "countries.WhitelistRevision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The whitelist revision that last screened the pending application again "
        "(and refused it, if it failed).",
    )
    status = models.CharField(
        max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The official who owns the case: only they, or a senior official, decide it.",
    )
    target_date = models.DateField(
        null=True,
        blank=True,
        help_text=(
            "The last working day for the decision: APPLICATION_TARGET_WORKING_DAYS after "
            "submission, moved on by the working days spent waiting on the vendor."
        ),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(
        null=True, blank=True, help_text="Empty while the application is a draft."
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The official, or the system actor for a refusal by screening.",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    # db_default: the previous release, still serving while this one migrates, inserts rows
    # without the column (docs/operations.md, "Migrations without downtime").
    refusal_code = models.CharField(
        max_length=40,
        blank=True,
        default="",
        db_default="",
        choices=[("information_not_provided", "Information not provided")],
        help_text="Set when a refusal rests on a ground the registry checks, such as an "
        "expired request for information.",
    )
    # Added after records were chained: empty (null) until set, so older records still verify.
    refusal_criteria = models.JSONField(
        null=True,
        blank=True,
        default=None,
        help_text="The codes of the criteria (DecisionCriterion) a refusal rests on.",
    )
    refused_at_intake = models.BooleanField(
        null=True,
        blank=True,
        default=None,
        help_text="True when refused by screening at submission, by the system; empty otherwise.",
    )

    updated_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the application last changed (set by every write; the vendors' change "
        "feed). Empty for one not changed since the field was added.",
    )

    history = project_history(retired=RetiredEndUserColumns)
    audit_fields_added_later = (
        "rescreened_by_revision",
        "assigned_to",
        "target_date",
        "refusal_code",
        "refusal_criteria",
        "refused_at_intake",
        "updated_at",
    )

    class Meta:
        ordering = ["submitted_at", "reference"]
        permissions = [
            (
                "submit_licenceapplication",
                "Can submit and withdraw licence applications",
            ),
            ("decide_licenceapplication", "Can approve or refuse licence applications"),
            ("assign_licenceapplication", "Can assign and reassign cases to officials"),
            ("decide_appeal", "Can decide appeals against refusals"),
        ]
        indexes = [
            models.Index(fields=["status", "submitted_at"]),
            # The review queue, oldest first: its first page is read straight off this index
            # instead of sorting every application waiting for a decision.
            models.Index(
                fields=["submitted_at", "reference"],
                # The queue's default page: every pending status, or PostgreSQL sorts them all.
                condition=Q(
                    status__in=[
                        ApplicationStatus.SUBMITTED,
                        ApplicationStatus.UNDER_REVIEW,
                        ApplicationStatus.AWAITING_VENDOR,
                    ]
                ),
                name="application_pending_queue",
                # What the queue's search and sorts test of each pending case, so that a search
                # matching half the queue reads this index alone, not every case's row
                # (PostgreSQL; the table's visibility map, which autovacuum keeps, permitting).
                include=["id", "vendor", "product", "status"],
            ),
            models.Index(fields=["assigned_to", "status"]),
            models.Index(fields=["decided_at"]),
            # The vendors' change feed: one vendor's applications changed since a moment.
            models.Index(fields=["vendor", "updated_at"], name="application_vendor_feed"),
        ]
        constraints = [
            _choices_constraint("status", ApplicationStatus, "application_status_valid"),
            _choices_constraint("licence_type", LicenceType, "application_licence_type_valid"),
            models.CheckConstraint(
                condition=Q(value__gte=0), name="application_value_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(currency__regex=r"^[A-Z]{3}\Z"),
                name="application_currency_iso",
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        ApplicationStatus.DRAFT,
                        ApplicationStatus.SUBMITTED,
                        ApplicationStatus.UNDER_REVIEW,
                        ApplicationStatus.AWAITING_VENDOR,
                        ApplicationStatus.WITHDRAWN,
                    ]
                )
                | Q(decided_at__isnull=False),
                name="application_decision_has_date",
            ),
            models.CheckConstraint(
                # A draft, or a draft withdrawn, was never submitted.
                condition=Q(status__in=[ApplicationStatus.DRAFT, ApplicationStatus.WITHDRAWN])
                | Q(submitted_at__isnull=False),
                name="application_submitted_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_pending(self) -> bool:
        return self.status in self.PENDING_STATUSES

    @property
    def is_draft(self) -> bool:
        return self.status == ApplicationStatus.DRAFT

    @property
    def end_user(self) -> "Party | None":
        """The end-user party: from ``selectors.with_end_user``'s prefetch when there is one,
        else one query."""
        found = getattr(self, "end_user_parties", None)
        if found is None:
            if self.pk is None:
                return None
            found = list(self.parties.filter(role=PartyRole.END_USER)[:1])
            self.end_user_parties = found
        return found[0] if found else None


class PartyRole(models.TextChoices):
    END_USER = "end_user", "End user"
    CONSIGNEE = "consignee", "Consignee"
    ULTIMATE_END_USER = "ultimate_end_user", "Ultimate end user"
    INTERMEDIARY = "intermediary", "Intermediary"
    OTHER = "other", "Other party"


class Party(TrackedModel):
    """Someone an export passes to or through, named on an application.

    Exactly one end user per application (the one the screening rules and the end-user
    declaration concern); consignees, intermediaries and the others as many as the export has.
    Added while the application is a draft (or with it, when it is submitted at once); never
    changed or removed after.
    """

    Role = PartyRole

    key = models.UUIDField(
        default=uuid.uuid4, unique=True, editable=False, help_text="Its id in the API."
    )
    application = models.ForeignKey(
        LicenceApplication, on_delete=models.PROTECT, related_name="parties"
    )
    role = models.CharField(max_length=20, choices=PartyRole.choices)
    name = models.CharField(max_length=200)
    country = models.ForeignKey("countries.Country", on_delete=models.PROTECT, related_name="+")
    address = models.TextField(blank=True)
    kind = models.CharField(
        max_length=20,
        choices=EndUserKind.choices,
        blank=True,
        help_text="What kind of body it is; required for the end user.",
    )

    history = project_history()

    class Meta:
        ordering = ["application", "pk"]
        verbose_name_plural = "parties"
        constraints = [
            _choices_constraint("role", PartyRole, "party_role_valid"),
            models.CheckConstraint(
                condition=Q(kind="") | Q(kind__in=EndUserKind.values), name="party_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(role=PartyRole.END_USER) | ~Q(kind=""),
                name="party_end_user_has_kind",
            ),
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(role=PartyRole.END_USER),
                name="party_one_end_user_per_application",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="party_name_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.name}"


class InformationRequestStatus(models.TextChoices):
    OPEN = "open", "Open"
    ANSWERED = "answered", "Answered"
    EXPIRED = "expired", "Expired"


class InformationRequest(TrackedModel):
    """A question an official asks the vendor about its application; the clock stops until the
    vendor answers."""

    Status = InformationRequestStatus

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(
        LicenceApplication, on_delete=models.PROTECT, related_name="information_requests"
    )
    question = models.TextField()
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField()
    due_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=Status.choices, default=InformationRequestStatus.OPEN
    )
    response = models.TextField(blank=True)
    response_documents = models.JSONField(
        null=True,
        blank=True,
        help_text="The ids of the application's documents the vendor named in its answer, if any.",
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    reminder_due = models.BooleanField(
        default=False, help_text="Set by the daily command when the due date draws near."
    )

    history = project_history()
    audit_fields_added_later = ("response_documents",)

    class Meta:
        ordering = ["raised_at", "pk"]
        indexes = [models.Index(fields=["status", "due_on"])]
        constraints = [
            _choices_constraint("status", InformationRequestStatus, "information_request_status"),
            models.CheckConstraint(
                condition=~Q(status=InformationRequestStatus.ANSWERED)
                | Q(answered_at__isnull=False),
                name="information_request_answer_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"request {self.uuid} on {self.application_id}"


class CaseNote(TrackedModel):
    """A note on a case: internal (officials only) or shared with the vendor. Never edited."""

    application = models.ForeignKey(
        LicenceApplication, on_delete=models.PROTECT, related_name="notes"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    shared = models.BooleanField(
        default=False, help_text="Shared notes are shown to the vendor through the API."
    )
    created_at = models.DateTimeField()

    history = project_history()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"note {self.pk} on {self.application_id}"


class LicenceStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    REVOKED = "revoked", "Revoked"
    EXPIRED = "expired", "Expired"
    SURRENDERED = "surrendered", "Surrendered"


class Licence(TrackedModel):
    """A licence granted on an approved application."""

    NUMBER_PREFIXES = {LicenceType.MARKETING: "ML", LicenceType.EXPORT: "EL"}

    number = models.CharField(max_length=20, unique=True, validators=[no_control_characters])
    application = models.OneToOneField(
        LicenceApplication, on_delete=models.PROTECT, related_name="licence"
    )
    valid_from = models.DateField()
    valid_until = models.DateField()
    status = models.CharField(
        max_length=12, choices=LicenceStatus.choices, default=LicenceStatus.ACTIVE
    )
    renewal_barred = models.BooleanField(
        default=False,
        help_text="Set when a whitelist revision let the licence run to expiry with no renewal.",
    )
    changed_by_revision = models.ForeignKey(
        "countries.WhitelistRevision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The whitelist revision that last suspended the licence or barred its renewal.",
    )

    # Added after records were chained: empty (null) until set, so older records still verify.
    conditions = models.JSONField(
        null=True,
        blank=True,
        default=None,
        help_text="The conditions attached at approval, as issued: [{code, text}] (code empty "
        "for free text).",
    )
    issued_on_appeal = models.BooleanField(
        null=True,
        blank=True,
        default=None,
        help_text="True when issued because an appeal against a refusal was allowed.",
    )
    check_code_sha256 = models.CharField(
        max_length=64,
        blank=True,
        help_text="SHA-256 of the check code printed on the certificate; the code itself is "
        "never stored.",
    )
    # db_default: the previous release inserts licences without it (docs/operations.md).
    status_reason = models.TextField(
        blank=True,
        default="",
        db_default="",
        help_text="Why the licence has its status: its change's reason.",
    )
    status_changed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the licence took its status (issue included)."
    )
    updated_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the licence last changed (set by every write; the vendors' change feed).",
    )
    next_report_due = models.DateField(
        null=True,
        blank=True,
        help_text="An export licence: when its next delivery report is due (DELIVERY_REPORT_DAYS "
        "after issue, then every six months).",
    )

    history = project_history()
    audit_fields_added_later = (
        "changed_by_revision",
        "conditions",
        "issued_on_appeal",
        "check_code_sha256",
        "status_reason",
        "status_changed_at",
        "updated_at",
        "next_report_due",
    )

    class Meta:
        ordering = ["number"]
        permissions = [("manage_licence", "Can suspend, reinstate and revoke licences")]
        indexes = [
            models.Index(fields=["status", "valid_until"]),
            # The vendors' change feed.
            models.Index(fields=["updated_at"], name="licence_feed"),
            # Licences with delivery reports overdue (the dashboard, the daily email).
            models.Index(
                fields=["next_report_due"],
                condition=Q(next_report_due__isnull=False),
                name="licence_report_due",
            ),
        ]
        constraints = [
            _choices_constraint("status", LicenceStatus, "licence_status_valid"),
            models.CheckConstraint(
                condition=Q(valid_until__gt=F("valid_from")),
                name="licence_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def reports_overdue(self) -> bool:
        """An export licence still in force whose next delivery report is past due."""
        return (
            self.next_report_due is not None
            and self.status in REPORTING_STATUSES
            and self.next_report_due < timezone.localdate()
        )


class AppealStatus(models.TextChoices):
    OPEN = "open", "Open"
    UPHELD = "upheld", "Refusal upheld"
    OVERTURNED = "overturned", "Refusal overturned"


class Appeal(TrackedModel):
    """A vendor's appeal against a refusal, decided by a senior official who did not refuse."""

    Status = AppealStatus

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.OneToOneField(
        LicenceApplication, on_delete=models.PROTECT, related_name="appeal"
    )
    grounds = models.TextField()
    documents = models.JSONField(
        default=list, blank=True, help_text="The keys of the application's documents it relies on."
    )
    refused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who took the refusal appealed against: never the one to decide the appeal.",
    )
    lodged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    lodged_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=Status.choices, default=AppealStatus.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    history = project_history()

    class Meta:
        ordering = ["lodged_at", "pk"]
        constraints = [
            _choices_constraint("status", AppealStatus, "appeal_status_valid"),
            models.CheckConstraint(
                condition=Q(status=AppealStatus.OPEN) | Q(decided_at__isnull=False),
                name="appeal_decision_has_date",
            ),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("refused_by")),
                name="appeal_four_eyes",
            ),
        ]

    def __str__(self) -> str:
        return f"appeal on {self.application_id}"


# Delivery reports are owed while the licence is in force (suspended included: the systems
# delivered are still out there).
REPORTING_STATUSES = (LicenceStatus.ACTIVE, LicenceStatus.SUSPENDED)


class DeliveryReport(TrackedModel):
    """A vendor's report of a delivery made under an export licence: when, how many systems,
    where they are installed, which unit operates them, and whether the vendor maintains them
    remotely. Never changed after it is filed."""

    key = models.UUIDField(
        default=uuid.uuid4, unique=True, editable=False, help_text="Its id in the API."
    )
    licence = models.ForeignKey(Licence, on_delete=models.PROTECT, related_name="delivery_reports")
    delivered_on = models.DateField()
    systems = models.PositiveIntegerField(help_text="How many systems were delivered.")
    installation_country = models.ForeignKey(
        "countries.Country", on_delete=models.PROTECT, related_name="+"
    )
    operating_unit = models.CharField(
        max_length=200, help_text="The unit of the end user that operates the systems."
    )
    remote_maintenance = models.BooleanField(
        help_text="Whether the vendor maintains the systems remotely."
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField()
    due_on = models.DateField(
        null=True, blank=True, help_text="The due date the report answered, when one was owed."
    )

    history = project_history()

    class Meta:
        ordering = ["reported_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(systems__gte=1), name="delivery_report_systems"),
            models.CheckConstraint(
                condition=~Q(operating_unit=""), name="delivery_report_operating_unit"
            ),
        ]

    def __str__(self) -> str:
        return f"delivery report {self.key} on {self.licence_id}"
