"""Fields and serializers of the API's input: objects named by their public key (reference,
number, code), never by id; no field the request does not take; no signed zero."""

import re

from rest_framework import serializers


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not take, each with a message, rather than ignoring them: a
    misspelt optional field would otherwise be dropped without a word. Text and decimals are
    JSON strings, as the schema says: DRF would turn a number into text, and a JSON number
    into a decimal through a binary float."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(set(data) - writable)
            if unknown:
                message = f"Unknown field; this request takes {', '.join(sorted(writable))}."
                raise serializers.ValidationError({name: [message] for name in unknown})
            not_strings = {
                name: ["Give a JSON string."]
                for name, value in data.items()
                if isinstance(self.fields[name], serializers.CharField | serializers.DecimalField)
                and value is not None
                and not isinstance(value, str)
            }
            if not_strings:
                raise serializers.ValidationError(not_strings)
        return super().to_internal_value(data)


class DecimalField(serializers.DecimalField):
    """A decimal that refuses a negative zero (``-0``, ``-0.00``): it means nothing a positive
    zero does not, and the database stores it as ``0``, so the audit trail would hash a value
    that was never stored."""

    default_error_messages = {"negative_zero": "Give zero without a sign: 0."}

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value.is_zero() and value.is_signed():
            self.fail("negative_zero")
        return value


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


class StrictBooleanField(serializers.BooleanField):
    """A JSON ``true`` or ``false`` only: DRF would also read ``"yes"``, ``1`` or ``"off"``."""

    default_error_messages = {"invalid": "Give true or false."}

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data
