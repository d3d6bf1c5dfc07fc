"""The records of an SPSS system file (.sav): the bytes the streaming writer (spss.py) writes.

This module knows the format and nothing about where the rows come from: spss.py checks the
variables, spools the rows and measures the text columns, then asks for the dictionary
(`dictionary`) and for the data records of each batch of rows (`case_packer`).

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
"""

from __future__ import annotations

import math
import struct
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Kind = Literal["text", "number", "decimal"]
Measure = Literal["nominal", "ordinal", "scale"]

SYSMIS = -sys.float_info.max
HIGHEST = sys.float_info.max
LOWEST = math.nextafter(-sys.float_info.max, 0.0)

PRODUCT = b"@(#) SPSS DATA FILE leerkansen"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# The measurement levels as record 7.11 codes them.
MEASURES: dict[str, int] = {"nominal": 1, "ordinal": 2, "scale": 3}

_FORMAT_A = 1
_FORMAT_F = 5
_ALIGN_LEFT, _ALIGN_RIGHT = 0, 1


@dataclass
class Column:
    """A variable as it is written: checked, encoded, named and (for text) measured."""

    name: bytes
    kind: Kind
    measure: Measure
    short_name: bytes = b""
    label: bytes = b""
    # Text: bytes of the longest value so far (at least 1); numbers: 0.
    width: int = 0
    # (code as stored, label) — a code is a float or the string's bytes.
    value_labels: list[tuple[float | bytes, bytes]] = field(default_factory=list)
    missing: list[float | bytes] = field(default_factory=list)

    @property
    def is_text(self) -> bool:
        return self.kind == "text"

    @property
    def storage(self) -> int:
        """Bytes per case: 8 for a number, the width rounded up to 8 for a string."""
        return (self.width + 7) // 8 * 8 if self.is_text else 8

    @property
    def format(self) -> int:
        """The print and write format: A<width>, F8.0 or F8.2."""
        if self.is_text:
            return (_FORMAT_A << 16) | (self.width << 8)
        return (_FORMAT_F << 16) | (8 << 8) | (2 if self.kind == "decimal" else 0)


def truncate(text: str, limit: int) -> bytes:
    """`text` as UTF-8, cut to at most `limit` bytes without splitting a character."""
    data = text.encode()
    if len(data) <= limit:
        return data
    return data[:limit].decode("utf-8", "ignore").encode()


ELLIPSIS = "…"
# Left at the end of a shortened label: they would dangle before the ellipsis.
_DANGLING = " \t\n,;:-–—(/"


def shorten(text: str, limit: int) -> bytes:
    """`text` as UTF-8 in at most `limit` bytes, cut at a word boundary and ended with "…".

    A text that fits is returned whole. A longer one keeps its words up to the last space
    that leaves room for the ellipsis, without a dangling comma or bracket; only a first word
    longer than the limit is cut within the word (on a character boundary).
    """
    data = text.encode()
    if len(data) <= limit:
        return data
    room = limit - len(ELLIPSIS.encode())
    head = truncate(text, room).decode()
    # Cut within a word unless the next character starts a new one.
    if not text[len(head) : len(head) + 1].isspace():
        space = max(head.rfind(" "), head.rfind("\t"), head.rfind("\n"))
        if space > 0:
            head = head[:space]
    kept = head.rstrip(_DANGLING) or head
    return (kept + ELLIPSIS).encode()


# The dictionary -------------------------------------------------------------------------


def dictionary(columns: list[Column], count: int, file_label: str, created: datetime) -> bytes:
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


def _header(columns: list[Column], count: int, file_label: str, created: datetime) -> bytes:
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


def _variable_record(column: Column) -> bytes:
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


def _value_label_records(columns: list[Column]) -> list[bytes]:
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


def _display(column: Column) -> bytes:
    if column.is_text:
        return struct.pack(
            "<3i", MEASURES[column.measure], max(8, min(column.width, 40)), _ALIGN_LEFT
        )
    return struct.pack("<3i", MEASURES[column.measure], 8, _ALIGN_RIGHT)


def _long_value_labels(columns: list[Column]) -> list[bytes]:
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


def _long_missing(columns: list[Column]) -> list[bytes]:
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


def case_packer(columns: Sequence[Column]) -> Callable[[list[list]], bytes]:
    """A function that turns a batch of rows into their data records.

    A row holds its values as they are stored: numbers as floats (SYSMIS for missing), text
    as UTF-8 bytes no wider than its column. The text values are padded in place, so the
    batch is not copied.
    """
    layout = "".join(f"{column.storage}s" if column.is_text else "d" for column in columns)
    case = struct.Struct("<" + layout)
    texts = [(index, column.storage) for index, column in enumerate(columns) if column.is_text]

    def pack(batch: list[list]) -> bytes:
        for values in batch:
            for index, storage in texts:
                values[index] = values[index].ljust(storage)
        return b"".join([case.pack(*values) for values in batch])

    return pack
