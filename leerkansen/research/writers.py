"""Writers of the research exports: CSV in pieces, XLSX row by row (xlsx.py), SPSS .sav
(spss.py), each with an optional progress hook.

Every text cell a spreadsheet could run as a formula is neutralised the way defusedcsv does it
(CSV and XLSX agree), and control characters are dropped from every text cell (lib.text): XML
cannot hold them and no reader expects them. Only text needs either: numbers and empty cells
go as they are, and the work for a text is done once per distinct text (a large export has
millions of cells, mostly the same few codes).

A progress hook is called with the number of rows written so far: every PROGRESS_ROWS rows
while the rows are read, and once more when the file is complete.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from numbers import Number
from pathlib import Path
from typing import IO

from leerkansen.lib.text import clean_cell, clean_text

from . import spss
from .codebook import Variable, measure_of
from .xlsx import Book

Row = list
Progress = Callable[[int], None]

# Rows per piece of a streamed CSV: large enough to keep the overhead per piece small.
CSV_ROWS_PER_PIECE = 500
# A worksheet holds at most this many rows; a longer dataset continues on a next sheet.
XLSX_MAX_ROWS = 1_048_576
# How often a progress hook hears of the rows written.
PROGRESS_ROWS = 2000
FORMULA_START = ("@", "+", "-", "=", "|", "%")
_NUMBER = re.compile(r"^-?[0-9,\.]+$")
# Distinct texts whose safe form is kept; the cache is emptied when it grows past this.
TEXT_CACHE_SIZE = 50_000


def escape_formula(value: object) -> object:
    """A string a spreadsheet would run as a formula gets a leading quote ("'=1+1").

    The same rule as defusedcsv, which wrote the CSV files before, so that XLSX and CSV agree.
    """
    if isinstance(value, str) and value[:1] in FORMULA_START and not _NUMBER.match(value):
        return "'" + value.replace("|", "\\|")
    return value


class _SafeTexts(dict):
    """Text → the text without control characters and neutralised as a formula, cached."""

    def __missing__(self, value: str) -> str:
        safe = escape_formula(clean_text(value))
        if len(self) >= TEXT_CACHE_SIZE:
            self.clear()
        self[value] = safe
        return safe


def _safe_row(texts: _SafeTexts) -> Callable[[Sequence], list]:
    """A function making one row safe: text cleaned and neutralised, the rest as it is. A
    value neither text, number nor empty is written as its text (as defusedcsv did)."""

    def safe(row: Sequence) -> list:
        cells = fast_cells(row)
        if _PLAIN.issuperset(map(type, cells)):
            # The usual case: every value text, int, float, bool or empty.
            return cells
        for index, value in enumerate(cells):
            if value.__class__ in _PLAIN or (
                isinstance(value, Number) and not isinstance(value, str)
            ):
                continue
            # A kind of text (str subclass) or of something else: as its text, made safe.
            cells[index] = texts[str(value)]
        return cells

    def fast_cells(row: Sequence) -> list:
        return [texts[value] if value.__class__ is str else value for value in row]

    return safe


_PLAIN = frozenset({str, int, float, bool, type(None)})


class RowCounter:
    """Counts the rows that pass through and tells a progress hook: every PROGRESS_ROWS
    rows once the writer has taken them, and the total at done() (when the file is
    complete), so the numbers it hears only go up and end at the total (0 for no rows)."""

    def __init__(self, progress: Progress | None):
        self.progress = progress
        self.count = 0
        self.told = -1

    def rows(self, rows: Iterable[Row]) -> Iterator[Row]:
        progress = self.progress
        for row in rows:
            yield row
            # The writer asked for the next row: this one is written.
            self.count += 1
            if progress is not None and self.count % PROGRESS_ROWS == 0:
                self.told = self.count
                progress(self.count)

    def done(self) -> None:
        if self.progress is not None and self.count != self.told:
            self.told = self.count
            self.progress(self.count)


def csv_pieces(
    header: Sequence[str], rows: Iterable[Sequence], *, progress: Progress | None = None
) -> Iterator[str]:
    """The CSV text in pieces of CSV_ROWS_PER_PIECE rows, for a streaming response."""
    counter = RowCounter(progress)
    safe = _safe_row(_SafeTexts())
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(safe(header))
    block = []
    for row in counter.rows(rows):
        block.append(safe(row))
        if len(block) == CSV_ROWS_PER_PIECE:
            writer.writerows(block)
            block = []
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    writer.writerows(block)
    if buffer.tell():
        yield buffer.getvalue()
    counter.done()


def write_csv(
    path: str | Path, header: Sequence[str], rows: Iterable[Sequence], *, progress=None
) -> None:
    """The same bytes as csv_pieces sends (UTF-8, no byte order mark), written to a file."""
    with open(path, "w", encoding="utf-8", newline="") as out:
        for piece in csv_pieces(header, rows, progress=progress):
            out.write(piece)


def write_xlsx(
    target: str | Path | IO[bytes], sheets: Iterable[tuple[str, Sequence, Iterable]]
) -> None:
    """Write (title, header, rows) sheets row by row (xlsx.py)."""
    safe = _safe_row(_SafeTexts())
    book = Book(target)
    try:
        for title, header, rows in sheets:
            remaining = iter(rows)
            part = 1
            while True:
                first = next(remaining, _END)
                if first is _END and part > 1:
                    break
                name = title if part == 1 else f"{title} ({part})"
                book.add_sheet(name, _sheet_rows(safe, header, first, remaining))
                part += 1
    finally:
        book.close()


_END = object()


def _sheet_rows(safe, header: Sequence, first, rest: Iterator[Row]) -> Iterator[list]:
    """The header, then up to XLSX_MAX_ROWS - 1 rows: `first` (unless _END) and the next
    ones of `rest`."""
    yield safe(header)
    if first is _END:
        return
    yield safe(first)
    for _index, row in zip(range(XLSX_MAX_ROWS - 2), rest, strict=False):
        yield safe(row)


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


def write_sav(
    path: str | Path,
    variables: Sequence[Variable],
    rows: Iterable[Row],
    *,
    progress: Progress | None = None,
) -> None:
    """An SPSS file with variable labels, value labels and "weet niet" as user-missing.

    Written in constant memory (spss.write_sav): the rows are spooled once to a temporary
    file to learn the widths of the text columns, then streamed into the .sav file;
    `progress` hears of the rows as they are spooled, and of the total when the file is done.
    """
    counter = RowCounter(progress)
    spss.write_sav(
        path,
        [sav_variable(variable) for variable in variables],
        ([clean_cell(value) for value in row] for row in counter.rows(rows)),
    )
    counter.done()
