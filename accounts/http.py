"""Request types for views (django-stubs' pattern)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a view behind `login_required`: its user is signed in, never AnonymousUser.

    For annotations only; Django passes a plain HttpRequest (or a subclass of its handler)."""

    user: User
