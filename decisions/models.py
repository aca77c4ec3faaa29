"""The catalogues of decision criteria and standard conditions."""

from django.db import models
from django.db.models import Q

from registry.audit.history import TrackedModel, project_history


class DecisionCriterion(TrackedModel):
    """A policy ground a refusal rests on (``destination_not_eligible``, ``diversion_risk`` …).

    Kept by senior officials; never deleted: a criterion no longer used is retired, and the
    refusals that named it keep it.
    """

    code = models.SlugField(max_length=40, unique=True, help_text="Its key; never changes.")
    text = models.CharField(max_length=300, help_text="What the refusal letter says.")
    retired = models.BooleanField(default=False, help_text="No longer offered for new refusals.")

    history = project_history()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[a-z][a-z0-9_]*\Z"), name="criterion_code_shape"
            ),
        ]

    def __str__(self) -> str:
        return self.code


class StandardCondition(TrackedModel):
    """A condition an approval may attach to a licence, from the agency's catalogue."""

    code = models.SlugField(max_length=40, unique=True)
    text = models.TextField()
    retired = models.BooleanField(default=False)

    history = project_history()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[a-z][a-z0-9_]*\Z"), name="condition_code_shape"
            ),
        ]

    def __str__(self) -> str:
        return self.code
