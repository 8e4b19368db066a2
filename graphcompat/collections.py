"""OData query options: on collections $top, $skiptoken, $count, $select and (where offered) $filter /
$orderby; on single entities $select only. Anything else, and any value outside an enum, is a 400.

`$skiptoken` is opaque to clients: a signed offset into the same ordering, so it cannot be forged
into another query. nextLink is absolute and keeps every other option of the request.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.core import signing
from django.utils.translation import gettext as _

from graphcompat.errors import GraphError

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.http import HttpRequest

MAX_TOP = 300
DEFAULT_TOP = 100
SKIPTOKEN_SALT = "graphcompat.skiptoken"
_CLAUSE = re.compile(r"^\s*(?P<name>[A-Za-z/]+)\s+eq\s+'(?P<value>(?:[^']|'')*)'\s*$")
_ORDER = re.compile(r"^\s*(?P<name>[A-Za-z]+)(?:\s+(?P<direction>asc|desc))?\s*$")


def invalid(message: str) -> GraphError:
    return GraphError(400, "invalidRequest", message)


@dataclass
class CollectionQuery:
    top: int = DEFAULT_TOP
    offset: int = 0
    count: bool = False
    filters: dict[str, str] = field(default_factory=dict)
    orderby: list[tuple[str, bool]] = field(default_factory=list)  # (name, descending)
    select: list[str] = field(default_factory=list)


def _no_nul(request: HttpRequest) -> None:
    if any("\x00" in value for _name, values in request.GET.lists() for value in values):
        raise invalid(_("Query options must not contain NUL characters."))


def parse_select(text: str, selectable: frozenset[str]) -> list[str]:
    names = [name.strip() for name in text.split(",")]
    if not names or any(name not in selectable for name in names):
        raise invalid(_("$select supports: %(names)s.") % {"names": ", ".join(sorted(selectable))})
    return names


def parse_single(request: HttpRequest, *, selectable: frozenset[str]) -> list[str]:
    """A single entity's options: only $select (unknown options are a 400, never ignored)."""
    _no_nul(request)
    unknown = sorted(set(request.GET) - {"$select"})
    if unknown:
        raise invalid(_("Unsupported query option: %(names)s.") % {"names": ", ".join(unknown)})
    return parse_select(request.GET["$select"], selectable) if "$select" in request.GET else []


def parse_query(request: HttpRequest, *, filterable: Mapping[str, tuple[str, ...] | None] | None = None,
                orderable: frozenset[str] = frozenset(), selectable: frozenset[str] = frozenset(),
                count_only: bool = False) -> CollectionQuery:
    """Validated options; anything unknown or malformed is a 400 `invalidRequest` (never ignored).

    `filterable` maps a property to its enum values (None: any text); `count_only` is /$count,
    which takes $filter alone."""
    params = request.GET
    filterable = filterable or {}
    _no_nul(request)
    if count_only:
        allowed = {"$filter"} if filterable else set()
    else:
        allowed = ({"$top", "$skiptoken", "$count"} | ({"$filter"} if filterable else set())
                   | ({"$orderby"} if orderable else set()) | ({"$select"} if selectable else set()))
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise invalid(_("Unsupported query option: %(names)s.") % {"names": ", ".join(unknown)})
    query = CollectionQuery()
    if "$top" in params:
        text = params["$top"]
        if not text.isdigit() or not 1 <= int(text) <= MAX_TOP:
            raise invalid(_("$top must be a number from 1 to 300."))
        query.top = int(text)
    if "$count" in params:
        if params["$count"] not in {"true", "false"}:
            raise invalid(_("$count must be true or false."))
        query.count = params["$count"] == "true"
    if "$skiptoken" in params:
        try:
            query.offset = int(signing.loads(params["$skiptoken"], salt=SKIPTOKEN_SALT)["o"])
        except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
            raise invalid(_("The $skiptoken is not valid.")) from exc
    if "$filter" in params:
        for clause in re.split(r"\s+and\s+", params["$filter"].strip()):
            match = _CLAUSE.match(clause)
            if match is None or match["name"] not in filterable or match["name"] in query.filters:
                raise invalid(_("Supported filters: %(names)s, each as name eq 'value', joined with and.")
                              % {"names": ", ".join(sorted(filterable))})
            value = match["value"].replace("''", "'")
            choices = filterable[match["name"]]
            if choices is not None and value not in choices:
                raise invalid(_("%(name)s must be one of: %(values)s.") % {"name": match["name"], "values": ", ".join(choices)})
            query.filters[match["name"]] = value
    if "$select" in params:
        query.select = parse_select(params["$select"], selectable)
    if "$orderby" in params:
        for term in params["$orderby"].split(","):
            match = _ORDER.match(term)
            if match is None or match["name"] not in orderable:
                raise invalid(_("$orderby supports: %(names)s (asc or desc).") % {"names": ", ".join(sorted(orderable))})
            query.orderby.append((match["name"], match["direction"] == "desc"))
    return query


def page(request: HttpRequest, queryset: QuerySet, query: CollectionQuery, *, context: str,
         represent: Any) -> dict[str, Any]:
    """One page as Graph answers it: value, absolute nextLink while more rows follow, count on request."""
    rows = list(queryset[query.offset:query.offset + query.top + 1])
    body: dict[str, Any] = {"@odata.context": context}
    if query.count:
        body["@odata.count"] = queryset.count()
    body["value"] = [represent(row) for row in rows[:query.top]]
    if len(rows) > query.top:
        params = {key: value for key, value in request.GET.items() if key != "$skiptoken"}
        params["$skiptoken"] = signing.dumps({"o": query.offset + query.top}, salt=SKIPTOKEN_SALT)
        body["@odata.nextLink"] = request.build_absolute_uri(request.path) + "?" + urlencode(params)
    return body
