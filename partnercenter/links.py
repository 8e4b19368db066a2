"""Absolute links for emails and webhook payloads (pages use relative URLs)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse


def absolute_url(viewname: str, **kwargs: Any) -> str:
    """SITE_BASE_URL + the reversed path of `viewname`."""
    return settings.SITE_BASE_URL.rstrip("/") + reverse(viewname, kwargs=kwargs or None)


def absolute_path(path: str) -> str:
    return settings.SITE_BASE_URL.rstrip("/") + path
