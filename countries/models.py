"""Countries and the whitelist of destinations eligible for the country's cyber technology.

The whitelist is the set of countries whose ``eligible`` flag is on. It changes only through a
:class:`WhitelistRevision`: one decision, proposed by an official, approved by a senior official
who did not propose it, and applied atomically with history on every country it touches.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from registry.audit.history import TrackedModel, project_history
from registry.validators import no_control_characters


class Country(TrackedModel):
    """An ISO 3166-1 country. ``code`` (alpha-2) is its key in URLs and the API."""

    code = models.CharField(
        "ISO alpha-2 code", max_length=2, unique=True, validators=[no_control_characters]
    )
    alpha3 = models.CharField("ISO alpha-3 code", max_length=3, unique=True)
    name = models.CharField(max_length=100)
    eligible = models.BooleanField(
        default=False,
        help_text="On the whitelist now. Changed only by applying a revision.",
    )

    history = project_history()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Z]{2}\Z"),
                name="country_code_is_two_capitals",
            ),
            models.CheckConstraint(
                condition=Q(alpha3__regex=r"^[A-Z]{3}\Z"),
                name="country_alpha3_is_three_capitals",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class RevisionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PROPOSED = "proposed", "Proposed"
    APPLIED = "applied", "Applied"
    REJECTED = "rejected", "Rejected"


class LicenceTreatment(models.TextChoices):
    SUSPEND = "suspend", "Suspend active licences to removed countries pending review"
    RUN_TO_EXPIRY = (
        "run_to_expiry",
        "Let active licences run to expiry, with no renewal",
    )


class WhitelistRevision(TrackedModel):
    """One decision that changes the whitelist, such as the cut from 102 to 37 countries."""

    LicenceTreatment = LicenceTreatment

    reference = models.CharField(max_length=20, unique=True, validators=[no_control_characters])
    title = models.CharField(max_length=200)
    reason = models.TextField("legal basis and reason")
    status = models.CharField(
        max_length=10, choices=RevisionStatus.choices, default=RevisionStatus.DRAFT
    )
    licence_treatment = models.CharField(
        "active licences to removed countries",
        max_length=20,
        choices=LicenceTreatment.choices,
        default=LicenceTreatment.SUSPEND,
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty for decisions recorded from before the registry existed.",
    )
    proposed_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The senior official who approved or rejected it; never the proposer.",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    history = project_history()

    class Meta:
        ordering = ["-applied_at", "-reference"]
        permissions = [
            ("propose_whitelistrevision", "Can propose a whitelist revision"),
            ("approve_whitelistrevision", "Can approve or reject a whitelist revision"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RevisionStatus.values),
                name="revision_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(licence_treatment__in=LicenceTreatment.values),
                name="revision_licence_treatment_valid",
            ),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True)
                | Q(proposed_by__isnull=True)
                | ~Q(approved_by=F("proposed_by")),
                name="revision_four_eyes",
                violation_error_message="A revision cannot be approved by its proposer.",
            ),
            models.CheckConstraint(
                condition=~Q(status=RevisionStatus.APPLIED) | Q(applied_at__isnull=False),
                name="revision_applied_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class ChangeAction(models.TextChoices):
    ADD = "add", "Add"
    REMOVE = "remove", "Remove"


class WhitelistChange(TrackedModel):
    """One country added to or removed from the whitelist by a revision."""

    Action = ChangeAction

    revision = models.ForeignKey(
        WhitelistRevision, on_delete=models.PROTECT, related_name="changes"
    )
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="whitelist_changes")
    action = models.CharField(max_length=6, choices=Action.choices)

    history = project_history()

    class Meta:
        ordering = ["revision", "action", "country__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["revision", "country"],
                name="whitelist_change_once_per_revision",
            ),
            models.CheckConstraint(
                condition=Q(action__in=ChangeAction.values),
                name="whitelist_change_action_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.revision.reference}: {self.action} {self.country.code}"
