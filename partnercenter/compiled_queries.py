"""Hot, fixed-shape reads compiled to SQL once per process (issue 25).

Building a queryset and compiling it (lookups resolved, joins set up, the SELECT list and its
converters worked out) costs more CPU than running a one-row index lookup: about 0.5 ms of the
API key lookup that every /api/v1 request makes. `CompiledQuery` keeps the ORM's own query as the
one definition: the first call builds and compiles it with placeholder values and remembers the SQL
and the compiler; later calls run that SQL with their own values and turn the rows into instances
(with `select_related` models and the fields' converters) exactly as iterating the queryset would.

Only for queries whose varying values are all strings compared as they are (CharField lookups,
`__in` lists of them), or, with `kind=int`, all integers compared as they are (an integer primary
key or foreign key): the placeholders must reach the statement's parameters unchanged, which the
first compilation checks. Anything else a query depends on (a time, a setting) must not change
while the process runs. The result is a list of instances; to filter or slice further, use the ORM.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.db import connections
from django.db.models import Model, QuerySet

if TYPE_CHECKING:
    from django.db.models.sql.compiler import SQLCompiler

M = TypeVar("M", bound=Model)

_PLACEHOLDER = "\x00compiled-query-value-{}\x00"
# Integer placeholders: inside every integer column's range (so no lookup turns them into an empty
# result) and no value a row or a constant of a hot query has.
_INT_PLACEHOLDER = -2_000_000_000


def _placeholders(kind: type, count: int) -> tuple[str | int, ...]:
    if kind is int:
        return tuple(_INT_PLACEHOLDER - i for i in range(count))
    return tuple(_PLACEHOLDER.format(i) for i in range(count))


class CompiledQueryError(ValueError):
    """The query's parameters are not the values given (a value was transformed or is not a parameter)."""


class _Compiled:
    """Stands in for a Query: hands the iterable a compiler that already holds its SQL."""

    def __init__(self, compiler: SQLCompiler) -> None:
        self._compiler = compiler

    def get_compiler(self, using: str | None = None, connection: Any = None, elide_empty: bool = True) -> SQLCompiler:
        return self._compiler


class CompiledQuery(Generic[M]):
    """`build(values)` is the queryset, built from a tuple of strings (or of ints, `kind=int`);
    `fetch(values)` its rows."""

    def __init__(self, build: Callable[[tuple[Any, ...]], QuerySet[M]], *, kind: type = str) -> None:
        if kind not in (str, int):
            raise CompiledQueryError(f"values must be strings or integers, not {kind}")
        self._build = build
        self._kind = kind
        self._by_count: dict[int, _Statement] = {}  # one compilation per number of values

    def fetch(self, values: Sequence[Any]) -> list[M]:
        values = tuple(values)
        if self._kind is int and any(not isinstance(value, int) or isinstance(value, bool) for value in values):
            raise CompiledQueryError(f"every value must be an int: {values!r}")
        statement = self._by_count.get(len(values))
        if statement is None:
            statement = self._by_count[len(values)] = _Statement(self._build, len(values), self._kind)
        return statement.fetch(values)


class _Statement:
    def __init__(self, build: Callable[[tuple[Any, ...]], QuerySet[Any]], count: int, kind: type) -> None:
        placeholders = _placeholders(kind, count)
        queryset = build(placeholders)
        self.alias = queryset.db
        self.model = queryset.model
        self.compiler = queryset.query.get_compiler(using=self.alias)
        self.sql, params = self.compiler.as_sql()  # also sets up the SELECT list and its converters
        self.sources = [placeholders.index(p) if isinstance(p, kind) and not isinstance(p, bool) and p in placeholders else None for p in params]
        if sorted(s for s in self.sources if s is not None) != list(range(count)):
            raise CompiledQueryError(f"each value must be one parameter of the statement: {self.sql}")
        self.constants = tuple(params)
        # The columns' converters (backend's and fields'), as `results_iter` asks for them on every run:
        # the same SELECT list each time, so worked out once per connection object.
        self.converters: tuple[Any, Any] = (None, None)

    def fetch(self, values: tuple[Any, ...]) -> list[Any]:
        sql = self.sql
        params = tuple(constant if source is None else values[source] for source, constant in zip(self.sources, self.constants, strict=True))
        compiler = copy.copy(self.compiler)
        connection = compiler.connection = connections[self.alias]  # this thread's connection
        compiler.as_sql = lambda *args, **kwargs: (sql, params)
        owner, converters = self.converters
        if owner is not connection:
            converters = compiler.get_converters([s[0] for s in compiler.select[0:compiler.col_count]])
            self.converters = (connection, converters)
        compiler.get_converters = lambda expressions: converters
        return list(QuerySet(model=self.model, query=_Compiled(compiler), using=self.alias))  # type: ignore[arg-type]
