"""``manage.py delivery_reports_overdue``: emails the overdue delivery reports (run daily).

One digest to the officials, and to each vendor's contact the list of its own licences whose
report is past due. Sends nothing when nothing is overdue.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from licenses.services import send_overdue_report_reminders


class Command(BaseCommand):
    help = "Emails the officials and the vendors concerned the overdue delivery reports."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="The day to act as of (YYYY-MM-DD); today if omitted.")

    def handle(self, *args, **options):
        today = None
        if options["today"]:
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError as error:
                raise CommandError(f"--today: {error}") from error
        sent = send_overdue_report_reminders(today=today)
        self.stdout.write(
            f"{sent.licences} licence(s) with a delivery report overdue; emailed "
            f"{sent.officials} official(s) and {sent.vendors} vendor(s)."
        )
