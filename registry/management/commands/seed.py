"""``manage.py seed``: every ISO 3166-1 country, then the 102-country list and the 2021 cut."""

from django.core.management.base import BaseCommand
from django.db import transaction

from countries.models import Country
from countries.seeding import WHITELIST_FILES, seed_countries, seed_whitelist_revision
from registry.history import system_user


class Command(BaseCommand):
    help = (
        "Loads the ISO 3166-1 countries and applies the recorded whitelist revisions, "
        "with history. "
        "Idempotent: running it again changes nothing."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        system = system_user()
        added = seed_countries(by=system)
        self.stdout.write(f"Countries: {added} added, {Country.objects.count()} in all.")
        for name in WHITELIST_FILES:
            revision = seed_whitelist_revision(name, by=system)
            if revision:
                self.stdout.write(f"Revision {revision.reference} applied ({revision.title}).")
        eligible = Country.objects.filter(eligible=True).count()
        self.stdout.write(self.style.SUCCESS(f"Whitelist: {eligible} eligible countries."))
