"""Sets ``changed_by_revision`` / ``rescreened_by_revision`` on the rows applied revisions changed
before those fields existed, with a history record each.

Until then a revision's changes were known only by their history records' reason, which begins
with the revision's reference and title and ends with one of the fixed phrases of
``licenses.services``. This reads them once, strictly: the whole composed reason, and the state
the revision leaves (a suspended licence, a barred renewal, a refused or still pending
application screened against that revision), so a reason a person typed cannot match. A fresh
database has no such records and nothing is written.

The records are written by the history helpers on the project's current models, which only
match the schema at this point while no later migration changes these tables: a later one that
does must keep this function's early return on an empty result (which a fresh database gives).
"""

from django.db import migrations

LICENCE_EFFECTS = {
    "licence suspended pending review: its destination left the whitelist": {"status": "suspended"},
    "licence runs to expiry with no renewal: its destination left the whitelist": {
        "renewal_barred": True
    },
}
APPLICATION_EFFECTS = {
    "refused by screening against the revised whitelist": {"status": "refused"},
    "screened again against the revised whitelist": {"status__in": ["submitted", "under_review"]},
}


def _effects(apps):
    Revision = apps.get_model("countries", "WhitelistRevision")
    licence_records = apps.get_model("licenses", "HistoricalLicence").objects
    application_records = apps.get_model("licenses", "HistoricalLicenceApplication").objects
    for revision in Revision.objects.filter(status="applied").order_by("applied_at", "pk"):
        prefix = f"{revision.reference}: {revision.title} — "
        licences, applications = set(), set()
        for phrase, state in LICENCE_EFFECTS.items():
            licences |= set(
                licence_records.filter(
                    history_change_reason__startswith=prefix + phrase, **state
                ).values_list("id", flat=True)
            )
        for phrase, state in APPLICATION_EFFECTS.items():
            applications |= set(
                application_records.filter(
                    history_change_reason__startswith=prefix + phrase,
                    screened_against_id=revision.pk,
                    **state,
                ).values_list("id", flat=True)
            )
        if licences or applications:
            yield revision, sorted(licences), sorted(applications)


def record_revision_effects(apps, schema_editor):
    effects = list(_effects(apps))
    if not effects:
        return
    from licenses.models import Licence, LicenceApplication
    from registry.audit import history

    system = history.system_user()
    for revision, licence_ids, application_ids in effects:
        reason = (
            f"Recorded as changed by {revision.reference}, as its records of the change say "
            "(the revision is now kept on the row)"
        )
        licences = list(Licence.objects.filter(pk__in=licence_ids).order_by("pk"))
        for licence in licences:
            licence.changed_by_revision_id = revision.pk
        history.bulk_update(licences, fields=["changed_by_revision"], by=system, reason=reason)
        applications = list(
            LicenceApplication.objects.filter(pk__in=application_ids).order_by("pk")
        )
        for application in applications:
            application.rescreened_by_revision_id = revision.pk
        history.bulk_update(
            applications, fields=["rescreened_by_revision"], by=system, reason=reason
        )


class Migration(migrations.Migration):
    dependencies = [
        ("licenses", "0011_statuses_with_drafts_and_awaiting_vendor"),
        ("registry", "0004_user_history"),
        ("audit", "0002_auditchainhead_from_registry"),
    ]

    operations = [migrations.RunPython(record_revision_effects, migrations.RunPython.noop)]
