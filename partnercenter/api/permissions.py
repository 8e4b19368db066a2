"""Scope checks per operation. Tenancy is structural: every query starts from the key's partner."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rest_framework.permissions import BasePermission

from partnercenter.api.authentication import ApiPrincipal
from partnercenter.api.problems import InsufficientScope

if TYPE_CHECKING:
    from rest_framework.request import Request


def required_scope(view: Any, method: str) -> str | None:
    """The scope an operation needs: `view.required_scopes[action]` (viewsets) or `[method]`."""
    scopes: dict[str, str] = getattr(view, "required_scopes", {})
    action = getattr(view, "action", None)
    if action and action in scopes:
        return scopes[action]
    method = method.lower()
    return scopes.get("get" if method == "head" else method)


class HasScope(BasePermission):
    """The request carries a valid API key holding the operation's scope (403 `insufficient_scope`)."""

    def has_permission(self, request: Request, view: Any) -> bool:

        if not isinstance(request.auth, ApiPrincipal):
            return False  # DRF answers 401 with WWW-Authenticate: Bearer
        scope = required_scope(view, request.method or "GET")
        if scope is not None and scope not in request.auth.scopes:
            raise InsufficientScope(scope)
        return True
