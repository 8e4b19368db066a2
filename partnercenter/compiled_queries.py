"""Hot, fixed-shape reads compiled to SQL once per process (issue 25).

Building a queryset and compiling it (lookups resolved, joins set up, the SELECT list and its
converters worked out) costs more CPU than running a one-row index lookup: about 0.5 ms of the
API key lookup that every /api/v1 request makes, ~2 ms each of the acceptance page's two offer
lookups (select_related and annotations). `CompiledQuery` keeps the ORM's own query as the one
definition: the first call builds and compiles it with placeholder values and remembers the SQL and
the compiler; later calls run that SQL with their own values and turn the rows into instances (with
`select_related` models, annotations and the fields' converters) exactly as iterating the queryset
would.

The varying values may be strings, integers, UUIDs and time-zone-aware datetimes (e.g. "now" for an
annotation comparing a time, a user's primary key, a tenant id), each compared as it is: the placeholders must
reach the statement's parameters unchanged, and each exactly once, which the first compilation checks
(per number and kinds of values). A string placeholder holds the characters a LIKE/iexact lookup
escapes (`%`, `_`, `\\`), so a lookup that rewrites its value is refused rather than compiled with a
value the later calls would not get rewritten; an integer placeholder is refused by a lookup that
would turn it into something else. Anything else a query depends on (a setting) must not change while
the process runs. The result is a list of instances; to filter or slice further, use the ORM.

A query that locks (`select_for_update`) keeps Django's check that it runs inside a transaction.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.transaction import TransactionManagementError

if TYPE_CHECKING:
    from django.db.models.sql.compiler import SQLCompiler

M = TypeVar("M", bound=Model)

_STRING_PLACEHOLDER = "\x00compiled-query-value-%_\\-{}\x00"
_INT_PLACEHOLDER = -1_987_654_321  # minus the value's position: inside every integer column's range, unlike any real key
_TIME_PLACEHOLDER = datetime(1001, 2, 3, 4, 5, 6, 0, tzinfo=UTC)  # plus the value's position in microseconds
_UUID_PLACEHOLDER = 0xC0_4D_11ED_0000_4000_8000_0000_0000_0000  # plus the value's position


class CompiledQueryError(ValueError):
    """The query's parameters are not the values given (a value was transformed or is not a parameter),
    or a value is of a kind a compiled query does not take."""


def _kind(value: object) -> str:
    kind = type(value)
    if isinstance(value, str):  # a str choice too (CharField lookups take it as it is)
        return "str"
    if kind is int:  # not bool: a flag is not a key
        return "int"
    if kind is datetime:
        if value.utcoffset() is None:  # type: ignore[attr-defined]
            raise CompiledQueryError("a compiled query takes time-zone-aware datetimes only (the ORM would convert a naive one)")
        return "datetime"
    if kind is uuid.UUID:
        return "uuid"
    raise CompiledQueryError(f"a compiled query takes str, int, UUID and aware datetime values, not {kind.__name__}")


def _placeholder(kind: str, position: int) -> object:
    if kind == "str":
        return _STRING_PLACEHOLDER.format(position)
    if kind == "int":
        return _INT_PLACEHOLDER - position
    if kind == "uuid":
        return uuid.UUID(int=_UUID_PLACEHOLDER + position)
    return _TIME_PLACEHOLDER + timedelta(microseconds=position)


def _same(param: object, placeholder: object) -> bool:
    return type(param) is type(placeholder) and param == placeholder


class _Compiled:
    """Stands in for a Query: hands the iterable a compiler that already holds its SQL."""

    def __init__(self, compiler: SQLCompiler) -> None:
        self._compiler = compiler

    def get_compiler(self, using: str | None = None, connection: Any = None, elide_empty: bool = True) -> SQLCompiler:
        return self._compiler


class CompiledQuery(Generic[M]):
    """`build(values)` is the queryset, built from a tuple of values; `fetch(values)` its rows."""

    def __init__(self, build: Callable[[tuple[Any, ...]], QuerySet[M]]) -> None:
        self._build = build
        self._by_shape: dict[tuple[str, ...], _Statement] = {}  # one compilation per number and kinds of values

    def fetch(self, values: Sequence[Any]) -> list[M]:
        values = tuple(values)
        shape = tuple(_kind(value) for value in values)
        statement = self._by_shape.get(shape)
        if statement is None:
            statement = self._by_shape[shape] = _Statement(self._build, shape)
        return statement.fetch(values)


class _Statement:
    def __init__(self, build: Callable[[tuple[Any, ...]], QuerySet[Any]], shape: tuple[str, ...]) -> None:
        placeholders = tuple(_placeholder(kind, i) for i, kind in enumerate(shape))
        queryset = build(placeholders)
        self.alias = queryset.db
        self.model = queryset.model
        self.locks = bool(queryset.query.select_for_update)
        self.compiler = queryset.query.get_compiler(using=self.alias)
        self.sql, params = self.compiler.as_sql()  # also sets up the SELECT list and its converters
        self.sources = [next((i for i, p in enumerate(placeholders) if _same(param, p)), None) for param in params]
        if sorted(s for s in self.sources if s is not None) != list(range(len(shape))):
            raise CompiledQueryError(f"each value must be one parameter of the statement, as given: {self.sql}")
        self.constants = tuple(params)

    def fetch(self, values: tuple[Any, ...]) -> list[Any]:
        sql = self.sql
        params = tuple(constant if source is None else values[source] for source, constant in zip(self.sources, self.constants, strict=True))
        connection = connections[self.alias]  # this thread's connection
        if self.locks and connection.get_autocommit():  # what the compiler's as_sql would have refused
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        compiler = copy.copy(self.compiler)
        compiler.connection = connection
        compiler.as_sql = lambda *args, **kwargs: (sql, params)
        return list(QuerySet(model=self.model, query=_Compiled(compiler), using=self.alias))  # type: ignore[arg-type]
