"""The seam through which a list change re-screens the parties of other apps.

Screening does not import licensing. Licensing registers, when the app registry is ready, a
callable that re-screens the parties of pending applications and live licences in a few queries;
the ingest, a snapshot's release and every change of the concern list call :func:`run` in their
own transaction, so a list change and the matches it raises commit together.
"""

from __future__ import annotations

from collections.abc import Callable

_rescreeners: list[Callable[..., int]] = []


def register(rescreener: Callable[..., int]) -> None:
    """``rescreener(by=..., reason=...)`` returns how many new matches it raised."""
    if rescreener not in _rescreeners:
        _rescreeners.append(rescreener)


def run(*, by, reason: str) -> int:
    return sum(rescreener(by=by, reason=reason) for rescreener in _rescreeners)
