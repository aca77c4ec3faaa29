"""``manage.py link_vendor USERNAME REGISTRATION_NUMBER --reason …``: links a vendor's user to
its vendor (``--unlink`` instead of a number removes the link), with history."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from licenses.models import Vendor
from registry.accounts import operators, services


class Command(BaseCommand):
    help = "Links a vendor's user to its vendor, with history naming who and why."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("registration_number", nargs="?")
        parser.add_argument("--unlink", action="store_true")
        operators.add_arguments(parser)

    def handle(self, *args, username, registration_number, unlink, **options):
        if bool(registration_number) == unlink:
            raise CommandError("Give the vendor's registration number, or --unlink.")
        vendor = None
        if registration_number:
            vendor = Vendor.objects.filter(registration_number=registration_number).first()
            if vendor is None:
                raise CommandError(f"No vendor with registration number {registration_number!r}.")
        user = operators.user_named(username)
        try:
            services.link_vendor(
                user=user,
                vendor=vendor,
                by=operators.actor(options["actor"]),
                reason=operators.reason(options["reason"], "link_vendor"),
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(f"{username}: {'linked to ' + vendor.name if vendor else 'unlinked'}.")
