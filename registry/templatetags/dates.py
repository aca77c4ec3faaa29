"""One way to show a date or a moment on every page: ``{{ value|when }}``.

A date reads ``25 Nov 2021``; a moment reads ``25 Nov 2021, 09:30 UTC``, in the configured time
zone (``TIME_ZONE``) with its abbreviation, so nobody guesses which zone a time is in. Both come
in a ``<time>`` element carrying the exact ISO 8601 value (to the second, with its offset) for
machines and as a tooltip. ``{{ value|when:"text" }}`` gives the same words without the element
(inside an SVG title, or an attribute); ``{{ value|when:"day" }}`` the day of a moment, as text.
Nothing (``None``) shows as ``—``.

A builtin of the templates (``TEMPLATES`` ``builtins``): no ``{% load %}`` needed.
"""

import datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html

register = template.Library()

DATE_FORMAT = "%-d %b %Y"
TIME_FORMAT = "%H:%M"


def when_text(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        zone = value.tzname() or ""
        return f"{value.strftime(DATE_FORMAT)}, {value.strftime(TIME_FORMAT)} {zone}".rstrip()
    if isinstance(value, datetime.date):
        return value.strftime(DATE_FORMAT)
    return str(value)


@register.filter
def when(value, mode: str = ""):
    if mode == "day" and isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
        mode = "text"
    text = when_text(value)
    if mode == "text" or not isinstance(value, datetime.date):
        return text
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        machine = value.isoformat(timespec="seconds")
    else:
        machine = value.isoformat()
    return format_html('<time datetime="{}" title="{}">{}</time>', machine, machine, text)
