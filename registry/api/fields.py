"""Fields that address objects by their public key (reference, number, code), never by id."""

import re

from rest_framework import serializers


class KeyRelatedField(serializers.SlugRelatedField):
    """A related object named by its key, checked for shape before any query is made.

    A value that cannot be a key (a number, an object, the wrong characters) gets the same clear
    message as a key that names nothing, and never reaches the database.
    """

    def __init__(self, *, pattern: str, example: str, **kwargs):
        self.pattern = re.compile(pattern)
        kwargs.setdefault("error_messages", {})
        kwargs["error_messages"].setdefault(
            "does_not_exist", f"No such {{slug_name}}: {{value}}. Give one such as {example}."
        )
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str) or not self.pattern.fullmatch(data):
            self.fail("does_not_exist", slug_name=self.slug_field, value=repr(data)[:40])
        return super().to_internal_value(data)
