"""Hot, fixed-shape reads compiled to SQL once per process (issue 25).

Building a queryset and compiling it (lookups resolved, joins set up, the SELECT list and its
converters worked out) costs more CPU than running a one-row index lookup: about 0.5 ms of the
API key lookup that every /api/v1 request makes, and about a quarter of a list page such as the
Customers page. `CompiledQuery` keeps the ORM's own query as the one definition: the first call
builds and compiles it with placeholder values and remembers the SQL and the compiler; later calls
run that SQL with their own values and turn the rows into what iterating the queryset gives (model
instances with their `select_related` models and the fields' converters, or the dicts, tuples or
flat values of `.values()` / `.values_list()`).

The varying values are strings, integers, UUIDs and time-zone-aware datetimes that reach the
statement as they are: CharField, integer and UUID lookups, `__in` lists of them, foreign keys by id,
"now" for an annotation comparing a time, and a slice's bounds (`[offset:offset + limit]`: Django
writes LIMIT and OFFSET into the SQL; the compiled statement takes them as parameters, so one
statement serves every page). The query is compiled twice with two different sets of placeholders,
and refused (`CompiledQueryError`) unless both give the same statement and every other parameter is
the same: a value that is transformed (`upper()`, `icontains`'s `%...%`; a string placeholder holds
the characters a LIKE lookup escapes), dropped, or changes the statement's shape cannot pass; naive
datetimes, booleans, floats and None are refused. What else the query's shape depends on (which
filters, the ordering) is the `shape` argument: one compiled statement per shape and kinds of
values, at most `max_shapes` of them (past that, the ORM runs the queryset as it is). Anything a
query depends on beyond its values and shape (a setting) must not change while the process runs.
A query that locks (`select_for_update`) keeps Django's check that it runs inside a transaction.

Only PostgreSQL (production, the tests, the benches) runs compiled statements: on another database
(SQLite, the embedded default of `make run`, adapts datetimes and UUIDs to text) the ORM runs the
queryset as it is, with the same results.
"""

from __future__ import annotations

import copy
import re
import uuid
from collections.abc import Callable, Hashable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.transaction import TransactionManagementError

if TYPE_CHECKING:
    from django.db.models.sql.compiler import SQLCompiler

M = TypeVar("M", bound=Model)
Value = Any  # str, int, uuid.UUID or an aware datetime (checked by `_kind`)

# Two sets of placeholders: a string or an integer of each set must reach the statement unchanged,
# and the statement must not otherwise depend on which set was used. The integers are odd, inside
# PostgreSQL's `integer` range (an out-of-range integer lookup compiles to "no rows") and unlike
# any constant a query holds.
_STRING_PLACEHOLDERS = ("\x00compiled-query-value-%_\\-{}\x00", "\x00compiled-query-other-%_\\-{}\x00")
_INTEGER_PLACEHOLDERS = (1_987_650_001, 1_876_540_001)
_UUID_PLACEHOLDERS = (0xC04D11ED_0000_4000_8000_000000000000, 0xC04D11ED_1111_4000_8000_000000000000)  # plus the position
_TIME_PLACEHOLDERS = (datetime(1001, 2, 3, 4, 5, 6, tzinfo=UTC), datetime(1002, 3, 4, 5, 6, 7, tzinfo=UTC))  # + position µs


class CompiledQueryError(ValueError):
    """The query's parameters are not the values given (a value was transformed or is not a parameter),
    or a value is of a kind a compiled query does not take."""


def _kind(value: object) -> type:
    if isinstance(value, str):  # a str choice too (CharField lookups take it as it is)
        return str
    kind = type(value)
    if kind is int or kind is uuid.UUID:  # not bool: a flag is not a key
        return kind
    if kind is datetime:
        if value.utcoffset() is None:  # type: ignore[attr-defined]
            raise CompiledQueryError("a compiled query takes time-zone-aware datetimes only (the ORM would convert a naive one)")
        return datetime
    raise CompiledQueryError(f"a compiled query takes str, int, UUID and aware datetime values, not {kind.__name__}")


def _kinds(values: tuple[Any, ...]) -> tuple[type, ...]:
    return tuple(_kind(value) for value in values)


def _compiles(alias: str) -> bool:
    return connections[alias].vendor == "postgresql"


class _Compiled:
    """Stands in for a Query: hands the iterable a compiler that already holds its SQL (and answers
    the rest, e.g. the names of `.values()` columns, from the compiled query)."""

    def __init__(self, compiler: SQLCompiler, query: Any) -> None:
        self._compiler = compiler
        self._query = query

    def get_compiler(self, using: str | None = None, connection: Any = None, elide_empty: bool = True) -> SQLCompiler:
        return self._compiler

    def __getattr__(self, name: str) -> Any:
        return getattr(self._query, name)


