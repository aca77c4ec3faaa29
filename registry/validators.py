"""Validators shared by the models of several apps."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible


@deconstructible
class NoControlCharacters:
    """Refuses control characters in a key that forms a URL.

    A NUL cannot travel in a path (the key converter refuses it, PostgreSQL refuses to store it),
    so a key holding one would be stored on SQLite and its page never found again; tabs, line
    breaks and the other control characters are no part of a registration number or reference.
    """

    message = "Must not contain control characters (such as NUL, tab or a line break)."
    code = "control_characters"

    def __call__(self, value) -> None:
        if any(unicodedata.category(char) == "Cc" for char in str(value)):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other) -> bool:
        return isinstance(other, NoControlCharacters)


no_control_characters = NoControlCharacters()
