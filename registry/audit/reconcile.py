"""Finds changes made behind the trail's back: rows that differ from their latest history record.

The chain proves the history was not altered; this proves the live tables still match it. A row
updated with raw SQL, inserted without a record, or deleted, shows up here.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Max

from registry.audit.chain import tracked_values
from registry.audit.history import TrackedModel


@dataclass(frozen=True)
class Mismatch:
    label: str
    pk: int | None
    problem: str

    def __str__(self) -> str:
        where = self.label if self.pk is None else f"{self.label} id {self.pk}"
        return f"{where}: {self.problem}"


def tracked_models() -> list:
    return sorted(
        (m for m in apps.get_models() if issubclass(m, TrackedModel)), key=lambda m: m._meta.label
    )


def _merge_by_id(rows, records) -> Iterator[tuple[int, object | None, object | None]]:
    rows, records = iter(rows), iter(records)
    row, record = next(rows, None), next(records, None)
    while row is not None or record is not None:
        if record is None or (row is not None and row.pk < record.id):
            yield row.pk, row, None
            row = next(rows, None)
        elif row is None or record.id < row.pk:
            yield record.id, None, record
            record = next(records, None)
        else:
            yield row.pk, row, record
            row, record = next(rows, None), next(records, None)


def reconcile_model(model, *, limit: int = 20, chunk_size: int = 5000) -> list[Mismatch]:
    """Compares each row of ``model`` with its latest history record (by chain order)."""
    history_model = model.history.model
    latest_seqs = (
        history_model.objects.order_by().values("id").annotate(last=Max("audit_seq")).values("last")
    )
    records = history_model.objects.filter(audit_seq__in=latest_seqs).order_by("id")
    rows = model.objects.order_by("pk")
    found: list[Mismatch] = []
    label = model._meta.label
    for pk, row, record in _merge_by_id(
        rows.iterator(chunk_size=chunk_size), records.iterator(chunk_size=chunk_size)
    ):
        if record is None:
            problem = "exists without any history record (written behind the trail)"
        elif row is None:
            if record.history_type == "-":
                continue
            problem = "is missing, but its history never recorded a deletion"
        else:
            now, then = tracked_values(history_model, row), tracked_values(history_model, record)
            if now == then:
                continue
            fields = sorted(name for name in now if now[name] != then.get(name))
            problem = (
                f"differs from its latest history record (seq {record.audit_seq}) in "
                f"{', '.join(fields)}: changed behind the trail"
            )
        found.append(Mismatch(label, pk, problem))
        if len(found) >= limit:
            break
    return found


def reconcile_whitelist() -> list[Mismatch]:
    """The whitelist replayed from its revisions must match the countries' own history and now."""
    from countries import selectors
    from countries.models import Country

    found: list[Mismatch] = []
    steps = selectors.whitelist_steps()
    moments = [
        (step.revision, steps[i + 1].revision.applied_at - datetime.timedelta(microseconds=1))
        for i, step in enumerate(steps[:-1])
    ]
    for revision, at in moments:
        by_revisions = set(selectors.whitelist_as_of(at).values_list("pk", flat=True))
        by_history = set(selectors.whitelist_as_of_from_history(at).values_list("pk", flat=True))
        if by_revisions != by_history:
            codes = Country.objects.filter(pk__in=by_revisions ^ by_history).values_list(
                "code", flat=True
            )
            found.append(
                Mismatch(
                    "countries.WhitelistRevision",
                    revision.pk,
                    f"{revision.reference}: the list it produced and the countries' history "
                    f"disagree on {', '.join(sorted(codes))}",
                )
            )
    replayed = steps[-1].members if steps else frozenset()
    current = set(Country.objects.filter(eligible=True).values_list("pk", flat=True))
    if replayed != current:
        codes = Country.objects.filter(pk__in=replayed ^ current).values_list("code", flat=True)
        found.append(
            Mismatch(
                "countries.Country",
                None,
                "the eligible countries differ from the applied revisions on "
                f"{', '.join(sorted(codes))}",
            )
        )
    return found


def reconcile_roles(*, limit: int = 20) -> list[Mismatch]:
    """Each account's groups must be the roles its history records.

    Group membership is a link table, not a column of the account: the account services write
    it with the account's ``roles`` field, which the history holds. A group added or removed any
    other way (the shell, SQL) shows up here.
    """
    from django.contrib.auth import get_user_model

    User = get_user_model()
    if not hasattr(User, "roles"):
        return []
    found: list[Mismatch] = []
    for user in User.objects.order_by("pk").prefetch_related("groups"):
        groups = ",".join(sorted(group.name for group in user.groups.all()))
        if groups != user.roles:
            found.append(
                Mismatch(
                    User._meta.label,
                    user.pk,
                    f"{user.username} is in the groups [{groups}] but its history records the "
                    f"roles [{user.roles}]: changed behind the trail",
                )
            )
            if len(found) >= limit:
                break
    return found


def reconcile(*, limit: int = 20) -> list[Mismatch]:
    found: list[Mismatch] = []
    for model in tracked_models():
        found += reconcile_model(model, limit=limit)
    found += reconcile_roles(limit=limit)
    found += reconcile_whitelist()
    return found[:limit] if limit else found
