"""A streaming writer of SPSS system files (.sav), in constant memory.

pyreadstat (ReadStat) can only write a .sav file from a whole DataFrame, so the dataset has to
be in memory at once. This module writes the file itself, row by row: what it holds at any
moment does not depend on the number of rows. pyreadstat stays the independent reader that
checks these files in the tests (and PSPP, where it is installed).

The format (the PSPP developers' guide, "System File Format", describes every record):

- a file header record ($FL2: product, case size, compression, number of cases, date, label);
- one variable record (type 2) per variable, plus one continuation record for every further
  8 bytes of a string wider than 8; each with its print/write format, short name (8 bytes),
  variable label and discrete user-missing values;
- value labels (type 3) with the variables they apply to (type 4), for numbers and strings
  of at most 8 bytes;
- extension records (type 7): machine integer info (3, with character code 65001: UTF-8),
  machine floating point info (4), variable display parameters (11: measurement level,
  column width, alignment), long variable names (13), character encoding (20: "UTF-8"),
  value labels of strings wider than 8 bytes (21), their user-missing values (22) and the
  number of cases as a 64-bit integer (16);
- the dictionary termination record (999);
- the cases, uncompressed: per variable a little-endian float64 (system-missing is -DBL_MAX)
  or the string's bytes padded with spaces to a multiple of 8.

The width of a string variable is in its variable record, before the data, and rows come
from an iterator: they are spooled once to a temporary file next to the output file
(batches of SPOOL_BATCH rows, pickled and lightly compressed: on disk the spool takes a
fraction of the .sav file's size) while the longest value of every text column is measured;
then the dictionary is written and the spooled rows are streamed into the data records.

Limits: a string value is at most 255 bytes (UTF-8) — longer ones raise ValueError, since
very long strings (record 7.14) are not supported; a variable label is cut to 255 bytes and a
value label to 120 bytes (SPSS's maxima), on a character boundary; at most 3 user-missing
values per variable, and those of a string variable at most 8 bytes (SPSS's rule).
"""

from __future__ import annotations

import math
import pickle
import re
import struct
import sys
import tempfile
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Literal

Kind = Literal["text", "number", "decimal"]
Measure = Literal["nominal", "ordinal", "scale"]

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

SYSMIS = -sys.float_info.max
HIGHEST = sys.float_info.max
LOWEST = math.nextafter(-sys.float_info.max, 0.0)

PRODUCT = b"@(#) SPSS DATA FILE leerkansen"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Words SPSS reserves: no variable may be called so.
RESERVED = frozenset(
    {"ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO", "WITH"}
)
# A letter or @ first, then letters, digits and . _ $ # @.
_NAME = re.compile(r"(?:[^\W\d_]|@)[\w.$#@]*")

_FORMAT_A = 1
_FORMAT_F = 5
_MEASURES: dict[str, int] = {"nominal": 1, "ordinal": 2, "scale": 3}
_ALIGN_LEFT, _ALIGN_RIGHT = 0, 1


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


@dataclass
class _Column:
    """A variable as it is written: encoded, named and (for text) measured."""

    variable: SavVariable
    name: bytes
    short_name: bytes = b""
    label: bytes = b""
    # Text: bytes of the longest value so far (at least 1); numbers: 0.
    width: int = 0
    # (code as stored, label) — a code is a float or the string's bytes.
    value_labels: list[tuple[float | bytes, bytes]] = field(default_factory=list)
    missing: list[float | bytes] = field(default_factory=list)

    @property
    def is_text(self) -> bool:
        return self.variable.kind == "text"

    @property
    def storage(self) -> int:
        """Bytes per case: 8 for a number, the width rounded up to 8 for a string."""
        return (self.width + 7) // 8 * 8 if self.is_text else 8

    @property
    def format(self) -> int:
        """The print and write format: A<width>, F8.0 or F8.2."""
        if self.is_text:
            return (_FORMAT_A << 16) | (self.width << 8)
        return (_FORMAT_F << 16) | (8 << 8) | (2 if self.variable.kind == "decimal" else 0)


def truncate(text: str, limit: int) -> bytes:
    """`text` as UTF-8, cut to at most `limit` bytes without splitting a character."""
    data = text.encode()
    if len(data) <= limit:
        return data
    return data[:limit].decode("utf-8", "ignore").encode()


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
            out.write(_dictionary(columns, count, file_label, created or datetime.now()))
            _write_cases(out, columns, spool, count)
    return count


