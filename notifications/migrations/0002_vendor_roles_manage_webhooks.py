"""Vendors' users may read and register their vendor's webhooks."""

from django.db import migrations

from registry.roles import sync_role_groups


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_outbox_webhooks_deliveries"),
        ("documents", "0003_roles"),
    ]

    operations = [migrations.RunPython(sync_role_groups, migrations.RunPython.noop)]
