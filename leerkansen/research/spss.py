"""A streaming writer of SPSS system files (.sav), in constant memory.

pyreadstat (ReadStat) can only write a .sav file from a whole DataFrame, so the dataset has to
be in memory at once. This module writes the file itself, row by row: what it holds at any
moment does not depend on the number of rows. pyreadstat stays the independent reader that
checks these files in the tests (and PSPP, where it is installed).

The records themselves (header, variable records, value labels, extension records, the
data) are written by spss_records.py, which also describes the format; this module holds the
public types, checks the variables and spools the rows.

The width of a string variable is in its variable record, before the data, and rows come
from an iterator: they are spooled once to a temporary file next to the output file
(batches of SPOOL_BATCH rows, pickled and lightly compressed: on disk the spool takes a
fraction of the .sav file's size) while the longest value of every text column is measured;
then the dictionary is written and the spooled rows are streamed into the data records.

Limits: a string value is at most 255 bytes (UTF-8) — longer ones raise ValueError, since
very long strings (record 7.14) are not supported; a variable label longer than 255 bytes and
a value label longer than 120 bytes (SPSS's maxima) are shortened at a word boundary and end
in "…" (`shorten`; the codebook keeps the full text); at most 3 user-missing values per
variable, and those of a string variable at most 8 bytes (SPSS's rule).
"""

from __future__ import annotations

import math
import pickle
import re
import struct
import tempfile
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO

from .spss_records import (
    MEASURES,
    SYSMIS,
    Column,
    Kind,
    Measure,
    case_packer,
    dictionary,
    shorten,
    truncate,
)

__all__ = ["Kind", "Measure", "SavVariable", "shorten", "truncate", "write_sav"]

# Limits of the format (bytes of UTF-8).
MAX_STRING_WIDTH = 255
MAX_VARIABLE_LABEL = 255
MAX_VALUE_LABEL = 120
MAX_NAME = 64
SHORT_NAME = 8
MAX_MISSING = 3
# Rows per pickled batch of the spool: small enough to keep memory low, large enough to keep
# the overhead per batch small.
SPOOL_BATCH = 2000
# zlib level of the spool: the fastest; coded answers shrink several times even so.
SPOOL_COMPRESSION = 1
# Bytes the output file buffers before it writes.
WRITE_BUFFER = 1 << 20

# Words SPSS reserves: no variable may be called so.
RESERVED = frozenset(
    {"ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO", "WITH"}
)
# A letter or @ first, then letters, digits and . _ $ # @.
_NAME = re.compile(r"(?:[^\W\d_]|@)[\w.$#@]*")


@dataclass(frozen=True)
class SavVariable:
    """One variable (column) of a .sav file.

    `kind`: "text" (a string, as wide as its longest value, code or missing value), "number"
    (shown without decimals, F8.0) or "decimal" (shown with two, F8.2); numbers are stored
    in full as float64 either way. `value_labels` maps codes (numbers, or strings for text)
    to labels; `missing` holds up to 3 user-missing codes. `measure` defaults to nominal for
    text and scale for numbers.
    """

    name: str
    label: str = ""
    kind: Kind = "number"
    value_labels: Mapping[int | float | str, str] = field(default_factory=dict)
    missing: tuple[int | float | str, ...] = ()
    measure: Measure | None = None


def write_sav(
    path: str | Path,
    variables: Sequence[SavVariable],
    rows: Iterable[Sequence],
    *,
    file_label: str = "",
    created: datetime | None = None,
) -> int:
    """Write `rows` (one value per variable, None for missing) as an SPSS .sav file.

    Numbers may be int or float (None and NaN become system-missing); text values are str
    (None becomes empty; other values are written as str(value)). Returns the number of
    cases written. Raises ValueError for invalid names, codes or values, before the output
    file is opened when it can (everything but a write error is found while spooling).
    """
    columns = _columns(variables)
    target = Path(path)
    with tempfile.TemporaryFile(dir=target.parent, prefix=".spool-", suffix=".tmp") as spool:
        count = _spool(rows, columns, spool)
        spool.seek(0)
        with target.open("wb", buffering=WRITE_BUFFER) as out:
            out.write(dictionary(columns, count, file_label, created or datetime.now()))
            _write_cases(out, columns, spool, count)
    return count


