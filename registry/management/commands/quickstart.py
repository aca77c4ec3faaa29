"""``manage.py quickstart``: migrate, seed with the demo data, and serve on http://127.0.0.1:8000.

It writes a development key to sign the audit log's checkpoints when none exists yet
(``AUDIT_SIGNING_KEY_FILE``, beside manage.py unless set), and signs a first checkpoint; and a
development pair to sign the licence certificates and refusal letters
(``SIGNING_KEY_FILE``/``SIGNING_CERT_FILE``), before the demo's decisions issue theirs.

Running it again changes nothing but starting the server: migrate and seed are idempotent.
"""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from licenses import demo


class Command(BaseCommand):
    help = "Migrates the database, seeds it and starts the development server."

    def add_arguments(self, parser):
        parser.add_argument("--addrport", default="127.0.0.1:8000")
        parser.add_argument(
            "--no-serve", action="store_true", help="Prepare the database but do not serve."
        )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("quickstart is for development: run it with DEBUG on.")
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database migrated.")
        signing_files = (settings.SIGNING_KEY_FILE, settings.SIGNING_CERT_FILE)
        if not all(Path(name).exists() for name in signing_files):
            call_command("make_signing_key", force=True, stdout=self.stdout)
        # The audit key too: the demo's decisions sign their receipts with it.
        if not Path(settings.AUDIT_SIGNING_KEY_FILE).exists():
            call_command("make_audit_key", settings.AUDIT_SIGNING_KEY_FILE, stdout=self.stdout)
        call_command("seed", demo=True, stdout=self.stdout)
        call_command("audit_checkpoint", stdout=self.stdout)
        self.stdout.write(f"Demo accounts (password {demo.DEMO_PASSWORD}):")
        for username, role in demo.ACCOUNTS:
            self.stdout.write(f"  {username:<15} {role}")
        if options["no_serve"]:
            return
        self.stdout.write(f"Serving on http://{options['addrport']}/ (Ctrl+C to stop).")
        call_command("runserver", options["addrport"], use_reloader=False)
