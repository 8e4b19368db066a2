"""Sends malformed values to a route's query parameters, form fields and str kwargs, and records
every answer that breaks the rules of tests.malformed.checks."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from django.db import transaction
from django.urls import reverse

from tests.malformed import payloads
from tests.malformed.checks import changed_tables, kept_for_inspection, row_counts, says_something
from tests.malformed.html_forms import HtmlForm, forms_of
from tests.malformed.routes import Route, fill, str_kwargs

SKIP_FIELDS = {"csrfmiddlewaretoken"}
_HREF_QUERY = re.compile(r'href="([^"#]*\?[^"#]*)"')


@dataclass
class Sweeper:
    """One signed-in client; counts requests and collects every broken answer."""

    client: Any
    failures: list[str] = field(default_factory=list)
    requests: int = 0
    routes: set[str] = field(default_factory=set)
    per_field: bool = True  # False: all fields of a form malformed at once (staff admin)
    per_route: dict[str, int] = field(default_factory=dict)
    _counts: tuple[int, ...] | None = None
    _forms_seen: set[tuple] = field(default_factory=set)  # a form on every page (language, sign-out) is swept once

    def send(self, label: str, method: str, path: str, *, body: bytes | str = b"", content_type: str = "",
             headers: dict[str, str] | None = None, route: Route | None = None) -> Any:
        """One request, in a savepoint (a database error stays in it). Row counts are taken again only
        after an answer that may have written (a 2xx or 3xx to anything but GET): a refused request or a
        GET that wrote anything shows as a difference."""
        self.requests += 1
        if route is not None:
            self.routes.add(route.pattern)
            self.per_route[route.pattern] = self.per_route.get(route.pattern, 0) + 1
        where = f"{label}: {method.upper()} {path[:160]}"
        if self._counts is None:
            self._counts = row_counts()
        before = self._counts
        try:
            with transaction.atomic():
                response = self.client.generic(method.upper(), path, body,
                                               content_type=content_type or "application/octet-stream", **(headers or {}))
        except Exception as error:  # noqa: BLE001 — the test client re-raises what a 500 would hide
            self.failures.append(f"{where}: raised {type(error).__name__}: {str(error)[:200]}")
            self._counts = None
            return None
        status = response.status_code
        if status >= 500:
            self.failures.append(f"{where}: answered {status}")
        elif 400 <= status < 500:
            if not says_something(response):
                self.failures.append(f"{where}: {status} says nothing ({response.content[:120]!r})")
            after = row_counts()
            if after != before and not kept_for_inspection(response):
                self.failures.append(f"{where}: refused ({status}), yet rows changed: {changed_tables(before, after)}")
            self._counts = after
        elif method.lower() != "get":
            self._counts = None
        return response

    # --- query parameters -------------------------------------------------------------------
    def query_params(self, route: Route, path: str, names: Iterable[str], *, one_by_one: Iterable[str] = (),
                     short: bool = False, only: tuple[str, ...] | None = None,
                     each: tuple[str, ...] = payloads.TEXT_EACH) -> None:
        """All `names` malformed together (one request per payload), then each of `one_by_one` alone;
        `short`: the few payloads of TEXT_SHORT (a page that reads no parameter of its own); `only`: these."""
        names = sorted(set(names))
        wanted = only if only is not None else payloads.TEXT_SHORT if short else tuple(payloads.TEXT)
        for label, value in payloads.TEXT.items():
            if label not in wanted:
                continue
            self.send(f"query {label}", "get", f"{path}?{urlencode([(n, value) for n in names])}", route=route)
        for label, raw in payloads.RAW.items():
            self.send(f"query {label}", "get", f"{path}?{'&'.join(f'{quote(n)}={raw}' for n in names)}", route=route)
        for name in sorted(set(one_by_one)):
            for label in each:
                self.send(f"query {name}={label}", "get", f"{path}?{urlencode({name: payloads.TEXT[label]})}", route=route)

    # --- HTML forms ---------------------------------------------------------------------------
    def forms(self, route: Route, page_path: str, html: str, *, get_params: set[str]) -> None:
        seen = self._forms_seen
        for form in forms_of(html):
            action = form.action or page_path
            if urlsplit(action).netloc or (not action.startswith("/") and not action.startswith("?")):
                continue
            if action.startswith("?"):
                action = page_path + action
            if urlsplit(action).path == reverse("account_logout") and page_path != action:
                continue  # the top bar's sign-out: swept on its own route, not from every page
            variants: list[tuple[str, str] | None] = [None, *dict.fromkeys(form.buttons)] if form.buttons else [None]
            if not self.per_field:  # the staff admin's Save / Save and continue / Save and add another: one will do
                variants = variants[-1:]
            for button in variants:
                key = (form.method, urlsplit(action).path, tuple(sorted(form.fields)), button)
                if key in seen:
                    continue
                seen.add(key)
                if form.method == "get":
                    get_params.update(n for n in form.fields if n not in SKIP_FIELDS)
                    continue
                self._post_form(route, action, form, button)

    def _post_form(self, route: Route, action: str, form: HtmlForm, button: tuple[str, str] | None) -> None:
        base = [(n, v) for n, v in form.defaults() if n not in SKIP_FIELDS]
        if button is not None:
            base = [(n, v) for n, v in base if n != button[0]] + [button]
        names = [n for n in form.fields if n not in SKIP_FIELDS and (button is None or n != button[0])]
        if button is not None:
            names.append(button[0])
        if not names:
            return
        form_type = "application/x-www-form-urlencoded"
        tag = f"form {form.method} {button[0]}={button[1]}" if button else "form"

        def body(malformed: dict[str, list[str]], raw: dict[str, str] | None = None) -> str:
            pairs = [(n, v) for n, v in base if n not in malformed and (raw is None or n not in raw)]
            pairs += [(n, v) for n, values in malformed.items() for v in values]
            encoded = urlencode(pairs)
            if raw:
                encoded += "".join(f"&{quote(n)}={v}" for n, v in raw.items())
            return encoded.lstrip("&")

        def post(label: str, encoded: str) -> None:
            self.send(f"{tag} {label}", "post", action, body=encoded, content_type=form_type, route=route)

        if self.per_field:
            for name in names:
                for label in payloads.TEXT_EACH:
                    post(f"{name}={label}", body({name: [payloads.TEXT[label]]}))
        for label, value in payloads.TEXT.items():
            if self.per_field and label in payloads.TEXT_EACH:
                continue
            post(f"every field={label}", body({n: [value] for n in names}))
        post("every field=invalid utf-8", body({}, {n: "%ed%a0%80" for n in names}))
        post("every field repeated", body({n: ["1", "not-a-uuid"] for n in names}))
        for label in ("multipart without boundary", "malformed json"):  # the wrong content type: no form data at all
            raw, content_type = payloads.BODIES[label]
            self.send(f"{tag} {label}", "post", action, body=raw, content_type=content_type, route=route)

    # --- str kwargs of the path ---------------------------------------------------------------
    def path_kwargs(self, route: Route, values: dict[str, str], methods: Iterable[str] = ("get",)) -> None:
        for name in str_kwargs(route):
            for label in payloads.TEXT_SHORT:
                path = fill(route, {**values, name: quote(payloads.TEXT[label], safe="")})
                for method in methods:
                    self.send(f"path {name}={label}", method, path, route=route)
            for label, raw in payloads.RAW.items():
                path = fill(route, {**values, name: raw})
                self.send(f"path {name}={label}", "get", path, route=route)

    # --- JSON bodies (API, Graph) -------------------------------------------------------------
    def json_bodies(self, route: Route, method: str, path: str, valid: dict[str, Any], headers: dict[str, str],
                    also: Iterable[str] = ()) -> None:
        """Whole malformed bodies; then the valid body with each property (and each of `also`, the schema's
        other properties) malformed alone, and all of them at once with an unknown property."""
        for label, (raw, content_type) in payloads.BODIES.items():
            self.send(f"body {label}", method, path, body=raw, content_type=content_type, headers=headers, route=route)
        for name in [*valid, *sorted(set(also))]:
            for label in payloads.JSON_EACH:
                self.send(f"json {name}={label}", method, path, body=json.dumps({**valid, name: payloads.JSON[label]}),
                          content_type="application/json", headers=headers, route=route)
        for label, value in payloads.JSON.items():
            every = {name: value for name in valid} if label not in payloads.JSON_EACH else {}
            self.send(f"json every field and an unknown one={label}", method, path,
                      body=json.dumps({**valid, **every, "unexpected": value}), content_type="application/json",
                      headers=headers, route=route)


def query_names_in_links(html: str, path: str) -> set[str]:
    """Query parameter names the page's own links use (pagination, sorting, filters)."""
    names: set[str] = set()
    for href in _HREF_QUERY.findall(html.replace("&amp;", "&")):
        parts = urlsplit(href)
        if parts.path in {"", path}:
            names.update(pair.split("=", 1)[0] for pair in parts.query.split("&") if pair)
    return names


Sender = Callable[..., Any]
