"""``manage.py reset_second_factor USERNAME``: for a member of staff who lost both the phone and
the backup codes. Removes their authenticator app and backup codes; at the next sign-in, after
the password, they set up a new app.

Check who is asking before running it: whoever holds the password can then enrol a new app.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from registry.accounts import operators, services


class Command(BaseCommand):
    help = "Removes a user's authenticator app and backup codes, so they enrol again."

    def add_arguments(self, parser):
        parser.add_argument("username")
        operators.add_arguments(parser)

    def handle(self, *args, username, **options):
        User = get_user_model()
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No user named {username!r}.") from None
        if not services.has_second_factor(user):
            raise CommandError(f"{username} has no authenticator app to remove.")
        services.remove_second_factor(
            user=user,
            by=operators.actor(options["actor"]),
            reason=operators.reason(options["reason"], "reset_second_factor"),
        )
        self.stdout.write(
            f"Removed {username}'s authenticator app and backup codes; they set up a new app "
            "at their next sign-in."
        )
