"""CSV files for trainers. Every CSV the site writes goes through `csv_response`, so every
cell is neutralised the same way before a spreadsheet opens it."""

import csv
from collections.abc import Iterable

from django.http import HttpResponse

# A spreadsheet runs a cell that starts with one of these as a formula, so a trainee named
# "=HYPERLINK(...)" would become a link in the trainer's Excel.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value as a spreadsheet should show it: text that could start a formula is
    prefixed with a single quote; numbers are left as numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_response(filename: str, rows: Iterable[Iterable]) -> HttpResponse:
    """An attachment with the rows (header first) as UTF-8 CSV that Excel opens correctly."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # so Excel opens the Japanese text as UTF-8
    writer = csv.writer(response)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return response
