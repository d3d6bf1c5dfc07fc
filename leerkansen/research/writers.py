"""Writers of the research exports: CSV in pieces, XLSX row by row, SPSS .sav (spss.py).

Every text cell a spreadsheet could run as a formula is neutralised the way defusedcsv does it
(CSV and XLSX agree), and control characters are dropped from every text cell (lib.text): XML
cannot hold them and no reader expects them.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO

import defusedcsv.csv as csv
from openpyxl import Workbook

from leerkansen.lib.text import clean_cell, clean_text

from . import spss
from .codebook import Variable, measure_of

Row = list

# Rows per piece of a streamed CSV: large enough to keep the overhead per piece small.
CSV_ROWS_PER_PIECE = 500
# A worksheet holds at most this many rows; a longer dataset continues on a next sheet.
XLSX_MAX_ROWS = 1_048_576
FORMULA_START = ("@", "+", "-", "=", "|", "%")
_NUMBER = re.compile(r"^-?[0-9,\.]+$")


def escape_formula(value: object) -> object:
    """A string a spreadsheet would run as a formula gets a leading quote ("'=1+1").

    The same rule as defusedcsv, which writes the CSV files, so that XLSX and CSV agree.
    """
    if isinstance(value, str) and value[:1] in FORMULA_START and not _NUMBER.match(value):
        return "'" + value.replace("|", "\\|")
    return value


def csv_pieces(header: Sequence[str], rows: Iterable[Sequence]) -> Iterator[str]:
    """The CSV text in pieces of CSV_ROWS_PER_PIECE rows, for a streaming response."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for count, row in enumerate(rows, start=1):
        writer.writerow([clean_cell(value) for value in row])
        if count % CSV_ROWS_PER_PIECE == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def _xlsx_row(row: Sequence) -> list:
    # Only text needs work; numbers and empty cells go as they are (the fast path counts:
    # a large export has millions of cells).
    return [_xlsx_text(value) if isinstance(value, str) else value for value in row]


def _xlsx_text(value: str) -> object:
    # Control characters first: XML cannot hold them (openpyxl would refuse the whole file).
    return escape_formula(clean_text(value))


def write_xlsx(target: str | Path | IO[bytes], sheets: Iterable[tuple[str, Sequence, Iterable]]):
    """Write (title, header, rows) sheets in openpyxl's write-only mode (row by row)."""
    workbook = Workbook(write_only=True)
    for title, header, rows in sheets:
        part, used = 1, XLSX_MAX_ROWS
        for row in rows:
            if used == XLSX_MAX_ROWS:
                sheet = workbook.create_sheet(title if part == 1 else f"{title} ({part})")
                sheet.append(_xlsx_row(header))
                part, used = part + 1, 1
            sheet.append(_xlsx_row(row))
            used += 1
        if part == 1:
            workbook.create_sheet(title).append(_xlsx_row(header))
    workbook.save(target)


def sav_variable(variable: Variable) -> spss.SavVariable:
    """The SPSS side of a variable: label, value labels, "weet niet" as user-missing and the
    measurement level. The codes of a text variable are strings, as its values are."""

    def code(value: int | str) -> int | str:
        return str(value) if variable.kind == "text" else value

    return spss.SavVariable(
        name=variable.name,
        label=variable.label,
        kind=variable.kind,
        value_labels={code(value): label for value, label in variable.values.items()},
        missing=tuple(code(value) for value in variable.missing),
        measure=measure_of(variable),
    )


def write_sav(path: str | Path, variables: Sequence[Variable], rows: Iterable[Row]) -> None:
    """An SPSS file with variable labels, value labels and "weet niet" as user-missing.

    Written in constant memory (spss.write_sav): the rows are spooled once to a temporary
    file to learn the widths of the text columns, then streamed into the .sav file.
    """
    spss.write_sav(
        path,
        [sav_variable(variable) for variable in variables],
        ([clean_cell(value) for value in row] for row in rows),
    )
