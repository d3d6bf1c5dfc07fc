"""A query the ORM compiles once per process and database, then runs with new values.

Building and compiling a queryset costs 0.2–0.35 ms, more than running it: on a page that is
one indexed lookup (the stored report) it is most of the view. A `Prepared` query is written
as an ordinary queryset, built once with stand-in values (markers); the SQL and the positions
of the markers among its parameters are kept, and each call runs that SQL with the real
values in their place. The query is exactly the queryset's, with the same filters.

Only for querysets whose SQL does not depend on the values (exact lookups on non-null
values, no lists, no None). `rows()` gives the driver's own rows: for selected columns that need
no conversion from the database (ids, text, `Utf8`). `instances()` gives model instances, each
column converted as the ORM converts it (booleans and dates on SQLite), for a queryset of one
model without select_related or annotations. The markers must be values no real call uses
(compiling checks that each appears among the parameters, and each call that its values are
of the markers' types).

The SQL is compiled once per database connection object (one per thread and alias), since the
converters belong to the connection that compiled them.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import BinaryField, Func, Model, QuerySet
from django.db.models.query import ModelIterable
from django.db.models.sql.compiler import SQLCompiler


@dataclass(frozen=True)
class _Compiled:
    sql: str
    # Per parameter: the index of the value that goes there, or None for a constant.
    slots: tuple[int | None, ...]
    constants: tuple[object, ...]
    compiler: SQLCompiler
    # For instances(): whether the query selects its model's fields alone, the model, the
    # attribute of each selected column, their converters.
    whole_model: bool
    model: type[Model]
    attributes: tuple[str, ...]
    converters: dict[int, Any]


class Prepared:
    def __init__(self, build: Callable[..., QuerySet], *markers: object) -> None:
        self._build = build
        self._markers = markers
        self._compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def rows(self, *values: object, using: str = "default") -> list[tuple]:
        return self._run(self._compiled_for(using), values, using)

    def instances(self, *values: object, using: str = "default") -> list[Model]:
        compiled = self._compiled_for(using)
        if not compiled.whole_model:
            raise TypeError("instances() needs a queryset of model instances, nothing joined in")
        rows = self._run(compiled, values, using)
        if compiled.converters:
            rows = compiled.compiler.apply_converters(rows, compiled.converters)
        return [compiled.model.from_db(using, compiled.attributes, row) for row in rows]

    def _run(self, compiled: _Compiled, values: tuple, using: str) -> list[tuple]:
        if len(values) != len(self._markers):
            raise TypeError(f"expected {len(self._markers)} values, got {len(values)}")
        for value, marker in zip(values, self._markers, strict=True):
            if type(value) is not type(marker):
                raise TypeError(f"{value!r} is not of the type of {marker!r}")
        params = [
            constant if slot is None else values[slot]
            for slot, constant in zip(compiled.slots, compiled.constants, strict=True)
        ]
        with connections[using].cursor() as cursor:
            cursor.execute(compiled.sql, params)
            return cursor.fetchall()

    def _compiled_for(self, using: str) -> _Compiled:
        connection = connections[using]
        return self._compiled.get(connection) or self._compile(using, connection)

    def _compile(self, using: str, connection) -> _Compiled:
        queryset = self._build(*self._markers)
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        slots: list[int | None] = []
        for param in params:
            found = [
                index
                for index, marker in enumerate(self._markers)
                if type(param) is type(marker) and param == marker
            ]
            slots.append(found[0] if found else None)
        missing = set(range(len(self._markers))) - set(slots)
        if missing:
            names = ", ".join(repr(self._markers[index]) for index in sorted(missing))
            raise ValueError(f"the query does not use the marker(s) {names} as parameters")
        columns = [column for column, _sql, _alias in compiler.select]
        compiled = _Compiled(
            sql,
            tuple(slots),
            tuple(params),
            compiler,
            queryset._iterable_class is ModelIterable
            and not (compiler.klass_info or {}).get("related_klass_infos")
            and not compiler.annotation_col_map,
            queryset.model,
            tuple(getattr(getattr(column, "target", None), "attname", "") for column in columns),
            compiler.get_converters(columns),
        )
        self._compiled[connection] = compiled
        return compiled


class Utf8(Func):
    """A text column as its UTF-8 bytes where the database gives them cheaply: a page that
    only passes a stored text on (the report body) then skips decoding it and encoding it
    again. SQLite: CAST AS BLOB (bytes). PostgreSQL: the text as is (a str), since its
    convert_to cost 0.8 ms for a 90 kB report body, more than the decoding it saves (and
    ::bytea would read backslashes in the text as escapes). So: bytes or str."""

    output_field = BinaryField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="CAST(%(expressions)s AS BLOB)", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return compiler.compile(self.source_expressions[0])
