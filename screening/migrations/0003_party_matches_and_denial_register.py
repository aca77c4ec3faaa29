"""Party matches and the denial register: they refer to licensing's parties and applications."""

import django.db.models.deletion
import registry.audit.chain
import registry.validators
import simple_history.models
from django.conf import settings
from django.db import migrations, models

from registry.roles import sync_role_groups


class Migration(migrations.Migration):

    dependencies = [
        ("screening", "0002_list_sources_and_roles"),
        ("countries", "0004_url_keys_refuse_control_characters"),
        ("licenses", "0012_record_revision_effects"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='DenialRecord',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('end_user_name', models.CharField(max_length=200)),
                ('product_category', models.CharField(max_length=20)),
                ('refused_at', models.DateTimeField()),
                ('normalized_name', models.TextField(blank=True)),
                ('application', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='denial', to='licenses.licenceapplication')),
                ('country', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='countries.country')),
                ('vendor', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='licenses.vendor')),
            ],
            options={
                'ordering': ['-refused_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='PartyMatch',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('source', models.CharField(choices=[('csl', 'US Consolidated Screening List'), ('concern', "The agency's concern list"), ('denials', 'The denial register')], max_length=10)),
                ('entry_ref', models.CharField(max_length=120)),
                ('entry_fingerprint', models.CharField(max_length=64)),
                ('entry_name', models.TextField(help_text="The entry's name, as the list gives it.")),
                ('matched_name', models.TextField(help_text="The entry's name or alias that scored, normalised.")),
                ('party_key', models.CharField(max_length=300)),
                ('score', models.PositiveSmallIntegerField()),
                ('status', models.CharField(choices=[('open', 'Open'), ('false_positive', 'False positive'), ('confirmed', 'Confirmed')], default='open', max_length=15)),
                ('found_at', models.DateTimeField()),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('decision_reason', models.TextField(blank=True)),
                ('concern', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='matches', to='screening.concernentry')),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('denial', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='matches', to='screening.denialrecord')),
                ('party', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='matches', to='licenses.party')),
                ('entry', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='screening.watchlistentry')),
                ('snapshot', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='screening.watchlistsnapshot')),
            ],
            options={
                'verbose_name_plural': 'party matches',
                'ordering': ['-found_at', '-score', '-pk'],
                'permissions': [('decide_partymatch', 'Can decide a party match')],
            },
        ),
        migrations.CreateModel(
            name='HistoricalPartyMatch',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('history_username', models.CharField(default='', editable=False, max_length=150)),
                ('audit_seq', models.BigIntegerField(editable=False, null=True, unique=True)),
                ('audit_hash', models.CharField(default='', editable=False, max_length=64)),
                ('source', models.CharField(choices=[('csl', 'US Consolidated Screening List'), ('concern', "The agency's concern list"), ('denials', 'The denial register')], max_length=10)),
                ('entry_ref', models.CharField(max_length=120)),
                ('entry_fingerprint', models.CharField(max_length=64)),
                ('entry_name', models.TextField(help_text="The entry's name, as the list gives it.")),
                ('matched_name', models.TextField(help_text="The entry's name or alias that scored, normalised.")),
                ('party_key', models.CharField(max_length=300)),
                ('score', models.PositiveSmallIntegerField()),
                ('status', models.CharField(choices=[('open', 'Open'), ('false_positive', 'False positive'), ('confirmed', 'Confirmed')], default='open', max_length=15)),
                ('found_at', models.DateTimeField()),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('decision_reason', models.TextField(blank=True)),
                ('history_user_id', models.BigIntegerField(db_index=True, null=True)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField()),
                ('history_change_reason', models.TextField(null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('concern', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='screening.concernentry')),
                ('decided_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('denial', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='screening.denialrecord')),
                ('party', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='licenses.party')),
                ('entry', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='screening.watchlistentry')),
                ('snapshot', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='screening.watchlistsnapshot')),
            ],
            options={
                'verbose_name': 'historical party match',
                'verbose_name_plural': 'historical party matches',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, registry.audit.chain.ChainedRecord, models.Model),
        ),
        migrations.AddIndex(
            model_name='partymatch',
            index=models.Index(fields=['status', 'found_at'], name='screening_p_status_cd28a3_idx'),
        ),
        migrations.AddIndex(
            model_name='partymatch',
            index=models.Index(fields=['party_key', 'entry_ref'], name='screening_p_party_k_7f953e_idx'),
        ),
        migrations.AddConstraint(
            model_name='partymatch',
            constraint=models.UniqueConstraint(fields=('party', 'entry_ref', 'entry_fingerprint'), name='match_once_per_entry'),
        ),
        migrations.AddConstraint(
            model_name='partymatch',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['open', 'false_positive', 'confirmed'])), name='match_status_valid'),
        ),
        migrations.AddConstraint(
            model_name='partymatch',
            constraint=models.CheckConstraint(condition=models.Q(('status', 'open'), ('decided_at__isnull', False), _connector='OR'), name='match_decision_has_date'),
        ),
        migrations.AddIndex(
            model_name='historicalpartymatch',
            index=models.Index(fields=['history_date', 'id'], name='screening_h_history_3c375c_idx'),
        ),
        migrations.AddIndex(
            model_name='historicalpartymatch',
            index=models.Index(fields=['id', 'audit_seq'], name='screening_h_id_79fd2a_idx'),
        ),
        migrations.RunPython(sync_role_groups, migrations.RunPython.noop),
    ]
