"""``manage.py revoke_tokens (--vendor REGISTRATION_NUMBER | --user USERNAME) --reason …``: every
API token of a vendor's users, or of one user, stops working at once; each account's history
records who revoked them and why (docs/operations.md, "Runbook")."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from registry.accounts import operators, services


class Command(BaseCommand):
    help = "Revokes every API token of a vendor's users, or of one user, with history."

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--vendor", help="The vendor's registration number.")
        target.add_argument("--user", help="One username.")
        operators.add_arguments(parser)

    def handle(self, *args, vendor=None, user=None, **options):
        if user:
            users = [operators.user_named(user)]
        else:
            users = list(
                get_user_model()
                .objects.filter(vendor__registration_number=vendor)
                .order_by("username")
            )
            if not users:
                raise CommandError(f"No user of a vendor {vendor!r}.")
        revoked = services.revoke_api_tokens(
            users=users,
            by=operators.actor(options["actor"]),
            reason=operators.reason(options["reason"], "revoke_tokens"),
        )
        names = ", ".join(u.username for u in users)
        self.stdout.write(f"{revoked} API token(s) revoked for {names}.")
