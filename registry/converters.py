"""The ``key`` URL converter: any stored key makes a URL that leads back to its own object.

Registration numbers are typed by people and carry slashes and spaces (``HRB 1234/5``); with
Django's ``str`` converter such a value cannot be reversed, and every page listing it fails. Here a
key is one path segment whatever it holds: ``/`` and ``%`` are escaped before ``reverse`` quotes
the URL (so they arrive still escaped after Django decodes the path once), and a key that would
be read as something else (``new``, a page of its own; ``.`` or ``..``, which browsers remove) has
its first character escaped. No stored value can hold NUL (PostgreSQL refuses it), so a path
with one matches nothing and answers 404 instead of reaching the database.
"""

from urllib.parse import unquote

from django.urls import register_converter

# Path segments that are pages of their own under a keyed prefix (``/vendors/new/``).
RESERVED_SEGMENTS = frozenset({"new"})


class KeyConverter:
    regex = "[^/]+"

    def to_python(self, value: str) -> str:
        key = unquote(value)
        if "\x00" in key:
            raise ValueError("No key holds a NUL character.")
        return key

    def to_url(self, value) -> str:
        key = str(value)
        segment = key.replace("%", "%25").replace("/", "%2F")
        if key in RESERVED_SEGMENTS or set(key) == {"."}:
            segment = f"%{ord(key[0]):02X}{segment[1:]}"
        return segment


register_converter(KeyConverter, "key")
