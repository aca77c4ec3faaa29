"""``manage.py issue_missing_letters``: issues the refusal letter of every refused application
that has none.

A whitelist revision that refuses pending applications issues their letters after it commits,
so as not to sign documents while it holds its locks; a process stopped in between leaves letters
owed. Run daily (it finds nothing on most days); idempotent.
"""

from django.core.management.base import BaseCommand

from licenses import services
from registry.audit.history import system_user


class Command(BaseCommand):
    help = "Issues the refusal letters owed (refused applications without one)."

    def handle(self, *args, **options):
        issued = services.issue_missing_letters(by=system_user())
        self.stdout.write(self.style.SUCCESS(f"{issued} refusal letter(s) issued."))