# The variables --------------------------------------------------------------------------


def _columns(variables: Sequence[SavVariable]) -> list[_Column]:
    if not variables:
        raise ValueError("An SPSS file needs at least one variable.")
    columns: list[_Column] = []
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


def _column(variable: SavVariable) -> _Column:
    name = variable.name
    if not _NAME.fullmatch(name) or name.upper() in RESERVED:
        raise ValueError(f"{name!r} is not a valid SPSS variable name.")
    if len(name.encode()) > MAX_NAME:
        raise ValueError(f"The variable name {name!r} is longer than {MAX_NAME} bytes.")
    if variable.kind not in ("text", "number", "decimal"):
        raise ValueError(f"{name}: unknown kind {variable.kind!r}.")
    if variable.measure is not None and variable.measure not in _MEASURES:
        raise ValueError(f"{name}: unknown measurement level {variable.measure!r}.")
    if variable.kind == "text" and variable.measure == "scale":
        raise ValueError(f"{name}: a text variable is nominal or ordinal, not scale.")
    if len(variable.missing) > MAX_MISSING:
        raise ValueError(f"{name}: SPSS allows at most {MAX_MISSING} user-missing values.")
    column = _Column(
        variable, name=name.encode(), label=truncate(variable.label, MAX_VARIABLE_LABEL)
    )
    if column.is_text:
        column.width = 1
        for code, text in variable.value_labels.items():
            value = _text_code(name, code)
            column.width = max(column.width, len(value))
            column.value_labels.append((value, truncate(text, MAX_VALUE_LABEL)))
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
            (_number_code(name, code), truncate(text, MAX_VALUE_LABEL))
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


def _short_names(columns: Sequence[_Column]) -> list[bytes]:
    """Unique names of at most 8 bytes, upper case, as SPSS makes them.

    A name that fits keeps its upper-case self; a longer one is cut to 8 bytes if that is
    still free, else cut shorter and given a number (POSTER_2). The long names record maps
    them back to the real names.
    """
    uppers = [truncate(column.variable.name.upper(), MAX_NAME) for column in columns]
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


def _spool(rows: Iterable[Sequence], columns: list[_Column], spool: IO[bytes]) -> int:
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
                        f"{columns[index].variable.name}, row {count + 1}: a value of "
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


def _number(column: _Column, value: object, row: int) -> float:
    if isinstance(value, str | bytes):
        raise ValueError(f"{column.variable.name}, row {row}: {value!r} is not a number.")
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{column.variable.name}, row {row}: {value!r} is not a number.") from None
    return SYSMIS if math.isnan(number) else number


# The dictionary -------------------------------------------------------------------------


def _dictionary(columns: list[_Column], count: int, file_label: str, created: datetime) -> bytes:
    """Every record before the data, in the order SPSS writes them."""
    parts = [_header(columns, count, file_label, created)]
    parts += [_variable_record(column) for column in columns]
    parts += _value_label_records(columns)
    parts += [
        _extension(3, 4, struct.pack("<8i", 20, 0, 0, -1, 1, 1, 2, 65001)),
        _extension(4, 8, struct.pack("<3d", SYSMIS, HIGHEST, LOWEST)),
        _extension(11, 4, b"".join(_display(column) for column in columns)),
        _extension(13, 1, b"\t".join(c.short_name + b"=" + c.name for c in columns)),
        _extension(20, 1, b"UTF-8"),
    ]
    parts += _long_value_labels(columns)
    parts += _long_missing(columns)
    parts.append(_extension(16, 8, struct.pack("<2q", 1, count)))
    parts.append(struct.pack("<2i", 999, 0))
    return b"".join(parts)


def _header(columns: list[_Column], count: int, file_label: str, created: datetime) -> bytes:
    case_size = sum(column.storage for column in columns) // 8
    date = f"{created.day:02d} {MONTHS[created.month - 1]} {created.year % 100:02d}"
    return struct.pack(
        "<4s60s5id9s8s64s3x",
        b"$FL2",
        PRODUCT.ljust(60),
        2,  # layout code
        case_size,
        0,  # not compressed
        0,  # not weighted
        count if count < 2**31 else -1,
        100.0,  # compression bias
        date.encode(),
        f"{created:%H:%M:%S}".encode(),
        truncate(file_label, 64).ljust(64),
    )


