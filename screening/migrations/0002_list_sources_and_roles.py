"""The three lists, and the roles' screening permissions: officials review matches and release
quarantined snapshots, senior officials keep the concern list, auditors read it all."""

from django.db import migrations

from registry.roles import sync_role_groups

SOURCES = [
    ("csl", "US Consolidated Screening List"),
    ("concern", "The agency's concern list"),
    ("denials", "The denial register"),
]


def add_sources(apps, schema_editor):
    WatchlistSource = apps.get_model("screening", "WatchlistSource")
    for code, name in SOURCES:
        WatchlistSource.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):

    dependencies = [
        ("screening", "0001_lists_and_snapshots"),
        ("registry", "0002_system_user_and_roles"),
    ]

    operations = [
        migrations.RunPython(add_sources, migrations.RunPython.noop),
        migrations.RunPython(sync_role_groups, migrations.RunPython.noop),
    ]
