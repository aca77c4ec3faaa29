"""A record's Merkle leaf hash on the auditors' pages, looked up in what the view fetched."""

from django import template

register = template.Library()


@register.filter
def leaf_of(seq, leaves) -> str:
    return leaves.get(seq, "") if leaves else ""
