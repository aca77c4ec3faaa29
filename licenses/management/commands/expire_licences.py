"""``manage.py expire_licences``: marks licences past their validity as expired (run daily).

The scheduled run is recorded as the system's. ``--today`` (catching up on a missed day) is an
operator's decision, so it needs ``--actor``, an active member of staff who may manage licences;
the history names them, and the reason adds the OS account that ran the command.
"""

import datetime
import getpass
import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from licenses.services import expire_licences
from registry.errors import DomainError


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry for the process's uid (some containers)
        return os.environ.get("USER") or f"uid {os.getuid()}"


class Command(BaseCommand):
    help = "Marks active and suspended licences whose validity has ended as expired, with history."

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            help="The day to expire as of (YYYY-MM-DD), not after today; today when omitted. "
            "Needs --actor.",
        )
        parser.add_argument(
            "--actor",
            help="Username of the member of staff on whose authority a --today run is made.",
        )

    def handle(self, *args, **options):
        today = by = None
        note = ""
        if options["today"]:
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError as error:
                raise CommandError(f"--today: {error}") from error
            by = self._actor(options["actor"])
            note = f"run as of {today:%Y-%m-%d} by {by.get_username()}, OS user {_os_user()}"
        elif options["actor"]:
            raise CommandError("--actor goes with --today; the scheduled run is the system's.")
        try:
            count = expire_licences(today=today, by=by, operator_note=note)
        except DomainError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{count} licence(s) expired.")

    def _actor(self, username: str | None):
        if not username:
            raise CommandError(
                "A run as of another day (--today) needs --actor USERNAME: the member of staff "
                "on whose authority it is made."
            )
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None or not user.has_perm("licenses.manage_licence"):
            raise CommandError(
                f"--actor {username!r} is not an active member of staff who may manage licences."
            )
        return user
