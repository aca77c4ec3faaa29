"""Working days: the clock of the time target on applications.

One pure function, :func:`count`, decides what a working day is; everything else (the target
date, days remaining, the days a case waited on the vendor) is built on it, so the queue, the
case page and the scheduled command can never disagree. :func:`calendar` reads the settings
once and gives the pure functions what they need.

Days are counted the way a deadline "in N working days" is read: the first day is the one after
the start, so ``count(start, end)`` is the number of working days ``d`` with
``start < d <= end``, and ``add(start, n)`` is the n-th working day after ``start``.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class Calendar:
    """The working week (``date.weekday()`` numbers) and the public holidays."""

    week: frozenset[int]
    holidays: Collection[datetime.date]

    def is_working_day(self, day: datetime.date) -> bool:
        return day.weekday() in self.week and day not in self.holidays


def count(start: datetime.date, end: datetime.date, *, calendar: Calendar) -> int:
    """Working days after ``start`` up to and including ``end``; 0 when ``end <= start``."""
    days = 0
    day = start + datetime.timedelta(days=1)
    while day <= end:
        days += calendar.is_working_day(day)
        day += datetime.timedelta(days=1)
    return days


def add(start: datetime.date, n: int, *, calendar: Calendar) -> datetime.date:
    """The ``n``-th working day after ``start`` (``start`` itself when ``n`` is 0)."""
    if not calendar.week:
        raise ValueError("A working week needs at least one working day.")
    day = start
    while n > 0:
        day += datetime.timedelta(days=1)
        n -= calendar.is_working_day(day)
    return day


def remaining(today: datetime.date, target: datetime.date, *, calendar: Calendar) -> int:
    """Working days left until ``target``: negative once it has passed, 0 on the day itself."""
    if today <= target:
        return count(today, target, calendar=calendar)
    return -count(target, today, calendar=calendar)


def week_from_names(names: Collection[str]) -> frozenset[int]:
    """``["sunday", "monday", ...]`` as ``date.weekday()`` numbers; an unknown name raises."""
    numbers = set()
    for name in names:
        key = str(name).strip().lower()
        if key not in WEEKDAYS:
            raise ValueError(f"{name!r} is not a day of the week; use English names.")
        numbers.add(WEEKDAYS.index(key))
    return frozenset(numbers)


@lru_cache(maxsize=8)
def _holidays(country: str) -> Collection[datetime.date]:
    import holidays

    # The package computes a year's holidays when a date of that year is first looked up.
    return holidays.country_holidays(country)


def calendar() -> Calendar:
    """The calendar of the settings: ``WORKING_WEEK`` and ``HOLIDAYS_COUNTRY``."""
    from django.conf import settings

    return Calendar(
        week=week_from_names(settings.WORKING_WEEK),
        holidays=_holidays(settings.HOLIDAYS_COUNTRY),
    )