def _variable_record(column: _Column) -> bytes:
    # Long strings have their user-missing values in record 7.22, not here.
    short_missing = column.missing if not column.is_text or column.width <= 8 else []
    parts = [
        struct.pack(
            "<6i8s",
            2,
            column.width if column.is_text else 0,
            int(bool(column.label)),
            len(short_missing),
            column.format,
            column.format,
            column.short_name.ljust(8),
        )
    ]
    if column.label:
        parts.append(struct.pack("<i", len(column.label)))
        parts.append(column.label.ljust((len(column.label) + 3) // 4 * 4))
    parts += [_value8(value) for value in short_missing]
    continuation = struct.pack("<6i8s", 2, -1, 0, 0, 0, 0, b" " * 8)
    parts += [continuation] * (column.storage // 8 - 1)
    return b"".join(parts)


def _value8(value: float | bytes) -> bytes:
    """A number or a short string as the 8 bytes of a missing value or value label."""
    if isinstance(value, bytes):
        return value.ljust(8)
    return struct.pack("<d", value)


def _value_label_records(columns: list[_Column]) -> list[bytes]:
    """Records 3 and 4 for numbers and strings of at most 8 bytes; variables with the same
    labels share one record."""
    shared: dict[tuple, list[int]] = {}
    position = 1  # dictionary index: 1-based, counting continuation records
    for column in columns:
        if column.value_labels and column.storage == 8:
            key = (column.is_text, tuple(column.value_labels))
            shared.setdefault(key, []).append(position)
        position += column.storage // 8
    records = []
    for (_is_text, labels), positions in shared.items():
        parts = [struct.pack("<2i", 3, len(labels))]
        for value, label in labels:
            padding = -(len(label) + 1) % 8
            parts.append(_value8(value) + bytes([len(label)]) + label + b" " * padding)
        parts.append(struct.pack(f"<2i{len(positions)}i", 4, len(positions), *positions))
        records.append(b"".join(parts))
    return records


def _display(column: _Column) -> bytes:
    measure = column.variable.measure or ("nominal" if column.is_text else "scale")
    if column.is_text:
        return struct.pack("<3i", _MEASURES[measure], max(8, min(column.width, 40)), _ALIGN_LEFT)
    return struct.pack("<3i", _MEASURES[measure], 8, _ALIGN_RIGHT)


def _long_value_labels(columns: list[_Column]) -> list[bytes]:
    """Record 7.21: the value labels of strings wider than 8 bytes, all in one record."""
    parts = []
    for column in columns:
        if not column.is_text or column.width <= 8 or not column.value_labels:
            continue
        width = column.width
        parts += [
            struct.pack("<i", len(column.name)),
            column.name,
            struct.pack("<2i", width, len(column.value_labels)),
        ]
        for value, label in column.value_labels:
            assert isinstance(value, bytes)
            parts += [
                struct.pack("<i", width),
                value.ljust(width),
                struct.pack("<i", len(label)),
                label,
            ]
    return [_extension(21, 1, b"".join(parts))] if parts else []


def _long_missing(columns: list[_Column]) -> list[bytes]:
    """Record 7.22: the user-missing values of strings wider than 8 bytes, all in one record
    (each value is 8 bytes, padded)."""
    parts = []
    for column in columns:
        if not column.is_text or column.width <= 8 or not column.missing:
            continue
        parts += [
            struct.pack("<i", len(column.name)),
            column.name,
            bytes([len(column.missing)]),
            struct.pack("<i", 8),
            *(_value8(value) for value in column.missing),
        ]
    return [_extension(22, 1, b"".join(parts))] if parts else []


def _extension(subtype: int, size: int, data: bytes) -> bytes:
    """An extension record (type 7): `len(data) // size` items of `size` bytes."""
    return struct.pack("<4i", 7, subtype, size, len(data) // size) + data


# The data -------------------------------------------------------------------------------


def _write_cases(out: IO[bytes], columns: list[_Column], spool: IO[bytes], count: int) -> None:
    """Stream the spooled rows into the data records, one batch at a time."""
    layout = "".join(f"{column.storage}s" if column.is_text else "d" for column in columns)
    case = struct.Struct("<" + layout)
    texts = [(index, column.storage) for index, column in enumerate(columns) if column.is_text]
    remaining = count
    while remaining > 0:
        batch = _load(spool)
        remaining -= len(batch)
        for values in batch:
            for index, storage in texts:
                values[index] = values[index].ljust(storage)
        out.write(b"".join([case.pack(*values) for values in batch]))
        # Before the next batch is loaded, not after: one batch in memory at a time.
        del batch
