"""Makes every history table append-only on PostgreSQL and starts the audit chain's head."""

from django.db import migrations

from registry.audit import triggers


def install_triggers(apps, schema_editor):
    triggers.install(apps, using=schema_editor.connection.alias)


def create_chain_head(apps, schema_editor):
    AuditChainHead = apps.get_model("registry", "AuditChainHead")
    AuditChainHead.objects.using(schema_editor.connection.alias).get_or_create(pk=1)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("registry", "0002_system_user_and_roles"),
        ("countries", "0002_initial"),
        ("licenses", "0002_initial"),
    ]

    operations = [
        migrations.RunPython(create_chain_head, migrations.RunPython.noop),
        migrations.RunPython(install_triggers, migrations.RunPython.noop, elidable=False),
    ]
