"""`carries_secret`: the one way a view says its responses hold a live link or a secret (issue 18).

Such a response (a draft with the invitation link, the reusable link, an API invitation, a new API
key or webhook secret, an acceptance page reached through a token) must never be kept by a browser
cache, a shared proxy or the back button: Django's `never_cache` headers (`Cache-Control: max-age=0,
no-cache, no-store, must-revalidate, private` and an `Expires` in the past). For a function view or a
class-based view (Django or DRF, whose `dispatch` receives the Django request), every method.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache

V = TypeVar("V")


def carries_secret(view: V) -> V:
    """Marks the view too (`carries_secret = True`): tests/test_no_store.py finds every view that
    renders a link or a secret and checks it is marked."""
    if isinstance(view, type):
        decorated_class: Any = method_decorator(never_cache, name="dispatch")(view)
        decorated_class.carries_secret = True
        return decorated_class
    decorated: Any = never_cache(cast("Callable[..., Any]", view))
    decorated.carries_secret = True
    return decorated