# The variables --------------------------------------------------------------------------


def _columns(variables: Sequence[SavVariable]) -> list[Column]:
    if not variables:
        raise ValueError("An SPSS file needs at least one variable.")
    columns: list[Column] = []
    seen: set[str] = set()
    for variable in variables:
        column = _column(variable)
        key = variable.name.upper()
        if key in seen:
            raise ValueError(f"Two variables are called {variable.name!r} (SPSS ignores case).")
        seen.add(key)
        columns.append(column)
    for column, short_name in zip(columns, _short_names(columns), strict=True):
        column.short_name = short_name
    return columns


def _column(variable: SavVariable) -> Column:
    name = variable.name
    if not _NAME.fullmatch(name) or name.upper() in RESERVED:
        raise ValueError(f"{name!r} is not a valid SPSS variable name.")
    if len(name.encode()) > MAX_NAME:
        raise ValueError(f"The variable name {name!r} is longer than {MAX_NAME} bytes.")
    if variable.kind not in ("text", "number", "decimal"):
        raise ValueError(f"{name}: unknown kind {variable.kind!r}.")
    if variable.measure is not None and variable.measure not in MEASURES:
        raise ValueError(f"{name}: unknown measurement level {variable.measure!r}.")
    if variable.kind == "text" and variable.measure == "scale":
        raise ValueError(f"{name}: a text variable is nominal or ordinal, not scale.")
    if len(variable.missing) > MAX_MISSING:
        raise ValueError(f"{name}: SPSS allows at most {MAX_MISSING} user-missing values.")
    column = Column(
        name=name.encode(),
        kind=variable.kind,
        measure=variable.measure or ("nominal" if variable.kind == "text" else "scale"),
        label=shorten(variable.label, MAX_VARIABLE_LABEL),
    )
    if column.is_text:
        column.width = 1
        for code, text in variable.value_labels.items():
            value = _text_code(name, code)
            column.width = max(column.width, len(value))
            column.value_labels.append((value, shorten(text, MAX_VALUE_LABEL)))
        for code in variable.missing:
            value = _text_code(name, code)
            if len(value) > SHORT_NAME:
                raise ValueError(
                    f"{name}: a user-missing string is at most 8 bytes in SPSS: {code!r}."
                )
            column.width = max(column.width, len(value))
            column.missing.append(value)
    else:
        column.value_labels = [
            (_number_code(name, code), shorten(text, MAX_VALUE_LABEL))
            for code, text in variable.value_labels.items()
        ]
        column.missing = [_number_code(name, code) for code in variable.missing]
    return column


def _text_code(name: str, code: object) -> bytes:
    if not isinstance(code, str):
        raise ValueError(f"{name}: the codes of a text variable are strings, not {code!r}.")
    value = code.encode()
    if len(value) > MAX_STRING_WIDTH:
        raise ValueError(f"{name}: the code {code!r} is longer than {MAX_STRING_WIDTH} bytes.")
    return value


def _number_code(name: str, code: object) -> float:
    if isinstance(code, bool) or not isinstance(code, int | float) or math.isnan(code):
        raise ValueError(f"{name}: the codes of a numeric variable are numbers, not {code!r}.")
    return float(code)


