"""CSV and JSON exports that are safe to open in a spreadsheet.

CSV files begin with a UTF-8 byte-order mark, so a spreadsheet opens names such as "Côte
d'Ivoire" or "Direction générale" as they are written.
"""

import csv
from collections.abc import Iterable, Iterator

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse

BOM = "\ufeff"

# A cell starting with one of these is read by spreadsheets as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


def spreadsheet_safe(value) -> str:
    """The cell's text, with a leading apostrophe when a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_response(filename: str, header: list[str], rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write(BOM)
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([spreadsheet_safe(value) for value in row])
    return response


def json_response(filename: str, data: dict) -> JsonResponse:
    response = JsonResponse(data, encoder=DjangoJSONEncoder, json_dumps_params={"indent": 1})
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


class _Line:
    """A file-like object whose ``write`` returns the line, for streaming ``csv.writer``."""

    def write(self, value: str) -> str:
        return value


def csv_stream(filename: str, header: list[str], rows: Iterable) -> StreamingHttpResponse:
    """A CSV download written while it is read, so a long export never sits whole in memory."""
    writer = csv.writer(_Line())

    def lines() -> Iterator[str]:
        yield BOM + writer.writerow(header)
        for row in rows:
            yield writer.writerow([spreadsheet_safe(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def json_stream(filename: str, head: dict, key: str, items: Iterable) -> StreamingHttpResponse:
    """``head`` with ``key`` holding the items as a JSON array, streamed one item at a time."""
    encoder = DjangoJSONEncoder(ensure_ascii=False)

    def chunks() -> Iterator[str]:
        opening = encoder.encode({**head, key: []})
        yield opening[:-2]  # everything up to the empty array's "]}"
        for n, item in enumerate(items):
            yield ("," if n else "") + encoder.encode(item)
        yield "]}"

    response = StreamingHttpResponse(chunks(), content_type="application/json")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
