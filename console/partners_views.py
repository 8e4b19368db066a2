from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_GET, require_http_methods
from django.views.generic import FormView, TemplateView

from console.mixins import PartnerConsoleMixin
from console.partners_forms import PartnerUserInviteForm, PartnerUserRolesForm, role_descriptions
from invitations.choices import InvitationStatus
from invitations.models import Invitation
from partnercenter.errors import DomainError
from partnercenter.no_store import carries_secret
from partnercenter.session_secrets import session_put_token, session_token
from partners.permissions import PartnerPermission
from partners.selectors import (
    partner_member_get,
    partner_pending_user_invitations,
    partner_user_invitation_by_token,
    partner_user_invitation_get,
    partner_user_list,
)
from partners.services import (
    partner_membership_remove,
    partner_membership_set_roles,
    partner_user_invitation_accept,
    partner_user_invitation_cancel,
    partner_user_invitation_resend,
    partner_user_invite,
)
from relationships.choices import GrantStatus, RelationshipStatus
from relationships.models import DelegatedAdminGrant, Relationship


class PartnerOverviewView(PartnerConsoleMixin, TemplateView):
    template_name = "partners/overview.html"
    nav_section = "overview"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:



        context = super().get_context_data(**kwargs)
        now = timezone.now()
        grants = DelegatedAdminGrant.objects.filter(partner=self.partner)
        context.update(
            member_count=partner_user_list(partner=self.partner).count(),
            customer_count=Relationship.objects.filter(partner=self.partner, status=RelationshipStatus.ACTIVE).count(),
            pending_invitation_count=Invitation.objects.filter(partner=self.partner, status=InvitationStatus.PENDING).count(),
            awaiting_approval_count=grants.filter(status=GrantStatus.APPROVAL_PENDING).count(),
            expiring_grant_count=grants.filter(status=GrantStatus.ACTIVE, ends_at__lte=now + timedelta(days=30)).count(),
            can_request=self.can(PartnerPermission.REQUEST_RELATIONSHIP),
        )
        return context


class PartnerUsersView(PartnerConsoleMixin, FormView):
    """Partner settings → Users and roles: the team, pending invitations, and the invite form."""

    template_name = "partners/users.html"
    form_class = PartnerUserInviteForm
    permission = PartnerPermission.MANAGE_USERS
    nav_section = "users"

    def get_initial(self) -> dict[str, Any]:
        return {"language": translation.get_language() or "en"}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["members"] = partner_user_list(partner=self.partner)
        context["pending_invitations"] = partner_pending_user_invitations(partner=self.partner)
        context["role_descriptions"] = role_descriptions()
        return context

    def form_valid(self, form: PartnerUserInviteForm) -> HttpResponse:
        try:
            partner_user_invite(
                partner=self.partner,
                email=form.cleaned_data["email"],
                roles=form.cleaned_data["roles"],
                invited_by=self.membership,
                language=form.cleaned_data["language"],
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
        return redirect("partners:users", partner_id=self.partner.partner_id)


class PartnerUserRolesView(PartnerConsoleMixin, FormView):
    template_name = "partners/user_roles.html"
    form_class = PartnerUserRolesForm
    permission = PartnerPermission.MANAGE_USERS
    nav_section = "users"

    def get_member(self):
        return partner_member_get(partner=self.partner, membership_pk=self.kwargs["membership_pk"])

    def get_initial(self) -> dict[str, Any]:
        return {"roles": self.get_member().roles}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["member"] = self.get_member()
        context["role_descriptions"] = role_descriptions()
        return context

    def form_valid(self, form: PartnerUserRolesForm) -> HttpResponse:
        member = self.get_member()
        try:
            partner_membership_set_roles(membership=member, roles=form.cleaned_data["roles"], actor=self.membership)
        except DomainError as error:
            form.add_error("roles" if error.field == "roles" else None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, _("Roles of %(email)s saved.") % {"email": member.user.email})
        return redirect("partners:users", partner_id=self.partner.partner_id)


class PartnerUserRemoveView(PartnerConsoleMixin, TemplateView):
    """GET asks for confirmation (naming the user and the consequence); POST removes."""

    template_name = "partners/user_remove.html"
    permission = PartnerPermission.MANAGE_USERS
    nav_section = "users"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["member"] = partner_member_get(partner=self.partner, membership_pk=self.kwargs["membership_pk"])
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        member = partner_member_get(partner=self.partner, membership_pk=self.kwargs["membership_pk"])
        try:
            partner_membership_remove(membership=member, actor=self.membership)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("%(email)s no longer has access to %(partner)s.")
                % {"email": member.user.email, "partner": self.partner.name},
            )
        return redirect("partners:users", partner_id=self.partner.partner_id)


class PartnerUserInvitationActionView(PartnerConsoleMixin, View):
    """POST-only: resend (rotates the link) or cancel a pending partner user invitation."""

    permission = PartnerPermission.MANAGE_USERS
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        invitation = partner_user_invitation_get(partner=self.partner, invitation_pk=self.kwargs["invitation_pk"])
        try:
            if self.kwargs["action"] == "resend":
                partner_user_invitation_resend(invitation=invitation, actor=self.membership)
                messages.success(
                    request,
                    _("Invitation to %(email)s sent again; the previous link no longer works.")
                    % {"email": invitation.email},
                )
            else:
                partner_user_invitation_cancel(invitation=invitation, actor=self.membership)
                messages.success(request, _("Invitation to %(email)s cancelled.") % {"email": invitation.email})
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("partners:users", partner_id=self.partner.partner_id)


# --- Joining a partner through an emailed link -------------------------------------------------

SESSION_KEY = "partner_user_invitation_token"


@carries_secret
@require_GET
def partner_user_invitation_open(request: HttpRequest, token: str) -> HttpResponse:
    """Move the token out of the URL into the session, then show the invitation (no Referer leak)."""
    session_put_token(request.session, SESSION_KEY, token)
    return HttpResponseRedirect(reverse("partner_user_invitation_review"))


@carries_secret
@require_http_methods(["GET", "POST"])
def partner_user_invitation_review(request: HttpRequest) -> HttpResponse:
    """GET shows who invites you and with which roles; POST (signed in as the invitee) joins."""
    token = session_token(request.session, SESSION_KEY)
    invitation = partner_user_invitation_by_token(token=token) if token else None
    if invitation is None:
        return render(request, "partners/join_invalid.html", status=404)
    # The link proves nothing about the mailbox (whoever invited can see the address and resend):
    # joining needs an account whose address allauth verified with a code sent to it.
    if request.method == "POST":
        return _accept(request, invitation)
    return render(request, "partners/join.html", {"invitation": invitation, "next": request.path})


@login_required
def _accept(request: HttpRequest, invitation) -> HttpResponse:
    assert request.user.is_authenticated  # login_required above
    try:
        membership = partner_user_invitation_accept(invitation=invitation, user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("partner_user_invitation_review")
    request.session.pop(SESSION_KEY, None)
    messages.success(request, _("Welcome to %(partner)s.") % {"partner": membership.partner.name})
    return redirect("partners:overview", partner_id=membership.partner.partner_id)
