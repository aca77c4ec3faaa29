"""Filters shared by the API's lists: the change feed's ``?updated_since=``.

A feed is read by machines that keep the last moment they saw and ask for what changed since, so
the moment must mean one instant: a date and time in ISO 8601 with its zone (``Z`` or an offset).
A date alone, a time without a zone, or any other text is refused with 400 and a message on the
parameter, never read as midnight or as the server's local time.
"""

import datetime
import re

import django_filters
from django import forms

# ISO 8601 extended format, with seconds optional and a zone required (RFC 3339 allows "t" and "z").
_ISO_WITH_ZONE = re.compile(
    r"(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)([Zz]|[+-]\d{2}:\d{2})"
)

FEED_HELP = (
    "Only what changed at or after this moment: a date and time in ISO 8601 with its zone, such "
    "as 2026-11-23T10:00:00Z or 2026-11-23T12:00:00%2B02:00 (a + sign encoded as %2B). The "
    "answer is then in the order of the changes, oldest first."
)
_MESSAGE = (
    "Give a date and time in ISO 8601 with its zone, such as 2026-11-23T10:00:00Z (a + sign "
    "in an offset must be sent as %2B)."
)


def parse_moment(text: str) -> datetime.datetime:
    """The aware datetime ``text`` names; ``ValueError`` for anything but ISO 8601 with a zone."""
    match = _ISO_WITH_ZONE.fullmatch(text.strip() if text else "")
    if match is None:
        raise ValueError(_MESSAGE)
    day, time, zone = match.groups()
    if "." in time:
        whole, fraction = time.split(".")
        time = f"{whole}.{fraction[:6].ljust(6, '0')}"
    zone = "+00:00" if zone in ("Z", "z") else zone
    try:
        moment = datetime.datetime.fromisoformat(f"{day}T{time}{zone}")
    except ValueError:
        raise ValueError(_MESSAGE) from None
    if moment.year < 2 or moment.year > 9998:
        raise ValueError(_MESSAGE)  # out of what every database stores once in UTC
    # In UTC: PostgreSQL refuses offsets beyond ±15:59, which ISO 8601 allows.
    return moment.astimezone(datetime.UTC)


class _MomentField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return parse_moment(value)
        except ValueError as error:
            # django-filter formats the message with %: the %2B in it must stay as it is.
            raise forms.ValidationError(str(error).replace("%", "%%"), code="invalid") from None


class UpdatedSinceFilter(django_filters.Filter):
    """``?updated_since=``: the rows whose ``updated_at`` is at or after the moment, oldest
    change first."""

    field_class = _MomentField

    def __init__(self, **kwargs):
        kwargs.setdefault("field_name", "updated_at")
        kwargs.setdefault("lookup_expr", "gte")
        kwargs.setdefault("help_text", FEED_HELP)
        super().__init__(**kwargs)

    def filter(self, qs, value):
        if value is None:
            return qs
        return super().filter(qs, value).order_by(self.field_name, "pk")