class CompiledQuery(Generic[M]):
    """`build(values)` (or `build(values, shape)` when fetched with a shape) is the queryset, built
    from a tuple of strings and integers; `fetch(values)` (`fetch(values, shape)`) its rows."""

    def __init__(self, build: Callable[..., QuerySet[M, Any]], *, max_shapes: int = 64) -> None:
        self._build = build
        self._max_shapes = max_shapes
        self._statements: dict[Hashable, _Statement] = {}  # one compilation per shape and kinds of values

    def queryset(self, values: Sequence[Value], shape: Hashable = None) -> QuerySet[M, Any]:
        """The queryset itself (the ORM's path, for comparing or for what the compiled one cannot do)."""
        return self._build(tuple(values)) if shape is None else self._build(tuple(values), shape)

    def _alias(self, values: tuple[Any, ...], shape: Hashable) -> str:
        return self.queryset(values, shape).db

    def fetch(self, values: Sequence[Value], shape: Hashable = None) -> list[Any]:
        values = tuple(values)
        kinds = _kinds(values)
        key = (shape, kinds)
        statement = self._statements.get(key)
        if statement is None:
            if len(self._statements) >= self._max_shapes or not _compiles(self._alias(values, shape)):
                return list(self.queryset(values, shape))
            statement = self._statements[key] = _Statement(lambda placeholders: self.queryset(placeholders, shape), kinds)
        return statement.fetch(values)


class CompiledCount(CompiledQuery[Any]):
    """`count(values)` (`count(values, shape)`) is `build(values).count()`: the statement Django runs
    for it (for a sliced queryset, `SELECT COUNT(*) FROM (... LIMIT n)`), compiled once per shape."""

    def __init__(self, build: Callable[..., QuerySet[Any, Any]], *, max_shapes: int = 64) -> None:
        super().__init__(build, max_shapes=max_shapes)
        self._counts: dict[Hashable, _CountStatement] = {}

    def count(self, values: Sequence[Value], shape: Hashable = None) -> int:
        values = tuple(values)
        kinds = _kinds(values)
        key = (shape, kinds)
        statement = self._counts.get(key)
        if statement is None:
            if len(self._counts) >= self._max_shapes or not _compiles(self._alias(values, shape)):
                return self.queryset(values, shape).count()
            statement = self._counts[key] = _CountStatement(lambda placeholders: self.queryset(placeholders, shape), kinds)
        return statement.count(values)


def _placeholder(kind: type, variant: int, position: int) -> Value:
    if kind is int:
        return _INTEGER_PLACEHOLDERS[variant] + 2 * position
    if kind is uuid.UUID:
        return uuid.UUID(int=_UUID_PLACEHOLDERS[variant] + position)
    if kind is datetime:
        return _TIME_PLACEHOLDERS[variant] + timedelta(microseconds=position)
    return _STRING_PLACEHOLDERS[variant].format(position)


def _placeholders(kinds: tuple[type, ...], variant: int) -> tuple[Value, ...]:
    return tuple(_placeholder(kind, variant, i) for i, kind in enumerate(kinds))


def _parametrised(sql: str, params: Sequence[Any], placeholders: tuple[Value, ...]) -> tuple[str, list[Any]]:
    """The SQL with every integer placeholder Django wrote into it (LIMIT, OFFSET) made a parameter."""
    literals = [str(p) for p in placeholders if type(p) is int]
    if not literals:
        return sql, list(params)
    pattern = re.compile(r"%%|%s|(?<![\w.])(" + "|".join(literals) + r")(?![\w.])")
    pieces: list[str] = []
    out: list[Any] = []
    given = iter(params)
    end = 0
    for match in pattern.finditer(sql):
        pieces.append(sql[end:match.start()])
        end = match.end()
        if match.group(1) is not None:
            pieces.append("%s")
            out.append(int(match.group(1)))
        else:
            pieces.append(match.group(0))
            if match.group(0) == "%s":
                out.append(next(given))
    pieces.append(sql[end:])
    if next(given, given) is not given:
        raise CompiledQueryError(f"the statement's parameters do not match its placeholders: {sql}")
    return "".join(pieces), out


def _same(placeholder: Value, param: Any) -> bool:
    if isinstance(placeholder, str):
        return isinstance(param, str) and param == placeholder
    return type(param) is type(placeholder) and param == placeholder


