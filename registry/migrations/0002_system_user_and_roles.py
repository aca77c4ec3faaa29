"""Creates the system actor named in history by the seed and scheduled commands, and the roles."""

from django.db import migrations

from registry.audit.history import ensure_system_user
from registry.roles import sync_role_groups


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0001_initial"),
        ("countries", "0002_initial"),
        ("licenses", "0002_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(ensure_system_user, migrations.RunPython.noop),
        migrations.RunPython(sync_role_groups, migrations.RunPython.noop),
    ]
