"""What the account commands share: who acts, and the reason as the history keeps it.

An operator's command names the acting account with ``--actor`` (an active superuser); without
it the system actor is recorded. Either way the reason ends with the command and the OS account
that ran it, so the history tells which person at the server made the change.
"""

import getpass
import os

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from registry.audit import history


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry for the process's uid (some containers)
        return os.environ.get("USER") or f"uid {os.getuid()}"


def add_arguments(parser) -> None:
    parser.add_argument("--reason", required=True, help="Why: kept in the account's history.")
    parser.add_argument(
        "--actor",
        help="Username of the active superuser making the change (the system actor if omitted).",
    )


def actor(username: str | None):
    if not username:
        return history.system_user()
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None or not user.is_superuser:
        raise CommandError(f"--actor {username!r} is not an active superuser.")
    return user


def reason(text: str, command: str) -> str:
    if not text.strip():
        raise CommandError("--reason must say why.")
    return f"{text.strip()} (manage.py {command}, OS user {os_user()})"


def user_named(username: str):
    User = get_user_model()
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist:
        raise CommandError(f"No user named {username!r}.") from None