class _Statement:
    def __init__(self, build: Callable[[tuple[Value, ...]], QuerySet[Any, Any]], kinds: tuple[type, ...]) -> None:
        try:
            compiled = [self._compile(build, kinds, variant) for variant in (0, 1)]
        except (TypeError, ValueError) as error:  # a value of a kind its lookup does not take (a string for an id)
            if isinstance(error, CompiledQueryError):
                raise
            raise CompiledQueryError(f"a value does not fit its lookup: {error}") from error
        (self.sql, self.sources, self.constants, self.compiler, queryset), other = compiled[0], compiled[1][:3]
        if other != (self.sql, self.sources, self.constants):
            raise CompiledQueryError(f"the statement depends on its values otherwise than as parameters: {self.sql}")
        if {s for s in self.sources if s is not None} != set(range(len(kinds))):
            raise CompiledQueryError(f"each value must be a parameter of the statement: {self.sql}")
        self.alias = queryset.db
        self.model = queryset.model
        self.query = queryset.query
        self.locks = bool(queryset.query.select_for_update)
        # The columns' converters (backend's and fields'), as `results_iter` asks for them on every run:
        # the same SELECT list each time, so worked out once per connection object.
        self.converters: tuple[Any, Any] = (None, None)
        self.iterable_class = queryset._iterable_class
        self.fields = queryset._fields

    @staticmethod
    def _compile(build: Callable[[tuple[Value, ...]], QuerySet[Any, Any]], kinds: tuple[type, ...], variant: int) -> tuple[Any, ...]:
        placeholders = _placeholders(kinds, variant)
        queryset = build(placeholders)
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()  # also sets up the SELECT list and its converters
        sql, params = _parametrised(sql, params, placeholders)
        sources = [next((i for i, p in enumerate(placeholders) if _same(p, param)), None) for param in params]
        constants = tuple(None if source is not None else param for source, param in zip(sources, params, strict=True))
        return sql, sources, constants, compiler, queryset

    def fetch(self, values: tuple[Value, ...]) -> list[Any]:
        sql = self.sql
        params = tuple(constant if source is None else values[source] for source, constant in zip(self.sources, self.constants, strict=True))
        connection = connections[self.alias]  # this thread's connection
        if self.locks and connection.get_autocommit():  # what the compiler's as_sql would have refused
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        compiler = copy.copy(self.compiler)
        compiler.connection = connection
        compiler.as_sql = lambda *args, **kwargs: (sql, params)
        owner, converters = self.converters
        if owner is not connection:
            converters = compiler.get_converters([s[0] for s in compiler.select[0:compiler.col_count]])
            self.converters = (connection, converters)
        compiler.get_converters = lambda expressions: converters
        queryset: QuerySet[Any, Any] = QuerySet(model=self.model, query=_Compiled(compiler, self.query), using=self.alias)  # type: ignore[arg-type]
        queryset._iterable_class = self.iterable_class
        queryset._fields = self.fields  # type: ignore[attr-defined]
        return list(queryset)


class _Captured(Exception):
    def __init__(self, sql: str, params: Sequence[Any]) -> None:
        super().__init__(sql)
        self.sql, self.params = sql, params


def _statement_of(run: Callable[[], Any], alias: str) -> tuple[str, Sequence[Any]]:
    """The first statement `run()` executes, stopped before it reaches the database (and unseen by the
    connection's other execute wrappers and its query log)."""
    connection = connections[alias]

    def capture(execute: Any, sql: str, params: Sequence[Any], many: bool, context: Any) -> Any:
        raise _Captured(sql, params)

    connection.execute_wrappers.insert(0, capture)  # the outermost wrapper
    force_debug_cursor, connection.force_debug_cursor = connection.force_debug_cursor, False
    logged = len(connection.queries_log)
    try:
        run()
    except _Captured as captured:
        return captured.sql, captured.params
    finally:
        connection.execute_wrappers.remove(capture)
        connection.force_debug_cursor = force_debug_cursor
        while len(connection.queries_log) > logged:  # with DEBUG = True the debug cursor logged it
            connection.queries_log.pop()
    raise CompiledQueryError("the query ran no statement")


class _CountStatement:
    def __init__(self, build: Callable[[tuple[Value, ...]], QuerySet[Any, Any]], kinds: tuple[type, ...]) -> None:
        try:
            compiled = [self._compile(build, kinds, variant) for variant in (0, 1)]
        except (TypeError, ValueError) as error:  # a value of a kind its lookup does not take (a string for an id)
            if isinstance(error, CompiledQueryError):
                raise
            raise CompiledQueryError(f"a value does not fit its lookup: {error}") from error
        (self.sql, self.sources, self.constants, self.alias), other = compiled[0], compiled[1][:3]
        if other != (self.sql, self.sources, self.constants):
            raise CompiledQueryError(f"the statement depends on its values otherwise than as parameters: {self.sql}")
        if {s for s in self.sources if s is not None} != set(range(len(kinds))):
            raise CompiledQueryError(f"each value must be a parameter of the statement: {self.sql}")

    @staticmethod
    def _compile(build: Callable[[tuple[Value, ...]], QuerySet[Any, Any]], kinds: tuple[type, ...], variant: int) -> tuple[Any, ...]:
        placeholders = _placeholders(kinds, variant)
        queryset = build(placeholders)
        sql, params = _statement_of(queryset.count, queryset.db)
        sql, params = _parametrised(sql, params, placeholders)
        sources = [next((i for i, p in enumerate(placeholders) if _same(p, param)), None) for param in params]
        constants = tuple(None if source is not None else param for source, param in zip(sources, params, strict=True))
        return sql, sources, constants, queryset.db

    def count(self, values: tuple[Value, ...]) -> int:
        params = tuple(constant if source is None else values[source] for source, constant in zip(self.sources, self.constants, strict=True))
        with connections[self.alias].cursor() as cursor:
            cursor.execute(self.sql, params)
            row = cursor.fetchone()
        return int(row[0] or 0) if row else 0
