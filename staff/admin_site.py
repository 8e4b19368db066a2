"""Django admin for staff, reachable only after signing in through allauth *with* MFA.

allauth's `secure_admin_login` routes the admin login through allauth but does not by itself
require a second factor. This site also requires that the staff user has TOTP enabled and that
the current session was authenticated with it; otherwise it sends the user to set TOTP up or
to re-authenticate with it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from allauth.mfa.utils import is_mfa_enabled
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from accounts.mfa_sessions import session_used_mfa
from partnercenter.params import refuse_nul

_View = TypeVar("_View", bound=Callable[..., HttpResponseBase])


def staff_has_mfa_session(request: HttpRequest) -> bool:
    user = request.user
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and is_mfa_enabled(user)
        and session_used_mfa(request)
    )


class StaffAdminSite(admin.AdminSite):
    site_header = _("partnercenter staff console")
    site_title = _("partnercenter staff")
    index_title = _("Audit and support")

    def admin_view(self, view: _View, cacheable: bool = False) -> _View:
        """Every admin view refuses a NUL character in a query parameter or posted field (400 naming it):
        the changelist's filters and search, and the forms, hand such values to PostgreSQL otherwise."""
        inner = super().admin_view(view, cacheable)

        @wraps(inner)
        def refusing_nul(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            sources = [request.GET, request.POST] if request.method == "POST" else [request.GET]
            for source in sources:
                for name, values in source.lists():
                    refuse_nul(str(_("parameter name")), name)
                    for value in values:
                        refuse_nul(name, value)
            return inner(request, *args, **kwargs)

        return cast(_View, refusing_nul)  # called as the view it wraps

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and staff_has_mfa_session(request)

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        next_url = request.GET.get("next") or reverse("admin:index")
        user = request.user
        if not user.is_authenticated:
            return HttpResponseRedirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")
        if not (user.is_active and user.is_staff):
            raise PermissionDenied
        if not is_mfa_enabled(user):
            return HttpResponseRedirect(f"{reverse('mfa_activate_totp')}?{urlencode({'next': next_url})}")
        if not session_used_mfa(request):
            return HttpResponseRedirect(f"{reverse('mfa_reauthenticate')}?{urlencode({'next': next_url})}")
        return HttpResponseRedirect(next_url)
