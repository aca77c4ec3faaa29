"""CSV and JSON exports that are safe to open in a spreadsheet."""

import csv

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, JsonResponse

# A cell starting with one of these is read by spreadsheets as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


def spreadsheet_safe(value) -> str:
    """The cell's text, with a leading apostrophe when a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_response(filename: str, header: list[str], rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([spreadsheet_safe(value) for value in row])
    return response


def json_response(filename: str, data: dict) -> JsonResponse:
    response = JsonResponse(data, encoder=DjangoJSONEncoder, json_dumps_params={"indent": 1})
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
