"""Activate a signed-in user's preferred language when the browser has not chosen one."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


def preferred_language_for(request: HttpRequest) -> str | None:
    """The signed-in user's language when it should replace the active one (the browser chose none)."""
    user = getattr(request, "user", None)
    if (
        user is not None
        and user.is_authenticated
        and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
        and user.preferred_language != translation.get_language()
    ):
        return str(user.preferred_language)
    return None


class UserLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = preferred_language_for(request)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
