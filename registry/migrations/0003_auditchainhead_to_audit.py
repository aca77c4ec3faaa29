"""AuditChainHead moves to the audit trail's app (``audit`` 0002): removed from this app's state
only, so its table, ``registry_auditchainhead``, and its row stay where they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0002_system_user_and_roles"),
        ("audit", "0002_auditchainhead_from_registry"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AuditChainHead")],
            database_operations=[],
        ),
    ]
