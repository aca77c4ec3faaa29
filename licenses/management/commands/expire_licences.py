"""``manage.py expire_licences``: marks licences past their validity as expired (run daily)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from licenses.services import expire_licences


class Command(BaseCommand):
    help = "Marks active and suspended licences whose validity has ended as expired, with history."

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            help="The day to expire as of (YYYY-MM-DD); today when omitted.",
        )

    def handle(self, *args, **options):
        today = None
        if options["today"]:
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError as error:
                raise CommandError(f"--today: {error}") from error
        count = expire_licences(today=today)
        self.stdout.write(f"{count} licence(s) expired.")
