"""``manage.py issue_token USERNAME``: a new API token for a vendor's user, shown this once.

For operators. Vendors create their own tokens on their tokens page (``/account/tokens/``). The
registry keeps only the token's SHA-512 digest, so the key cannot be shown again; a lost key is
replaced by issuing another. Tokens expire (``--days``, or ``API_TOKEN_TTL_DAYS``, 90 by
default); each is recorded, with its history, like one created on the tokens page, and listed
and revoked there.
"""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from registry.accounts import services
from registry.audit import history
from registry.errors import DomainError


class Command(BaseCommand):
    help = "Issues a new API token for a vendor's user and prints it alone on the last line."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Days until the token expires (default: API_TOKEN_TTL_DAYS, 90).",
        )
        parser.add_argument(
            "--name", default="Issued by an operator", help="What the token is for."
        )

    def handle(self, *args, username, days, name, **options):
        User = get_user_model()
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No user named {username!r}.") from None
        if not user.is_active:
            raise CommandError(f"{username} is inactive: a token would be refused.")
        if not (user.has_perm("registry.use_vendor_api") and user.vendor_id):
            raise CommandError(
                f"{username} is not a vendor's user (in the vendors group and linked to a "
                "vendor): only they may use the API."
            )
        if days is not None and days < 1:
            raise CommandError("--days must be 1 or more.")
        lifetime = settings.REST_KNOX["TOKEN_TTL"] if days is None else datetime.timedelta(days)
        try:
            token, key = services.create_token(
                user=user,
                by=history.system_user(),
                name=name,
                expires_at=timezone.now() + lifetime,
                reason=f"API token issued by an operator (manage.py issue_token): {name}",
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            f"Token for {username} (vendor {user.vendor}), expires "
            f"{token.expires_at:%Y-%m-%d %H:%M %Z}. It is shown once only; the registry keeps "
            "only its digest."
        )
        self.stdout.write(key)
