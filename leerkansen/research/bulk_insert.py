"""Writing many rows fast: COPY on PostgreSQL, one INSERT per thousands of rows on SQLite.

For the simulation's millions of answers, Django's bulk_create spends most of its time building
model instances. `insert_rows` takes plain tuples of values that are ready for the database (a
JSON value through `json_value`, a date through `date_value`) and fills every other column
with the field's default, as bulk_create would (a unique default such as a code is made anew
for every row; auto_now(_add) takes the time of the call).
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import date
from functools import partial

from django.db import connection, models
from django.utils import timezone


def json_value(value: object) -> object:
    return connection.ops.adapt_json_value(value, None)


def date_value(value: date) -> object:
    return connection.ops.adapt_datefield_value(value)


def _filled(model: type[models.Model], given: Sequence[str]) -> tuple[list, list, list]:
    """The fields not given: (field, constant) pairs and fields made anew per row."""
    now = timezone.now()
    constants, per_row = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key and isinstance(field, models.AutoField | models.BigAutoField):
            continue
        if field.attname in given:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = now if isinstance(field, models.DateTimeField) else timezone.localdate(now)
            constants.append((field, value))
        elif field.unique and field.has_default() and callable(field.default):
            per_row.append(field)
        else:
            # The default, else "" for a text field and None for the others (Django's rule).
            constants.append((field, field.get_default()))
    prepared = [field.get_db_prep_save(value, connection) for field, value in constants]
    return [field for field, _value in constants], prepared, per_row


def _max_variables() -> int:
    raw = connection.connection
    if isinstance(raw, sqlite3.Connection) and hasattr(raw, "getlimit"):
        return raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return connection.features.max_query_params or 999


def insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence],
    *,
    returning: bool = False,
) -> list[int]:
    """Insert `rows` (values of `columns`, by attname) into `model`'s table.

    With `returning`, the new primary keys in the order of the rows (as bulk_create gets them:
    INSERT … RETURNING, which keeps the order of VALUES, on SQLite; on PostgreSQL the keys are
    taken from the table's sequence first and the rows copied with them, `_copy_with_ids`).
    """
    connection.ensure_connection()
    constant_fields, constants, per_row = _filled(model, columns)
    quote = connection.ops.quote_name
    names = [*columns, *(f.column for f in constant_fields), *(f.column for f in per_row)]
    target = f"{quote(model._meta.db_table)} ({', '.join(quote(name) for name in names)})"
    postgres = connection.vendor == "postgresql"
    constants = tuple(constants)

    def complete(row: Sequence) -> tuple:
        if not per_row:
            return (*row, *constants)
        made = [f.get_db_prep_save(f.get_default(), connection) for f in per_row]
        return (*row, *constants, *made)

    # The database's own cursor: Django's debug cursor (DEBUG = True) would log every
    # statement with its thousands of values, which takes longer than the insert itself.
    # Table and column names come from the model, quoted; every value is a parameter.
    with connection.cursor() as wrapper, connection.wrap_database_errors:
        cursor = wrapper.cursor
        if postgres:
            if not returning:
                with cursor.copy(f"COPY {target} FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(complete(row))
                return []
            return _copy_with_ids(cursor, model, names, map(complete, rows))
        # Multi-row VALUES: on SQLite about three times as fast as executemany. SQLite's own
        # placeholders, so that Django's cursor need not rewrite each long statement.
        size = max(1, _max_variables() // len(names))
        execute = partial(sqlite3.Cursor.execute, cursor)
        one = "(" + ", ".join(["?"] * len(names)) + ")"
        end = f" RETURNING {quote(model._meta.pk.column)}" if returning else ""
        ids: list[int] = []
        completed = map(complete, rows)
        while batch := list(itertools.islice(completed, size)):
            values = ", ".join([one] * len(batch))
            execute(
                f"INSERT INTO {target} VALUES {values}{end}",  # noqa: S608
                list(itertools.chain.from_iterable(batch)),
            )
            if returning:
                ids += [row[0] for row in cursor.fetchall()]
    return ids


def _copy_with_ids(cursor, model: type[models.Model], names: list[str], rows) -> list[int]:
    """COPY rows with primary keys taken from the table's sequence beforehand (PostgreSQL).

    Three times as fast as INSERT … RETURNING in batches: one query for the keys, then COPY.
    Taking values with nextval is what a default-valued insert does, so concurrent inserts
    into the same table keep getting their own keys.
    """
    rows = list(rows)
    if not rows:
        return []
    quote = connection.ops.quote_name
    table, pk = model._meta.db_table, model._meta.pk.column
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
        [quote(table), pk, len(rows)],
    )
    ids = sorted(row[0] for row in cursor.fetchall())
    columns = ", ".join(quote(name) for name in (pk, *names))
    with cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy:
        for key, row in zip(ids, rows, strict=True):
            copy.write_row((key, *row))
    return ids
