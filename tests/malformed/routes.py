"""Every route of the URL configuration, as a concrete path aimed at the sweep world's objects.

The sweep walks `get_resolver()`, so a page or endpoint added later is swept without anyone
remembering to add it: a route whose kwargs the world cannot fill fails `test_every_route_is_swept`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter, StringConverter, UUIDConverter


@dataclass(frozen=True)
class Route:
    """One URLPattern: its full pattern text, its namespaced name and its kwargs' converters."""

    pattern: str
    name: str
    converters: dict[str, type] = field(default_factory=dict, hash=False, compare=False)
    regex: bool = False  # a re_path (DRF router, admin): kwargs are regex groups

    @property
    def surface(self) -> str:
        for prefix, surface in (("admin/", "staff admin"), ("accounts/", "sign-in"), ("api/v1/", "api"),
                                ("v1.0/", "graph"), ("beta/", "graph"), ("v1/", "graph"), ("mailbox/", "mailbox"), ("r/", "accept"),
                                ("join/", "accept")):
            if self.pattern.startswith(prefix):
                return surface
        if re.match(r"c/<uuid:tenant_id>/granularAdminRelationships", self.pattern):
            return "customer admin center"
        if self.pattern.startswith("p/"):
            return "partner console"
        if self.pattern.startswith("c/"):
            return "customer admin center"
        return "site"

    def __str__(self) -> str:
        return self.pattern


_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")
_ROUTE_KWARG = re.compile(r"(?<!\?P)<(?:(\w+):)?(\w+)>")


def _pattern_text(pattern: object) -> str:
    text = str(pattern)
    return text.removeprefix("^").removesuffix("$").replace("\\Z", "")


def all_routes() -> list[Route]:
    routes: list[Route] = []

    def walk(patterns: list, prefix: str, namespace: str, converters: dict[str, type], regex: bool) -> None:
        for entry in patterns:
            text = _pattern_text(entry.pattern)
            is_regex = regex or entry.pattern.__class__.__name__ == "RegexPattern"
            merged = {**converters, **getattr(entry.pattern, "converters", {})}
            if isinstance(entry, URLResolver):
                ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, prefix + text, ns, merged, is_regex)
            elif isinstance(entry, URLPattern):
                routes.append(Route(prefix + text, f"{namespace}{entry.name or ''}", merged, is_regex))

    walk(get_resolver().url_patterns, "", "", {}, False)
    return routes


def kwarg_names(route: Route) -> list[str]:
    return [m.group(2) for m in _ROUTE_KWARG.finditer(route.pattern)] + _GROUP.findall(route.pattern)


def fill(route: Route, values: dict[str, str]) -> str:
    """The route's path with each kwarg replaced by `values[name]` (KeyError when the world lacks one)."""
    text = route.pattern
    text = _ROUTE_KWARG.sub(lambda m: str(values[m.group(2)]), text)
    text = _GROUP.sub(lambda m: str(values[m.group(1)]), text)
    # What a regex route leaves: optional groups and escapes of the admin's patterns.
    text = text.replace("\\", "")
    return "/" + text


def str_kwargs(route: Route) -> list[str]:
    """Kwargs whose converter lets any text through (`str`, or a regex that is not only digits/hex)."""
    names = [name for name, conv in route.converters.items() if isinstance(conv, StringConverter)]
    for match in re.finditer(r"\(\?P<(\w+)>([^)]*)\)", route.pattern):
        if match.group(2) in {".+", "[^/]+", "[^/.]+"}:
            names.append(match.group(1))
    return names


__all__ = ["IntConverter", "Route", "UUIDConverter", "all_routes", "fill", "kwarg_names", "str_kwargs"]
