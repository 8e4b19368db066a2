"""Every view that renders a live link or a secret is marked `carries_secret` (issue 18, item 10).

The list of views is the URL configuration itself; a view "renders a link or a secret" when its
code calls what produces one (the invitation or reusable link, an invitation representation,
a new API key or webhook secret). tests/test_secrets_at_rest.py checks the headers on the real
responses of the whole secret flow; this guard catches a view added later that the flow does not visit.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from admincenter.accept_views import invitation_open

PRODUCERS = re.compile(r"(?<!def )\b(?:invitation_url|relationship_link_url|invitation_representation|_with_secret|api_key_create"
                       r"|webhook_subscription_create|webhook_subscription_rotate_secret|session_put_token|session_token)\("
                       r"|\bInvitationSerializer\b")


def every_view() -> Iterator[tuple[str, Any]]:
    def walk(resolver: URLResolver, prefix: str) -> Iterator[tuple[str, Any]]:
        for entry in resolver.url_patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                yield from walk(entry, route)
            elif isinstance(entry, URLPattern):
                callback = entry.callback
                yield route, getattr(callback, "cls", None) or getattr(callback, "view_class", None) or callback

    yield from walk(get_resolver(), "/")


def source_of(view: Any) -> str:
    try:
        if inspect.isclass(view):
            return "\n".join(inspect.getsource(klass) for klass in view.__mro__
                             if klass.__module__.split(".")[0] not in {"django", "rest_framework", "builtins", "allauth"}
                             and klass is not object)
        return inspect.getsource(inspect.unwrap(view))
    except (OSError, TypeError):
        return ""


def test_every_view_that_renders_a_link_or_a_secret_is_marked_carries_secret():
    producing = {route: view for route, view in every_view() if PRODUCERS.search(source_of(view))}
    assert len(producing) >= 10, sorted(producing)
    unmarked = sorted(route for route, view in producing.items() if not getattr(view, "carries_secret", False))
    assert unmarked == []


@pytest.mark.django_db
def test_a_marked_view_answers_no_store_on_every_method(client: Client):
    assert getattr(invitation_open, "carries_secret", False)
    response = client.get("/r/some-token-value-0123456789")
    assert response.status_code == 302
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "no-store" in client.head("/r/some-token-value-0123456789")["Cache-Control"]
