"""Shared pieces of the server-rendered pages: the role check, pagination, service errors.

Every page states the permission it needs (``registry.roles``); a view that forgets to name one
fails to load instead of opening to everyone.
"""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.paginator import Paginator

from registry.errors import DomainError

PAGE_SIZE = 25


class RoleRequiredMixin(PermissionRequiredMixin):
    """Anonymous visitors go to the sign-in page; signed-in users without the permission get 403.

    ``permission_required`` has no default: Django raises ``ImproperlyConfigured`` for a view that
    does not name one, so the default is deny.
    """


def paginate(request, queryset, *, per_page: int = PAGE_SIZE):
    """The requested page of ``queryset``; a page number out of range gives the nearest page."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def add_service_error(form, error: Exception) -> None:
    """Puts a service's refusal on the form, beside the field it names or at the top.

    Handles ``django.core.exceptions.ValidationError`` (with or without field names) and the
    domain errors of ``registry.errors``; anything else is a bug and is raised again.
    """
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                target = field if field in form.fields else None
                if field not in form.fields and field != NON_FIELD_ERRORS:
                    messages = [f"{field.replace('_', ' ').capitalize()}: {m}" for m in messages]
                form.add_error(target, messages)
        else:
            form.add_error(None, error.messages)
    elif isinstance(error, DomainError):
        form.add_error(None, error.message)
    else:
        raise error
