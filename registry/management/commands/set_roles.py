"""``manage.py set_roles USERNAME --role ROLE … --reason …``: puts an account in exactly these
roles (none: ``--none``), with history."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from registry.accounts import operators, services


class Command(BaseCommand):
    help = "Sets an account's roles (groups), with history naming who and why."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", action="append", default=[], choices=services.ROLE_NAMES)
        parser.add_argument("--none", action="store_true", help="Take every role away.")
        operators.add_arguments(parser)

    def handle(self, *args, username, **options):
        if bool(options["role"]) == options["none"]:
            raise CommandError("Give the roles (--role, repeated) or --none.")
        user = operators.user_named(username)
        try:
            user = services.set_roles(
                user=user,
                role_names=options["role"],
                by=operators.actor(options["actor"]),
                reason=operators.reason(options["reason"], "set_roles"),
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(f"{user.username}: roles now {user.roles or 'none'}.")
