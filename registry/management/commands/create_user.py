"""``manage.py create_user USERNAME --role ROLE --reason …``: a new account, recorded.

Without ``--password`` the account cannot sign in until its owner sets a password through
"Forgot your password?" (give it an ``--email``). A vendor's user names its ``--vendor``.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from licenses.models import Vendor
from registry.accounts import operators, services


class Command(BaseCommand):
    help = "Creates an account in one or more roles, with history naming who and why."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--role",
            action="append",
            default=[],
            choices=services.ROLE_NAMES,
            help="A role (repeat for more).",
        )
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--vendor", help="Registration number of a vendor's user's vendor.")
        parser.add_argument("--password", help="An initial password (otherwise none is usable).")
        operators.add_arguments(parser)

    def handle(self, *args, username, **options):
        vendor = None
        if options["vendor"]:
            vendor = Vendor.objects.filter(registration_number=options["vendor"]).first()
            if vendor is None:
                raise CommandError(f"No vendor with registration number {options['vendor']!r}.")
        try:
            user = services.create_user(
                by=operators.actor(options["actor"]),
                reason=operators.reason(options["reason"], "create_user"),
                username=username,
                role_names=options["role"],
                email=options["email"],
                first_name=options["first_name"],
                last_name=options["last_name"],
                vendor=vendor,
                password=options["password"],
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(f"Created {user.username} ({user.roles or 'no role'}).")
