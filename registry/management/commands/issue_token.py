"""``manage.py issue_token USERNAME``: a new API token for a vendor's user, shown this once.

The registry keeps only the token's SHA-512 digest, so the key cannot be shown again; a lost key
is replaced by issuing another. Tokens expire (``API_TOKEN_TTL_DAYS``, 90 by default) and are
listed and revoked per user in the admin (Knox: Auth tokens).
"""

import datetime

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from knox.models import AuthToken


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

    def handle(self, *args, username, days, **options):
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
        lifetime = {} if days is None else {"expiry": datetime.timedelta(days=days)}
        instance, key = AuthToken.objects.create(user=user, **lifetime)
        self.stdout.write(
            f"Token for {username} (vendor {user.vendor}), expires "
            f"{instance.expiry:%Y-%m-%d %H:%M %Z}. It is shown once only; the registry keeps "
            "only its digest."
        )
        self.stdout.write(key)
