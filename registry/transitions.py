"""The check of a lifecycle written as data: ``{status: {statuses it may become}}``.

Each app keeps its transition tables beside its services; the check is here, in the base layer,
so that no app reaches into another to enforce its own lifecycle.
"""

from registry.errors import TransitionNotAllowed


def check_transition(table: dict[str, set[str]], obj, to: str, *, what: str | None = None) -> None:
    """Raises :class:`TransitionNotAllowed` unless ``table`` allows ``obj.status -> to``.

    The message names both statuses by their labels, as the person who asked reads them.
    """
    current = obj.status
    if to not in table.get(current, set()):
        labels = dict(obj._meta.get_field("status").flatchoices)
        what = what or f"{obj._meta.verbose_name} {obj}"
        raise TransitionNotAllowed(
            f"{what[0].upper()}{what[1:]} is {labels[current].lower()}: it cannot become "
            f"{labels[to].lower()}."
        )
