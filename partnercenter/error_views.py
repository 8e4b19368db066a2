"""The 400 page: what was wrong with the request, when the code that refused it said so."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from partnercenter.params import MalformedInput


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = exception.message if isinstance(exception, MalformedInput) else _("The request could not be read.")
    return render(request, "400.html", {"message": message}, status=400)
