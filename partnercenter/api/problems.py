"""Problem details (RFC 9457) for every API error, with stable machine-readable codes.

One exception handler turns domain errors (partnercenter.errors.DomainError), DRF's errors and
our own HTTP-level problems into `application/problem+json`:

    {"type": "urn:partnercenter:problem:not_pending", "title": "Conflict", "status": 409,
     "detail": "This invitation is no longer pending.", "code": "not_pending",
     "instance": "/api/v1/invitations/42/cancel", "request_id": "…",
     "errors": [{"field": "roles", "code": "unknown_role", "detail": "…"}]}   # validation only

Domain errors map by their code: `forbidden` → 403, `not_found` → 404, `daily_cap` and
`recipient_daily_cap` → 429 (the latter with Retry-After), an
error naming a field → 422, any other refusal of a business rule → 409.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response

from partnercenter.errors import DomainError, PermissionDeniedError

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:partnercenter:problem:"

TITLES = {
    400: _("Invalid request"),
    401: _("Authentication required"),
    403: _("Forbidden"),
    404: _("Not found"),
    405: _("Method not allowed"),
    406: _("Not acceptable"),
    409: _("Conflict"),
    412: _("Precondition failed"),
    415: _("Unsupported media type"),
    422: _("Unprocessable content"),
    428: _("Precondition required"),
    429: _("Too many requests"),
    500: _("Internal error"),
}

# Codes for DRF's own exceptions (their default codes are less specific or unstable).
DRF_CODES: dict[type[exceptions.APIException], str] = {
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "invalid_api_key",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "rate_limited",
    exceptions.ParseError: "malformed_request",
    exceptions.ValidationError: "validation_error",
}

DOMAIN_STATUS_BY_CODE = {"forbidden": 403, "not_found": 404, "daily_cap": 429, "recipient_daily_cap": 429,
                         "unknown_security_group": 400}  # a body naming a group that is not the partner's: bad input


class ApiProblem(exceptions.APIException):
    """An HTTP-level problem raised by the API layer itself (preconditions, idempotency keys)."""

    status_code: int = status.HTTP_400_BAD_REQUEST
    default_code = "invalid_request"
    default_detail = _("The request is not valid.")

    def __init__(self, detail: str | None = None, code: str | None = None) -> None:
        super().__init__(detail=detail or self.default_detail, code=code or self.default_code)
        self.problem_code = code or self.default_code


class PreconditionFailed(ApiProblem):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"
    default_detail = _("The resource changed since you read it: fetch it again and retry with its new ETag.")


class PreconditionRequired(ApiProblem):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_code = "precondition_required"
    default_detail = _("Send the resource's current ETag in an If-Match header.")


class IdempotencyKeyReused(ApiProblem):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"
    default_detail = _("This Idempotency-Key was already used for a different request.")


class IdempotentResponseUnavailable(ApiProblem):
    status_code = status.HTTP_409_CONFLICT
    default_code = "idempotent_response_unavailable"
    default_detail = _("This Idempotency-Key was used, but its first response can no longer be replayed (the server's "
                       "sealing key changed). Check whether the object exists before retrying with a new key.")


class InsufficientScope(exceptions.PermissionDenied):
    default_code = "insufficient_scope"

    def __init__(self, scope: str) -> None:
        super().__init__(
            detail=_("This API key lacks the scope %(scope)s.") % {"scope": scope}, code="insufficient_scope"
        )
        self.scope = scope


def domain_error_status(error: DomainError) -> int:
    if isinstance(error, PermissionDeniedError):
        return 403
    if error.code in DOMAIN_STATUS_BY_CODE:
        return DOMAIN_STATUS_BY_CODE[error.code]
    return 422 if error.field else 409


def problem_response(
    *,
    status_code: int,
    code: str,
    detail: StrOrPromise,
    request: Any = None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": f"{PROBLEM_TYPE_PREFIX}{code}",
        "title": str(TITLES.get(status_code, _("Error"))),
        "status": status_code,
        "detail": str(detail),
        "code": code,
    }
    if request is not None:
        body["instance"] = request.path
        body["request_id"] = getattr(request, "request_id", "") or getattr(getattr(request, "_request", None), "request_id", "")
    if errors is not None:
        body["errors"] = errors
    response = Response(body, status=status_code, headers=headers, content_type=PROBLEM_CONTENT_TYPE)
    return response


def flatten_errors(detail: Any, prefix: str = "") -> list[dict[str, Any]]:
    """DRF's nested validation detail as a flat list of {field, code, detail}."""
    if isinstance(detail, dict):
        items: list[dict[str, Any]] = []
        for key, value in detail.items():
            name = "" if key in ("non_field_errors", "__all__") else str(key)
            items += flatten_errors(value, f"{prefix}.{name}" if prefix and name else (name or prefix))
        return items
    if isinstance(detail, list):
        items = []
        for index, value in enumerate(detail):
            if isinstance(value, (dict, list)):
                items += flatten_errors(value, f"{prefix}[{index}]" if prefix else f"[{index}]")
            else:
                items += flatten_errors(value, prefix)
        return items
    return [{"field": prefix or None, "code": getattr(detail, "code", None) or "invalid", "detail": str(detail)}]


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: every error leaves as application/problem+json."""
    request = context.get("request")
    if isinstance(exc, DomainError):
        status_code = domain_error_status(exc)
        errors = [{"field": exc.field, "code": exc.code, "detail": exc.message}] if exc.field else None
        # A limit that resets (a recipient's emails for the day) says when: Retry-After.
        retry_after = getattr(exc, "retry_after", None)
        headers = {"Retry-After": str(retry_after)} if retry_after else None
        return problem_response(status_code=status_code, code=exc.code, detail=exc.message, request=request, errors=errors,
                                headers=headers)
    if isinstance(exc, (Http404, ObjectDoesNotExist)):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    from rest_framework.views import (  # noqa: PLC0415 — see the comment below
        exception_handler as drf_exception_handler,  # (rest_framework.views imports our settings)
    )

    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("unhandled API error", exc_info=exc)
        return problem_response(
            status_code=500, code="internal_error", detail=_("Something went wrong on our side."), request=request
        )
    headers = {name: value for name, value in response.items() if name.lower() in {"www-authenticate", "retry-after", "allow"}}
    if isinstance(exc, ApiProblem):
        code = exc.problem_code
    elif isinstance(exc, InsufficientScope):
        code = "insufficient_scope"
        headers["WWW-Authenticate"] = f'Bearer error="insufficient_scope", scope="{exc.scope}"'
    elif isinstance(exc, exceptions.PermissionDenied):
        code = "forbidden"
    else:
        code = next((value for cls, value in DRF_CODES.items() if isinstance(exc, cls)), "error")
    if isinstance(exc, exceptions.ValidationError):
        return problem_response(
            status_code=400, code=code, detail=_("The request has invalid fields."), request=request,
            errors=flatten_errors(exc.detail), headers=headers,
        )
    detail = exc.detail if isinstance(exc, exceptions.APIException) and not isinstance(exc.detail, (dict, list)) else ""
    return problem_response(
        status_code=response.status_code, code=code, detail=str(detail or TITLES.get(response.status_code, "")),
        request=request, headers=headers,
    )
