"""``manage.py activate_user USERNAME --reason …``: the account can sign in again; with history."""

from django.core.management.base import BaseCommand, CommandError

from registry.accounts import operators, services
from registry.errors import DomainError


class Command(BaseCommand):
    help = "Activates an account, with history naming who and why."

    def add_arguments(self, parser):
        parser.add_argument("username")
        operators.add_arguments(parser)

    def handle(self, *args, username, **options):
        user = operators.user_named(username)
        try:
            services.set_active(
                user=user,
                active=True,
                by=operators.actor(options["actor"]),
                reason=operators.reason(options["reason"], "activate_user"),
            )
        except DomainError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{username} activated.")
