"""Parties on applications, and drafts: an application may be kept as a draft before it is
submitted (no submission time until then)."""

import django.db.models.deletion
import registry.audit.chain
import simple_history.models
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('countries', '0003_history_object_chain_index'),
        ('licenses', '0006_revision_effects'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalParty',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('history_username', models.CharField(default='', editable=False, max_length=150)),
                ('audit_seq', models.BigIntegerField(editable=False, null=True, unique=True)),
                ('audit_hash', models.CharField(default='', editable=False, max_length=64)),
                ('key', models.UUIDField(db_index=True, default=uuid.uuid4, editable=False, help_text='Its id in the API.')),
                ('role', models.CharField(choices=[('end_user', 'End user'), ('consignee', 'Consignee'), ('ultimate_end_user', 'Ultimate end user'), ('intermediary', 'Intermediary'), ('other', 'Other party')], max_length=20)),
                ('name', models.CharField(max_length=200)),
                ('address', models.TextField(blank=True)),
                ('kind', models.CharField(blank=True, choices=[('law_enforcement', 'Law enforcement'), ('intelligence', 'Intelligence'), ('military', 'Military'), ('other_government', 'Other government body'), ('private', 'Private entity')], help_text='What kind of body it is; required for the end user.', max_length=20)),
                ('history_user_id', models.BigIntegerField(db_index=True, null=True)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField()),
                ('history_change_reason', models.TextField(null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
            ],
            options={
                'verbose_name': 'historical party',
                'verbose_name_plural': 'historical parties',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, registry.audit.chain.ChainedRecord, models.Model),
        ),
        migrations.CreateModel(
            name='Party',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.UUIDField(default=uuid.uuid4, editable=False, help_text='Its id in the API.', unique=True)),
                ('role', models.CharField(choices=[('end_user', 'End user'), ('consignee', 'Consignee'), ('ultimate_end_user', 'Ultimate end user'), ('intermediary', 'Intermediary'), ('other', 'Other party')], max_length=20)),
                ('name', models.CharField(max_length=200)),
                ('address', models.TextField(blank=True)),
                ('kind', models.CharField(blank=True, choices=[('law_enforcement', 'Law enforcement'), ('intelligence', 'Intelligence'), ('military', 'Military'), ('other_government', 'Other government body'), ('private', 'Private entity')], help_text='What kind of body it is; required for the end user.', max_length=20)),
            ],
            options={
                'verbose_name_plural': 'parties',
                'ordering': ['application', 'pk'],
            },
        ),
        migrations.RemoveConstraint(
            model_name='licenceapplication',
            name='application_status_valid',
        ),
        migrations.RemoveConstraint(
            model_name='licenceapplication',
            name='application_decision_has_date',
        ),
        migrations.AlterField(
            model_name='historicallicenceapplication',
            name='status',
            field=models.CharField(choices=[('draft', 'Draft'), ('submitted', 'Submitted'), ('under_review', 'Under review'), ('approved', 'Approved'), ('refused', 'Refused'), ('withdrawn', 'Withdrawn')], default='submitted', max_length=12),
        ),
        migrations.AlterField(
            model_name='historicallicenceapplication',
            name='submitted_at',
            field=models.DateTimeField(blank=True, help_text='Empty while the application is a draft.', null=True),
        ),
        migrations.AlterField(
            model_name='licenceapplication',
            name='status',
            field=models.CharField(choices=[('draft', 'Draft'), ('submitted', 'Submitted'), ('under_review', 'Under review'), ('approved', 'Approved'), ('refused', 'Refused'), ('withdrawn', 'Withdrawn')], default='submitted', max_length=12),
        ),
        migrations.AlterField(
            model_name='licenceapplication',
            name='submitted_at',
            field=models.DateTimeField(blank=True, help_text='Empty while the application is a draft.', null=True),
        ),
        migrations.AddConstraint(
            model_name='licenceapplication',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['draft', 'submitted', 'under_review', 'approved', 'refused', 'withdrawn'])), name='application_status_valid'),
        ),
        migrations.AddConstraint(
            model_name='licenceapplication',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['draft', 'submitted', 'under_review', 'withdrawn']), ('decided_at__isnull', False), _connector='OR'), name='application_decision_has_date'),
        ),
        migrations.AddConstraint(
            model_name='licenceapplication',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['draft', 'withdrawn']), ('submitted_at__isnull', False), _connector='OR'), name='application_submitted_has_date'),
        ),
        migrations.AddField(
            model_name='historicalparty',
            name='application',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='licenses.licenceapplication'),
        ),
        migrations.AddField(
            model_name='historicalparty',
            name='country',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='countries.country'),
        ),
        migrations.AddField(
            model_name='party',
            name='application',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='parties', to='licenses.licenceapplication'),
        ),
        migrations.AddField(
            model_name='party',
            name='country',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='countries.country'),
        ),
        migrations.AddIndex(
            model_name='historicalparty',
            index=models.Index(fields=['history_date', 'id'], name='licenses_hi_history_2dbd31_idx'),
        ),
        migrations.AddIndex(
            model_name='historicalparty',
            index=models.Index(fields=['id', 'audit_seq'], name='licenses_hi_id_20c773_idx'),
        ),
        migrations.AddConstraint(
            model_name='party',
            constraint=models.CheckConstraint(condition=models.Q(('role__in', ['end_user', 'consignee', 'ultimate_end_user', 'intermediary', 'other'])), name='party_role_valid'),
        ),
        migrations.AddConstraint(
            model_name='party',
            constraint=models.CheckConstraint(condition=models.Q(('kind', ''), ('kind__in', ['law_enforcement', 'intelligence', 'military', 'other_government', 'private']), _connector='OR'), name='party_kind_valid'),
        ),
        migrations.AddConstraint(
            model_name='party',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('role', 'end_user'), _negated=True), models.Q(('kind', ''), _negated=True), _connector='OR'), name='party_end_user_has_kind'),
        ),
        migrations.AddConstraint(
            model_name='party',
            constraint=models.UniqueConstraint(condition=models.Q(('role', 'end_user')), fields=('application',), name='party_one_end_user_per_application'),
        ),
        migrations.AddConstraint(
            model_name='party',
            constraint=models.CheckConstraint(condition=models.Q(('name', ''), _negated=True), name='party_name_not_empty'),
        ),
    ]
