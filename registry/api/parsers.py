"""The API reads JSON only, and at most ``API_MAX_BODY_SIZE`` bytes of it."""

import json

from django.conf import settings
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"


def _refuse_constant(name):
    raise ValueError(f"{name} is not a JSON number")


def _refuse_duplicate_keys(pairs):
    """An object naming a key twice is ambiguous: which value the sender meant is unknowable."""
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(f"the key {key!r} is given twice")
        seen[key] = value
    return seen


class LimitedJSONParser(JSONParser):
    """Strict JSON of a bounded size, refused before it is read when it says it is too large.

    Strings must be valid Unicode: a lone surrogate (legal in JSON's escapes, not in UTF-8) would
    otherwise reach the database and fail there. An object may name each key once.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.API_MAX_BODY_SIZE
        request = (parser_context or {}).get("request")
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0) if request else 0
        except ValueError:
            declared = 0
        too_large = RequestTooLarge(f"The request body is larger than {limit} bytes.")
        if declared > limit:
            raise too_large
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise too_large
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = raw.decode(encoding)
            data = json.loads(
                text,
                parse_constant=_refuse_constant,
                object_pairs_hook=_refuse_duplicate_keys,
            )
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except (ValueError, UnicodeError, RecursionError) as error:
            raise exceptions.ParseError(f"The body is not valid JSON: {error}") from None
        return data
