"""The geometry of the auditors' inline SVG charts: pure arithmetic on values already read.

Nothing here touches the database; the selectors read the data and hand it over.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from countries.selectors import WhitelistStep


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    size: int
    date: datetime.datetime
    reference: str


@dataclass(frozen=True)
class SizeChart:
    """The whitelist's size over time, laid out for an inline SVG step chart."""

    width: int
    height: int
    points: list[ChartPoint]
    path: str
    y_ticks: list[tuple[float, int]]
    x_ticks: list[tuple[float, int]]


def size_chart(
    steps: Sequence[WhitelistStep], *, width: int, height: int, now: datetime.datetime
) -> SizeChart | None:
    if not steps:
        return None
    left, right, top, bottom = 48, 16, 16, 32
    start = steps[0].revision.applied_at
    end = max(now, steps[-1].revision.applied_at + datetime.timedelta(days=1))
    span = (end - start).total_seconds()
    top_size = max(len(step.members) for step in steps) or 1

    def x(at):
        return round(left + (width - left - right) * (at - start).total_seconds() / span, 1)

    def y(size):
        return round(height - bottom - (height - top - bottom) * size / top_size, 1)

    points = [
        ChartPoint(
            x(step.revision.applied_at),
            y(len(step.members)),
            len(step.members),
            step.revision.applied_at,
            step.revision.reference,
        )
        for step in steps
    ]
    segments = [f"M {points[0].x} {y(0)} V {points[0].y}"]
    for point in points[1:]:
        segments.append(f"H {point.x} V {point.y}")
    segments.append(f"H {x(end)}")
    y_ticks = [(y(value), value) for value in sorted({0, top_size // 2, top_size})]
    x_ticks = [
        (x(datetime.datetime(year, 1, 1, tzinfo=datetime.UTC)), year)
        for year in range(start.year + (start.month > 1 or start.day > 1), end.year + 1)
    ]
    return SizeChart(width, height, points, " ".join(segments), y_ticks, x_ticks)
