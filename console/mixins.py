"""Tenancy for partner console views: resolve the partner once, from the URL, for this user.

A user who is not a member of the partner in the URL gets 404 (the partner does not exist for
them); when the partner requires MFA, a member without a second factor, or whose session did
not use it, is sent to set it up or to re-authenticate with it (every page and action of the
console, GET or POST); a member whose roles lack the view's permission gets 403.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, NamedTuple

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.mfa_policy import MfaStep, mfa_step_needed, mfa_step_url
from partners.models import Partner, PartnerMembership
from partners.permissions import PartnerPermission, roles_allow
from partners.saved_view_selectors import memberships_with_saved_views
from partners.selectors import partner_memberships_for_user


class SwitcherPartner(NamedTuple):
    """A partner in the header's switcher: plain values, so the switcher is a cached layout fragment
    keyed by them (partners/console_base.html; partnercenter.template_builtins.layout_fragment)."""

    pk: int
    partner_id: str
    name: str


class PartnerConsoleMixin(LoginRequiredMixin):
    permission: PartnerPermission = PartnerPermission.VIEW_CONSOLE
    nav_section: str = "overview"
    # A list with saved views (console.saved_views.ListToolsMixin): read with the memberships, no query of their own.
    saved_view_list: str = ""
    request: HttpRequest
    kwargs: dict[str, Any]

    @cached_property
    def user_memberships(self) -> list[PartnerMembership]:
        """All the user's memberships, with their partners: the partner switcher lists them, and the
        one for the partner in the URL is among them (one query for both)."""
        assert self.request.user.is_authenticated  # dispatch turns anonymous users away first
        memberships = partner_memberships_for_user(user=self.request.user)
        if self.saved_view_list:
            memberships = memberships_with_saved_views(memberships, list_name=self.saved_view_list)
        return list(memberships)

    @cached_property
    def membership(self) -> PartnerMembership:
        """The user's membership in the partner in the URL, picked from user_memberships, or 404 (no query of its own)."""
        partner_id = self.kwargs["partner_id"]
        for membership in self.user_memberships:
            if membership.partner.partner_id == partner_id:
                return membership
        raise Http404

    @property
    def partner(self) -> Partner:
        return self.membership.partner

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if self.membership.partner.mfa_required:
            step = mfa_step_needed(request)
            if step is not None:
                return self.mfa_redirect(request, step)
        if not roles_allow(self.membership.roles, self.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def mfa_redirect(self, request: HttpRequest, step: MfaStep) -> HttpResponse:
        """To allauth's TOTP activation page or MFA re-authentication, coming back here afterwards
        (a POST is not replayed: the member submits it again once verified)."""
        name = self.membership.partner.name
        if step == MfaStep.SET_UP:
            messages.warning(request, _("%(partner)s requires two-step verification: set up an authenticator app "
                                        "(or a security key) to continue.") % {"partner": name})
        else:
            messages.info(request, _("%(partner)s requires two-step verification: confirm it is you with your "
                                     "second factor to continue.") % {"partner": name})
        next_url = request.get_full_path() if request.method == "GET" else request.path
        return HttpResponseRedirect(mfa_step_url(step, next_url=next_url))

    def can(self, permission: PartnerPermission) -> bool:
        return roles_allow(self.membership.roles, permission)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        context.update(
            partner=self.partner,
            membership=self.membership,
            nav_section=self.nav_section,
            switcher_memberships=self.user_memberships,
            switcher_partners=tuple(SwitcherPartner(m.partner_id, m.partner.partner_id, m.partner.name)
                                    for m in self.user_memberships),
            can_manage_users=self.can(PartnerPermission.MANAGE_USERS),
            can_manage_sign_in_security=self.can(PartnerPermission.MANAGE_SIGN_IN_SECURITY),
            # The header's bell (templates/notifications/includes/bell.html): the count loads after the page.
            inbox_url=reverse("inbox:list", kwargs={"partner_id": self.partner.partner_id}),
            inbox_unread_url=reverse("inbox:unread", kwargs={"partner_id": self.partner.partner_id}),
        )
        return context
