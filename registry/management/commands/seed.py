"""``manage.py seed``: every ISO 3166-1 country, the illustrative sample of the Consolidated
Screening List, then the 102-country list and the 2021 cut, and the end-user declaration's
template of December 2021.

``--demo`` adds the demo accounts and a dated past built through the services (see
``licenses.demo``): its licences of 2019–2021 are entered before the cut is recorded, so the cut
suspends them as it would have; when the cut was seeded first, it is given to them afterwards.
"""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from countries.models import Country
from countries.seeding import WHITELIST_FILES, load_fixture, seed_countries, seed_whitelist_revision
from decisions.seeding import seed_decision_catalogues
from documents.seeding import seed_declaration_template
from licenses import demo, services
from registry.audit import history
from registry.audit.history import system_user
from screening.seeding import seed_sample_list


class Command(BaseCommand):
    help = (
        "Loads the ISO 3166-1 countries and applies the recorded whitelist revisions, "
        "with history. "
        "Idempotent: running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--demo",
            action="store_true",
            help="Also the demo accounts (password demo-password) and a dated past of licences.",
        )
        parser.add_argument("--force", action="store_true", help="Allow --demo with DEBUG off.")

    @transaction.atomic
    def handle(self, *args, **options):
        if options["demo"] and not settings.DEBUG and not options["force"]:
            raise CommandError(
                "seed --demo writes demo accounts with a known password: run it with DEBUG on, "
                "or pass --force."
            )
        if options["demo"] and settings.DEBUG:
            # The demo's decisions issue signed documents: a development pair when none is set.
            signing_files = (settings.SIGNING_KEY_FILE, settings.SIGNING_CERT_FILE)
            if not all(Path(name).exists() for name in signing_files):
                call_command("make_signing_key", force=True, stdout=self.stdout)
        system = system_user()
        catalogued = seed_decision_catalogues(by=system)
        if catalogued:
            self.stdout.write(f"Decision criteria and conditions: {catalogued} added.")
        added = seed_countries(by=system)
        self.stdout.write(f"Countries: {added} added, {Country.objects.count()} in all.")
        snapshot = seed_sample_list(by=system)
        if snapshot:
            self.stdout.write(
                f"Screening list: the illustrative CSL sample, snapshot {snapshot.pk} "
                f"({snapshot.entry_count} entries)."
            )
        past = None
        if options["demo"]:
            demo.ensure_accounts()
            if not demo.is_built():
                past = demo.DemoPast()
        for name in WHITELIST_FILES:
            if past and load_fixture(name)["reference"] == demo.CUT_REFERENCE:
                with history.backdating():
                    past.before_the_cut()
            revision = seed_whitelist_revision(name, by=system)
            if revision:
                self.stdout.write(f"Revision {revision.reference} applied ({revision.title}).")
        template = seed_declaration_template(by=system)
        if template:
            self.stdout.write(f"Declaration template {template.version} recorded.")
        if past:
            with history.backdating():
                past.after_the_cut()
            past.today()
            # The refusals of the cut get their letters after it commits; the seed's one
            # transaction waits for nothing: it issues them here.
            services.issue_missing_letters(by=system)
            self.stdout.write("Demo: vendors, products, applications and licences since 2019.")
        eligible = Country.objects.filter(eligible=True).count()
        self.stdout.write(self.style.SUCCESS(f"Whitelist: {eligible} eligible countries."))
