"""The lists, their snapshots and entries, and the agency's concern list."""

import django.db.models.deletion
import registry.audit.chain
import registry.validators
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='WatchlistSource',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(choices=[('csl', 'US Consolidated Screening List'), ('concern', "The agency's concern list"), ('denials', 'The denial register')], max_length=10, unique=True)),
                ('name', models.CharField(max_length=200)),
            ],
            options={
                'ordering': ['code'],
            },
        ),
        migrations.CreateModel(
            name='ConcernEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=200, validators=[registry.validators.NoControlCharacters()])),
                ('alt_names', models.JSONField(blank=True, default=list)),
                ('countries', models.JSONField(blank=True, default=list, help_text='Alpha-2 codes.')),
                ('reason', models.TextField(help_text='Why the agency is concerned.')),
                ('status', models.CharField(choices=[('active', 'Active'), ('retired', 'Retired')], default='active', max_length=10)),
                ('added_at', models.DateTimeField()),
                ('retired_at', models.DateTimeField(blank=True, null=True)),
                ('retire_reason', models.TextField(blank=True)),
                ('normalized_name', models.TextField(blank=True)),
                ('fingerprint', models.CharField(blank=True, max_length=64)),
                ('added_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('retired_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name_plural': 'concern entries',
                'ordering': ['name', 'pk'],
                'permissions': [('manage_concernentry', 'Can add and retire names on the concern list')],
            },
        ),
        migrations.CreateModel(
            name='HistoricalConcernEntry',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('history_username', models.CharField(default='', editable=False, max_length=150)),
                ('audit_seq', models.BigIntegerField(editable=False, null=True, unique=True)),
                ('audit_hash', models.CharField(default='', editable=False, max_length=64)),
                ('name', models.CharField(max_length=200, validators=[registry.validators.NoControlCharacters()])),
                ('alt_names', models.JSONField(blank=True, default=list)),
                ('countries', models.JSONField(blank=True, default=list, help_text='Alpha-2 codes.')),
                ('reason', models.TextField(help_text='Why the agency is concerned.')),
                ('status', models.CharField(choices=[('active', 'Active'), ('retired', 'Retired')], default='active', max_length=10)),
                ('added_at', models.DateTimeField()),
                ('retired_at', models.DateTimeField(blank=True, null=True)),
                ('retire_reason', models.TextField(blank=True)),
                ('normalized_name', models.TextField(blank=True)),
                ('fingerprint', models.CharField(blank=True, max_length=64)),
                ('history_user_id', models.BigIntegerField(db_index=True, null=True)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField()),
                ('history_change_reason', models.TextField(null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('added_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('retired_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical concern entry',
                'verbose_name_plural': 'historical concern entries',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, registry.audit.chain.ChainedRecord, models.Model),
        ),
        migrations.CreateModel(
            name='WatchlistSnapshot',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('fetched_at', models.DateTimeField(help_text='When the file was ingested.')),
                ('file_name', models.CharField(blank=True, max_length=255)),
                ('entry_count', models.PositiveIntegerField()),
                ('sha256', models.CharField(max_length=64)),
                ('previous_count', models.PositiveIntegerField(blank=True, help_text='The entry count of the last good snapshot then.', null=True)),
                ('status', models.CharField(choices=[('usable', 'Usable'), ('quarantined', 'Quarantined'), ('released', 'Released from quarantine')], max_length=12)),
                ('status_reason', models.TextField(blank=True)),
                ('released_at', models.DateTimeField(blank=True, null=True)),
                ('released_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('source', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='snapshots', to='screening.watchlistsource')),
            ],
            options={
                'ordering': ['-fetched_at', '-pk'],
                'permissions': [('release_watchlistsnapshot', 'Can release a quarantined list snapshot')],
            },
        ),
        migrations.CreateModel(
            name='WatchlistEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('source_id', models.CharField(max_length=100, verbose_name='id in the list')),
                ('name', models.TextField()),
                ('alt_names', models.JSONField(default=list)),
                ('countries', models.JSONField(default=list, help_text='Alpha-2 codes of its addresses.')),
                ('programs', models.JSONField(default=list)),
                ('entry_type', models.CharField(blank=True, max_length=40)),
                ('list_name', models.CharField(blank=True, help_text="The CSL's `source`.", max_length=200)),
                ('start_date', models.CharField(blank=True, max_length=20)),
                ('end_date', models.CharField(blank=True, max_length=20)),
                ('source_list_url', models.TextField(blank=True)),
                ('normalized_name', models.TextField()),
                ('normalized_names', models.JSONField(default=list, help_text='The name and aliases, normalised.')),
                ('blocking_keys', models.TextField(blank=True, help_text='Space-separated candidate keys.')),
                ('fingerprint', models.CharField(help_text='SHA-256 of what matching reads: changes when the entry does.', max_length=64)),
                ('snapshot', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='entries', to='screening.watchlistsnapshot')),
            ],
            options={
                'verbose_name_plural': 'watchlist entries',
                'ordering': ['snapshot', 'source_id'],
            },
        ),
        migrations.CreateModel(
            name='HistoricalWatchlistSnapshot',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('history_username', models.CharField(default='', editable=False, max_length=150)),
                ('audit_seq', models.BigIntegerField(editable=False, null=True, unique=True)),
                ('audit_hash', models.CharField(default='', editable=False, max_length=64)),
                ('fetched_at', models.DateTimeField(help_text='When the file was ingested.')),
                ('file_name', models.CharField(blank=True, max_length=255)),
                ('entry_count', models.PositiveIntegerField()),
                ('sha256', models.CharField(max_length=64)),
                ('previous_count', models.PositiveIntegerField(blank=True, help_text='The entry count of the last good snapshot then.', null=True)),
                ('status', models.CharField(choices=[('usable', 'Usable'), ('quarantined', 'Quarantined'), ('released', 'Released from quarantine')], max_length=12)),
                ('status_reason', models.TextField(blank=True)),
                ('released_at', models.DateTimeField(blank=True, null=True)),
                ('history_user_id', models.BigIntegerField(db_index=True, null=True)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField()),
                ('history_change_reason', models.TextField(null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('released_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('source', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='screening.watchlistsource')),
            ],
            options={
                'verbose_name': 'historical watchlist snapshot',
                'verbose_name_plural': 'historical watchlist snapshots',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, registry.audit.chain.ChainedRecord, models.Model),
        ),
        migrations.AddConstraint(
            model_name='concernentry',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['active', 'retired'])), name='concern_status_valid'),
        ),
        migrations.AddConstraint(
            model_name='concernentry',
            constraint=models.CheckConstraint(condition=models.Q(('name', ''), _negated=True), name='concern_name_not_empty'),
        ),
        migrations.AddIndex(
            model_name='historicalconcernentry',
            index=models.Index(fields=['history_date', 'id'], name='screening_h_history_ff3727_idx'),
        ),
        migrations.AddIndex(
            model_name='historicalconcernentry',
            index=models.Index(fields=['id', 'audit_seq'], name='screening_h_id_c4587c_idx'),
        ),
        migrations.AddConstraint(
            model_name='watchlistentry',
            constraint=models.UniqueConstraint(fields=('snapshot', 'source_id'), name='entry_once_per_snapshot'),
        ),
        migrations.AddConstraint(
            model_name='watchlistsnapshot',
            constraint=models.UniqueConstraint(fields=('source', 'sha256'), name='snapshot_file_once'),
        ),
        migrations.AddConstraint(
            model_name='watchlistsnapshot',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['usable', 'quarantined', 'released'])), name='snapshot_status_valid'),
        ),
        migrations.AddIndex(
            model_name='historicalwatchlistsnapshot',
            index=models.Index(fields=['history_date', 'id'], name='screening_h_history_0bd0ce_idx'),
        ),
        migrations.AddIndex(
            model_name='historicalwatchlistsnapshot',
            index=models.Index(fields=['id', 'audit_seq'], name='screening_h_id_5f6de7_idx'),
        ),
    ]
