"""Every application's end user becomes its ``end_user`` party, written with its history record.

The name and kind come from the application's own columns (retired by 0007); the end user's
country is the destination, the only country an application named before it had parties. Each
party is written through ``registry.audit.history.save`` as the system actor with a reason, so it
enters the audit chain like any other change. That helper works on the registry's current
``Party`` model: this migration sets the fields that model had when it was written, and reads the
applications through the migration's own state.
"""

from django.db import migrations

REASON = "Migrated: the application's end user became its end-user party"


def end_users_to_parties(apps, schema_editor):
    from licenses.models import Party, PartyRole
    from registry.audit import history

    Application = apps.get_model("licenses", "LicenceApplication")
    applications = Application.objects.order_by("pk").values_list(
        "pk", "end_user_name", "end_user_kind", "destination_id"
    )
    if not applications.exists():
        return
    system = history.system_user()
    already = set(
        Party.objects.filter(role=PartyRole.END_USER).values_list("application_id", flat=True)
    )
    for pk, name, kind, destination_id in applications.iterator(chunk_size=2000):
        if pk in already:
            continue
        party = Party(
            application_id=pk,
            role=PartyRole.END_USER,
            name=name,
            kind=kind,
            country_id=destination_id,
        )
        history.save(party, by=system, reason=REASON)


class Migration(migrations.Migration):

    dependencies = [
        ("licenses", "0007_parties_and_drafts"),
        ("registry", "0002_system_user_and_roles"),
        ("audit", "0002_auditchainhead_from_registry"),
    ]

    operations = [migrations.RunPython(end_users_to_parties, migrations.RunPython.noop)]
