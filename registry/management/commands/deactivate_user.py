"""``manage.py deactivate_user USERNAME --reason …``: the account can no longer sign in or use
its API tokens; with history."""

from django.core.management.base import BaseCommand, CommandError

from registry.accounts import operators, services
from registry.errors import DomainError


class Command(BaseCommand):
    help = "Deactivates an account, with history naming who and why."

    def add_arguments(self, parser):
        parser.add_argument("username")
        operators.add_arguments(parser)

    def handle(self, *args, username, **options):
        user = operators.user_named(username)
        try:
            services.set_active(
                user=user,
                active=False,
                by=operators.actor(options["actor"]),
                reason=operators.reason(options["reason"], "deactivate_user"),
            )
        except DomainError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{username} deactivated.")
