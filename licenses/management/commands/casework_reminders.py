"""``manage.py casework_reminders``: the daily pass over the requests for information (run daily).

Flags the open requests whose due date is near for a reminder, expires those past it, and gives a
working-day target to pending applications recorded before targets existed. Running it twice
changes nothing the second time.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from licenses.casework import mark_due_requests, set_missing_targets


class Command(BaseCommand):
    help = (
        "Flags requests for information due for a reminder and expires overdue ones, with history."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            help="The day to act as of (YYYY-MM-DD); today when omitted.",
        )

    def handle(self, *args, **options):
        today = None
        if options["today"]:
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError as error:
                raise CommandError(f"--today: {error}") from error
        targets = set_missing_targets()
        reminders, expired = mark_due_requests(today=today)
        self.stdout.write(
            f"{reminders} request(s) due for a reminder, {expired} expired; "
            f"{targets} target date(s) set."
        )
