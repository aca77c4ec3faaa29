"""The application's end-user columns are retired: its end-user party holds the name and kind
(0006 moved them). The history table keeps both columns, now nullable: the records written
before hold their values, and the audit chain's hashes cover them."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('licenses', '0008_end_users_to_parties'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='licenceapplication',
            name='application_end_user_kind_valid',
        ),
        migrations.RemoveField(
            model_name='licenceapplication',
            name='end_user_kind',
        ),
        migrations.RemoveField(
            model_name='licenceapplication',
            name='end_user_name',
        ),
        migrations.AlterField(
            model_name='historicallicenceapplication',
            name='end_user_kind',
            field=models.CharField(blank=True, editable=False, max_length=20, null=True),
        ),
        migrations.AlterField(
            model_name='historicallicenceapplication',
            name='end_user_name',
            field=models.CharField(blank=True, editable=False, max_length=200, null=True),
        ),
    ]
