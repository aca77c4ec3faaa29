"""The name django-axes records for a sign-in attempt.

The sign-in form does not limit what is typed as a username, and axes writes it to a column of
255 characters: on PostgreSQL a longer name failed the insert and the sign-in page answered 500.
No account has a name that long (150 at most), so cutting it to the column changes no lockout.
"""

from django.conf import settings


def attempted_username(request, credentials=None) -> str | None:
    from axes.models import AccessAttempt

    field = getattr(settings, "AXES_USERNAME_FORM_FIELD", "username")
    if credentials:
        username = credentials.get(field)
    else:
        username = getattr(request, "data", request.POST).get(field)
    if username is None:
        return None
    return str(username)[: AccessAttempt._meta.get_field("username").max_length]
