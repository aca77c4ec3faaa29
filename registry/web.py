"""Shared pieces of the server-rendered pages: pagination and service errors.

Every page states the permission it needs (``registry.roles``) with Django's own
``PermissionRequiredMixin`` or ``permission_required``: anonymous visitors are sent to sign in,
signed-in users without the permission get 403. ``permission_required`` has no default, so a view
that forgets to name one raises ``ImproperlyConfigured`` instead of opening to everyone.
"""

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import render

from registry.errors import DomainError


def paginate(request, queryset, *, per_page: int | None = None):
    """The requested page of ``queryset``, ``PAGE_SIZE`` rows unless ``per_page`` says otherwise.

    The lists of records with many columns (revisions, vendors, applications, licences) ask for
    half a page, so a page still fits a screen. A page number out of range, or not a number, gives
    the nearest page rather than an error.
    """
    size = per_page or settings.PAGE_SIZE
    return Paginator(queryset, size).get_page(request.GET.get("page"))


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


def check_page(
    request,
    *,
    heading: str,
    rows: list[tuple[str, str]],
    warning: str,
    hidden: list[tuple[str, str]],
    action_url: str,
    back_url: str,
    button: str,
    impact: list[str] | None = None,
    impact_title: str = "What it changes",
):
    """GOV.UK's "check your answers" before an action that cannot be undone: what was typed,
    what will happen, and a button that sends it all again, confirmed."""
    return render(
        request,
        "registry/confirm.html",
        {
            "heading": heading,
            "rows": rows,
            "warning": warning,
            "hidden": hidden,
            "action_url": action_url,
            "back_url": back_url,
            "button": button,
            "impact": impact or [],
            "impact_title": impact_title,
        },
    )
