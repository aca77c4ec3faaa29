"""Shared pieces of the server-rendered pages: pagination and service errors.

Every page states the permission it needs (``registry.roles``) with Django's own
``PermissionRequiredMixin`` or ``permission_required``: anonymous visitors are sent to sign in,
signed-in users without the permission get 403. ``permission_required`` has no default, so a view
that forgets to name one raises ``ImproperlyConfigured`` instead of opening to everyone.
"""

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.shortcuts import render
from django.utils.functional import cached_property

from registry.errors import DomainError


class CappedPaginator(Paginator):
    """A paginator that counts no further than it needs to: ``limit`` rows, or to the end of the
    page asked for if that is further, and one more to know whether any row lies beyond.

    Counting every row a list matches reads them all: on a queue of 100,000 cases or a trail of
    10 million records that costs more than the page itself. Below the limit the count is exact
    and nothing changes; above it, ``capped`` is true, ``count`` is the rows counted (one more
    than ``counted_to``) and the pages say "more than" that many, link the next page but no last.
    """

    def __init__(self, object_list, per_page, *, limit: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.limit = limit
        self.counted_to = limit

    def get_page(self, number):
        try:
            wanted = int(number)
        except (TypeError, ValueError, OverflowError):
            wanted = 1
        # A page further than any list could reach is the last page: counted to the end.
        wanted = min(wanted, 2**31 // self.per_page)
        self.counted_to = max(self.limit, wanted * self.per_page)
        return super().get_page(number)

    @cached_property
    def count(self) -> int:
        rows = self.object_list.order_by()
        query = rows.query
        if not (query.combinator or query.distinct or query.group_by is not None):
            rows = rows.values("pk")  # the columns and joins of the rows shown are not needed
        return rows[: self.counted_to + 1].count()

    def page(self, number):
        """The page's rows in one query of two steps: the ids of the page, in the list's order
        (joining only what the order needs), then those rows with everything the page shows.
        Sorting thousands of matches then carries their ids, not every column of every join."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        rows = self.object_list
        if isinstance(rows, QuerySet) and not rows.query.combinator:
            return self._get_page(rows.filter(pk__in=rows.values("pk")[bottom:top]), number, self)
        return self._get_page(rows[bottom:top], number, self)

    @property
    def capped(self) -> bool:
        return self.count > self.counted_to

    @property
    def count_text(self) -> str:
        """How many rows, as the page says it: "1234", or "more than 10,000"."""
        return f"more than {self.counted_to:,}" if self.capped else str(self.count)


def paginate(request, queryset, *, per_page: int | None = None, count_limit: int | None = None):
    """The requested page of ``queryset``, ``PAGE_SIZE`` rows unless ``per_page`` says otherwise.

    The lists of records with many columns (revisions, vendors, applications, licences) ask for
    half a page, so a page still fits a screen. A page number out of range, or not a number, gives
    the nearest page rather than an error. With ``count_limit`` (the lists that grow without
    bound: the review queue, the audit trail) the rows are counted only that far
    (:class:`CappedPaginator`).
    """
    size = per_page or settings.PAGE_SIZE
    if count_limit:
        return CappedPaginator(queryset, size, limit=count_limit).get_page(request.GET.get("page"))
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
