"""Django answers a method a view does not take (`require_POST`, `View.http_method_not_allowed`) with an
empty 405; this says which methods the address takes instead."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from partnercenter.error_views import method_not_allowed_page


class MethodNotAllowedMessageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 405 and not getattr(response, "streaming", False) and not response.content:
            if "text/html" in request.headers.get("Accept", "") and request.method != "HEAD":
                # A browser (a bookmarked form address, a GET of a POST-only action): the product's page.

                return method_not_allowed_page(request, response)
            response.content = (_("This address does not accept %(method)s requests; it accepts: %(allowed)s.")
                                % {"method": request.method, "allowed": response.get("Allow", "")}).encode()
            response["Content-Type"] = "text/plain; charset=utf-8"
        return response
