"""The roles gain the documents' permissions: officials review documents, senior officials
publish declaration templates, vendors file documents, auditors read them."""

from django.db import migrations

from registry.roles import sync_role_groups


class Migration(migrations.Migration):

    dependencies = [
        ("documents", "0002_initial"),
        ("registry", "0002_system_user_and_roles"),
    ]

    operations = [migrations.RunPython(sync_role_groups, migrations.RunPython.noop)]
