"""The working-day clock: one pure function, checked across weekends, holidays and year ends."""

import datetime

import pytest

from registry import working_days
from registry.working_days import Calendar, add, count, remaining, week_from_names

D = datetime.date
SUN_TO_THU = week_from_names(["sunday", "monday", "tuesday", "wednesday", "thursday"])
PLAIN = Calendar(week=SUN_TO_THU, holidays=frozenset())
# Pesach 2026 (Thursday 2 April) and its seventh day (Wednesday 8 April), as the package has them.
PESACH = Calendar(week=SUN_TO_THU, holidays=frozenset({D(2026, 4, 2), D(2026, 4, 8)}))


def test_friday_and_saturday_are_not_working_days_in_the_default_week():
    # Thursday 1 January 2026 to Sunday 4 January: only the Sunday counts.
    assert count(D(2026, 1, 1), D(2026, 1, 4), calendar=PLAIN) == 1
    assert add(D(2026, 1, 1), 1, calendar=PLAIN) == D(2026, 1, 4)


def test_a_whole_week_is_five_working_days():
    assert count(D(2026, 1, 3), D(2026, 1, 10), calendar=PLAIN) == 5


def test_counting_crosses_the_year_end():
    # Wednesday 31 December 2025: Thursday 1 January is the first, Sunday 4 January the second.
    assert add(D(2025, 12, 31), 2, calendar=PLAIN) == D(2026, 1, 4)
    assert count(D(2025, 12, 24), D(2026, 1, 7), calendar=PLAIN) == 10


def test_a_public_holiday_is_skipped():
    assert add(D(2026, 4, 1), 1, calendar=PESACH) == D(2026, 4, 5)
    assert add(D(2026, 4, 1), 1, calendar=PLAIN) == D(2026, 4, 2)


def test_a_request_spanning_a_holiday_stops_the_clock_for_working_days_only():
    raised, answered = D(2026, 3, 31), D(2026, 4, 5)
    # Wednesday 1 April and Sunday 5 April; the Thursday is Pesach, then the weekend.
    assert count(raised, answered, calendar=PESACH) == 2
    target = add(D(2026, 3, 15), 20, calendar=PESACH)
    assert add(target, count(raised, answered, calendar=PESACH), calendar=PESACH) > target


def test_add_and_count_agree():
    start = D(2025, 12, 20)
    for n in range(45):
        assert count(start, add(start, n, calendar=PESACH), calendar=PESACH) == n


def test_remaining_days_go_negative_once_the_target_has_passed():
    target = D(2026, 1, 8)  # a Thursday
    assert remaining(D(2026, 1, 8), target, calendar=PLAIN) == 0
    assert remaining(D(2026, 1, 4), target, calendar=PLAIN) == 4
    assert remaining(D(2026, 1, 11), target, calendar=PLAIN) == -1


def test_the_week_can_be_monday_to_friday():
    week = week_from_names(["Monday", "tuesday", "wednesday", "thursday", "friday"])
    calendar = Calendar(week=week, holidays=frozenset())
    assert add(D(2026, 1, 1), 1, calendar=calendar) == D(2026, 1, 2)  # a Friday


def test_an_unknown_day_name_is_refused():
    with pytest.raises(ValueError, match="not a day of the week"):
        week_from_names(["sunday", "funday"])


def test_the_settings_calendar_knows_the_israeli_holidays(settings):
    settings.WORKING_WEEK = ["sunday", "monday", "tuesday", "wednesday", "thursday"]
    settings.HOLIDAYS_COUNTRY = "IL"
    calendar = working_days.calendar()
    assert not calendar.is_working_day(D(2026, 4, 2))  # Pesach
    assert not calendar.is_working_day(D(2026, 9, 21))  # Yom Kippur
    assert calendar.is_working_day(D(2026, 4, 5))