def _short_names(columns: Sequence[Column]) -> list[bytes]:
    """Unique names of at most 8 bytes, upper case, as SPSS makes them.

    A name that fits keeps its upper-case self; a longer one is cut to 8 bytes if that is
    still free, else cut shorter and given a number (POSTER_2). The long names record maps
    them back to the real names.
    """
    uppers = [truncate(column.name.decode().upper(), MAX_NAME) for column in columns]
    names: list[bytes | None] = [None] * len(columns)
    used: set[bytes] = set()
    for index, upper in enumerate(uppers):
        if len(upper) <= SHORT_NAME:
            names[index] = upper
            used.add(upper)
    for index, upper in enumerate(uppers):
        if names[index] is None:
            cut = truncate(upper.decode(), SHORT_NAME)
            if cut not in used:
                names[index] = cut
                used.add(cut)
    for index, upper in enumerate(uppers):
        number = 1
        while names[index] is None:
            suffix = f"_{number}".encode()
            candidate = truncate(upper.decode(), SHORT_NAME - len(suffix)) + suffix
            if candidate not in used:
                names[index] = candidate
                used.add(candidate)
            number += 1
    return [name for name in names if name is not None]


# The spool ------------------------------------------------------------------------------


def _spool(rows: Iterable[Sequence], columns: list[Column], spool: IO[bytes]) -> int:
    """Pickle the rows, in batches, as they will be written: numbers as floats (SYSMIS for
    missing), text as UTF-8 bytes; measure the text columns on the way. Returns the count."""
    numbers = [index for index, column in enumerate(columns) if not column.is_text]
    texts = [index for index, column in enumerate(columns) if column.is_text]
    widths = [column.width for column in columns]
    size = len(columns)
    batch: list[list] = []
    count = 0
    for row in rows:
        values = list(row)
        if len(values) != size:
            raise ValueError(f"Row {count + 1} has {len(values)} values, not {size}.")
        for index in numbers:
            value = values[index]
            if value is None:
                values[index] = SYSMIS
            elif type(value) is not float:
                values[index] = _number(columns[index], value, count + 1)
            elif value != value:  # NaN
                values[index] = SYSMIS
        for index in texts:
            value = values[index]
            if value is None:
                values[index] = b""
                continue
            data = (value if type(value) is str else str(value)).encode()
            values[index] = data
            if len(data) > widths[index]:
                if len(data) > MAX_STRING_WIDTH:
                    raise ValueError(
                        f"{columns[index].name.decode()}, row {count + 1}: a value of "
                        f"{len(data)} bytes; SPSS strings are at most {MAX_STRING_WIDTH}."
                    )
                widths[index] = len(data)
        batch.append(values)
        count += 1
        if len(batch) == SPOOL_BATCH:
            _dump(batch, spool)
            batch = []
    if batch:
        _dump(batch, spool)
    for column, width in zip(columns, widths, strict=True):
        column.width = width
    return count


def _dump(batch: list[list], spool: IO[bytes]) -> None:
    data = zlib.compress(pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL), SPOOL_COMPRESSION)
    spool.write(struct.pack("<Q", len(data)))
    spool.write(data)


def _load(spool: IO[bytes]) -> list[list]:
    (size,) = struct.unpack("<Q", spool.read(8))
    # Our own spool, written just now: nothing else can have put data in it.
    return pickle.loads(zlib.decompress(spool.read(size)))  # noqa: S301


def _number(column: Column, value: object, row: int) -> float:
    if isinstance(value, str | bytes):
        raise ValueError(f"{column.name.decode()}, row {row}: {value!r} is not a number.")
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{column.name.decode()}, row {row}: {value!r} is not a number.") from None
    return SYSMIS if math.isnan(number) else number


# The data -------------------------------------------------------------------------------


def _write_cases(out: IO[bytes], columns: list[Column], spool: IO[bytes], count: int) -> None:
    """Stream the spooled rows into the data records, one batch at a time."""
    pack = case_packer(columns)
    remaining = count
    while remaining > 0:
        batch = _load(spool)
        remaining -= len(batch)
        out.write(pack(batch))
        # Before the next batch is loaded, not after: one batch in memory at a time.
        del batch
