"""django-csp's middleware with the site-wide policy built once instead of on every response.

`csp.middleware.CSPMiddleware` rebuilds both headers from settings on every response (a dataclass
copy, a deep copy of every directive, a join). Our policy is static: unless a response carries its
own (`@csp_update`/`@csp_replace`, `response._csp_*`) or the request used a nonce, the header is the
same string every time, so it is computed once per process (and again if the settings change, as in
tests with `override_settings`). Anything else falls through to django-csp unchanged.
"""

from __future__ import annotations

from typing import Any

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as _CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponseBase

_PER_RESPONSE = ("_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro",
                 "_csp_exempt", "_csp_exempt_ro")
_cache: dict[str, Any] = {}


@receiver(setting_changed)
def _forget_cached_policy(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY") or setting == "DEBUG":
        _cache.clear()


def _static_headers() -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """(header, value, excluded path prefixes) for the enforced and the report-only policy, if set."""
    headers = _cache.get("headers")
    if headers is None:
        built = []
        for header, setting, report_only in ((HEADER, "CONTENT_SECURITY_POLICY", False),
                                             (HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY", True)):
            value = build_policy(report_only=report_only)
            if value:
                prefixes = tuple((getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES", None) or ())
                built.append((header, value, prefixes))
        headers = _cache["headers"] = tuple(built)
    return headers


class CSPMiddleware(_CSPMiddleware):
    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if getattr(request, "_csp_nonce", None) is not None or any(hasattr(response, name) for name in _PER_RESPONSE):
            return super().process_response(request, response)
        if response.status_code in (500, 404) and settings.DEBUG:
            return response
        for header, value, prefixes in _static_headers():
            if header not in response and not (prefixes and request.path_info.startswith(prefixes)):
                response[header] = value
        # As django-csp does: reading the nonce after the header is written is an error.
        request.csp_nonce = _NONCE_AFTER_RESPONSE  # type: ignore[attr-defined]
        return response


# Never evaluated successfully (it raises CSPNonceError), so one object serves every request.
_NONCE_AFTER_RESPONSE = CheckableLazyObject(_CSPMiddleware._csp_nonce_post_response)
