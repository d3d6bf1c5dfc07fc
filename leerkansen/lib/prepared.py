"""A query the ORM compiles once per process and database, then runs with new values.

Building and compiling a queryset costs 0.2–0.35 ms, more than running it: on a page that is
one indexed lookup (the stored report) it is most of the view. A `Prepared` query is written
as an ordinary queryset, built once with stand-in values (markers); the SQL and the positions
of the markers among its parameters are kept, and each call runs that SQL with the real
values in their place. The query is exactly the queryset's, with the same filters.

Only for querysets whose SQL does not depend on the values (exact lookups on non-null
values, no lists, no None) and whose selected columns need no conversion from the database
(ids, text, `Utf8`): the rows are the driver's own. The markers must be values no real call uses
(compiling checks that each appears among the parameters, and each call that its values are
of the markers' types).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connections
from django.db.models import BinaryField, Func, QuerySet


@dataclass(frozen=True)
class _Compiled:
    sql: str
    # Per parameter: the index of the value that goes there, or None for a constant.
    slots: tuple[int | None, ...]
    constants: tuple[object, ...]


class Prepared:
    def __init__(self, build: Callable[..., QuerySet], *markers: object) -> None:
        self._build = build
        self._markers = markers
        self._compiled: dict[str, _Compiled] = {}

    def rows(self, *values: object, using: str = "default") -> list[tuple]:
        if len(values) != len(self._markers):
            raise TypeError(f"expected {len(self._markers)} values, got {len(values)}")
        for value, marker in zip(values, self._markers, strict=True):
            if type(value) is not type(marker):
                raise TypeError(f"{value!r} is not of the type of {marker!r}")
        compiled = self._compiled.get(using) or self._compile(using)
        params = [
            constant if slot is None else values[slot]
            for slot, constant in zip(compiled.slots, compiled.constants, strict=True)
        ]
        with connections[using].cursor() as cursor:
            cursor.execute(compiled.sql, params)
            return cursor.fetchall()

    def _compile(self, using: str) -> _Compiled:
        queryset = self._build(*self._markers)
        sql, params = queryset.query.get_compiler(using=using).as_sql()
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
        compiled = _Compiled(sql, tuple(slots), tuple(params))
        self._compiled[using] = compiled
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
