"""OpenAPI generation (drf-spectacular): scopes, problem responses and concurrency headers.

Every operation documents the scope it needs (in its description and as `x-required-scope`), the
problem responses it can give, `Idempotency-Key` on creates and `If-Match` on updates, read
from the view's `required_scopes`, `idempotent_actions` and `if_match_actions`.
"""

from __future__ import annotations

from typing import Any, Literal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from partnercenter.api.permissions import required_scope
from partnercenter.api.problems import PROBLEM_CONTENT_TYPE, TITLES


class ProblemFieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField(allow_null=True, help_text=_("The request field, dotted for nested fields; null for the whole request."))
    code = serializers.CharField()
    detail = serializers.CharField()


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details."""

    type = serializers.CharField(help_text=_("urn:partnercenter:problem:<code>"))
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    code = serializers.CharField(help_text=_("Stable, machine-readable reason."))
    instance = serializers.CharField(required=False)
    request_id = serializers.CharField(required=False)
    # A field named like Serializer.errors: DRF's metaclass moves declared fields out of the class body.
    errors = ProblemFieldErrorSerializer(many=True, required=False)  # type: ignore[assignment]

    class Meta:
        ref_name = "Problem"


PROBLEM_EXAMPLE_CODES = {
    "400": "validation_error", "401": "invalid_api_key", "403": "insufficient_scope", "404": "not_found", "409": "not_pending",
    "412": "precondition_failed", "422": "sovereign_requires_admin", "428": "precondition_required", "429": "rate_limited",
}


def _action(view: Any, method: str) -> str:
    return getattr(view, "action", None) or method.lower()


class PartnerApiSchema(AutoSchema):
    def _operation_key(self) -> str:
        return _action(self.view, self.method)

    def _scope(self) -> str | None:
        return required_scope(self.view, self.method)

    def _if_match(self) -> bool | None:
        """None: no If-Match; False: optional; True: required."""
        return getattr(self.view, "if_match_actions", {}).get(self._operation_key())

    def _idempotent(self) -> bool:
        return self._operation_key() in getattr(self.view, "idempotent_actions", frozenset())

    def _has_etag(self) -> bool:
        return self._operation_key() in getattr(self.view, "etag_actions", frozenset())

    def get_description(self) -> str:  # type: ignore[override]
        description = super().get_description() or ""
        scope = self._scope()
        note = _("Required scope: `%(scope)s`.") % {"scope": scope} if scope else _("Any valid API key.")
        return f"{description}\n\n{note}".strip()

    def get_extensions(self) -> dict[str, Any]:
        extensions = super().get_extensions()
        scope = self._scope()
        if scope:
            extensions["x-required-scope"] = scope
        return extensions

    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        if self._idempotent():
            parameters.append(OpenApiParameter(
                "Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
                description=str(_("Any unique string (e.g. a UUID), up to 255 characters. A retry with the same key and body "
                                  "returns the first response instead of creating a second object; kept for 24 hours.")),
            ))
        if_match = self._if_match()
        if if_match is not None:
            parameters.append(OpenApiParameter(
                "If-Match", str, OpenApiParameter.HEADER, required=if_match,
                description=str(_("The resource's ETag as last read. A stale tag answers 412."))
                + (str(_(" Required: without it the answer is 428.")) if if_match else ""),
            ))
        return parameters

    def _get_response_bodies(self, direction: Literal["request", "response"] = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        problem = {PROBLEM_CONTENT_TYPE: {"schema": self.resolve_serializer(ProblemSerializer, "response").ref}}
        errors: dict[str, Any] = {
            "400": _("Invalid request: malformed body or invalid fields (see `errors`)."),
            "401": _("Missing, unknown, revoked or expired API key."),
            "403": _("The API key lacks the required scope (`insufficient_scope`)."),
            "404": _("No such object for this partner (other partners' objects included), or an invalid cursor."),
            "429": _("A limit was reached: the API key's requests (`rate_limited`), invalid keys from this address or "
                     "for this key prefix (`rate_limited`), or an invitation limit (`daily_cap`, `recipient_daily_cap`). "
                     "Retry after `Retry-After` seconds."),
        }
        if self.method in {"POST", "PUT", "PATCH", "DELETE"}:
            errors["409"] = _("A business rule refused the action (e.g. `not_pending`); nothing changed.")
            errors["422"] = _("A business rule refused a field's value; `errors` names the field.")
        if_match = self._if_match()
        if if_match is not None:
            errors["412"] = _("If-Match does not match the current ETag: read the resource again.")
            if if_match:
                errors["428"] = _("If-Match is required.")
        for code, description in errors.items():
            example = {"type": f"urn:partnercenter:problem:{PROBLEM_EXAMPLE_CODES.get(code, 'error')}", "title": str(TITLES[int(code)]),
                       "status": int(code), "detail": str(description), "code": PROBLEM_EXAMPLE_CODES.get(code, "error"),
                       "instance": self.path, "request_id": "5f0c2a9e8b1d4c7e9a3f6b2d1e0c9a8b"}
            content = {PROBLEM_CONTENT_TYPE: {**problem[PROBLEM_CONTENT_TYPE], "example": example}}
            entry: dict[str, Any] = {"description": str(description), "content": content}
            if code == "429":
                entry["headers"] = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}}
            if code == "401":
                entry["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
            responses.setdefault(code, entry)
        responses.setdefault("default", {"description": str(_("Any other error, as problem details.")), "content": problem})
        if self._has_etag():
            for code, response in responses.items():
                if code.startswith("2"):
                    response.setdefault("headers", {})["ETag"] = {
                        "schema": {"type": "string"}, "description": str(_("The resource's entity tag, for If-Match.")),
                    }
        return responses
