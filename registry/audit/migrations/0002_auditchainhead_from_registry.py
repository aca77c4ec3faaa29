"""AuditChainHead joins the audit trail's app. Its table keeps its name, so no row moves.

The model is only added to this app's migration state (``registry`` 0003 removes it from its own);
its content type, and so its permissions, follow it.
"""

from django.db import IntegrityError, migrations, models, router, transaction


def _move_content_type(apps, schema_editor, old_app, new_app):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not router.allow_migrate_model(db, ContentType):
        return
    try:
        content_type = ContentType.objects.db_manager(db).get_by_natural_key(
            old_app, "auditchainhead"
        )
    except ContentType.DoesNotExist:
        return  # a fresh database: post_migrate creates it under its new app
    content_type.app_label = new_app
    try:
        with transaction.atomic(using=db):
            content_type.save(using=db, update_fields={"app_label"})
    except IntegrityError:
        return  # already there: remove_stale_contenttypes deals with the old one
    ContentType.objects.clear_cache()


def forward(apps, schema_editor):
    _move_content_type(apps, schema_editor, "registry", "audit")


def backward(apps, schema_editor):
    _move_content_type(apps, schema_editor, "audit", "registry")


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_history_append_only_triggers"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditChainHead",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("last_seq", models.BigIntegerField(default=0)),
                        ("last_hash", models.CharField(default="", max_length=64)),
                    ],
                    options={"db_table": "registry_auditchainhead"},
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forward, backward),
    ]
