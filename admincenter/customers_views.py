from __future__ import annotations

from functools import cached_property
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from customers.choices import CustomerRole
from customers.models import Customer, CustomerMembership
from customers.selectors import customer_actor, customer_membership_for, customer_memberships_for_user
from partnercenter.directory_roles import BY_ID
from partnercenter.errors import DomainError
from partnercenter.params import id_param, refuse_nul
from relationships.choices import GrantStatus
from relationships.ending import relationship_terminate
from relationships.models import DelegatedAdminGrant, Relationship
from relationships.selectors import relationships_for_customer
from relationships.services import grant_approve, grant_reject, grant_terminate
from subscriptions.models import SupportContact


class CustomerAdminCenterMixin(LoginRequiredMixin):
    """Tenancy for the customer admin center: the tenant in the URL, for this user, or 404."""

    nav_section = "overview"
    request: HttpRequest
    kwargs: dict[str, Any]

    @cached_property
    def membership(self) -> CustomerMembership:
        assert self.request.user.is_authenticated  # read once LoginRequiredMixin has let the user through
        return customer_membership_for(user=self.request.user, tenant_id=str(self.kwargs["tenant_id"]))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        assert self.request.user.is_authenticated  # LoginRequiredMixin lets only signed-in users through
        context.update(
            customer=self.membership.customer,
            customer_membership=self.membership,
            nav_section=self.nav_section,
            switcher_customer_memberships=customer_memberships_for_user(user=self.request.user),
            # The header's bell (templates/notifications/includes/bell.html): the count loads after the page.
            inbox_url=reverse("customer_inbox:list", kwargs={"tenant_id": self.membership.customer.tenant_id}),
            inbox_unread_url=reverse("customer_inbox:unread", kwargs={"tenant_id": self.membership.customer.tenant_id}),
        )
        return context


class CustomerOverviewView(CustomerAdminCenterMixin, TemplateView):
    template_name = "customers/overview.html"


class CustomerPartnersView(CustomerAdminCenterMixin, TemplateView):
    """Customer admin center → Partner relationships: resellers, admin role requests and grants.

    Every member may look; only a global admin may approve, reject, remove roles or end a relationship.
    """

    template_name = "customers/partners.html"
    nav_section = "partners"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        customer = self.membership.customer
        # Drafts (`created`, Graph API) are the partner's own until it locks them for approval.
        grants = list(DelegatedAdminGrant.objects.filter(customer=customer).exclude(status=GrantStatus.CREATED)
                      .select_related("partner").order_by("-requested_at"))
        for grant in grants:
            grant.catalog_roles = [BY_ID[r] for r in grant.roles if r in BY_ID]  # type: ignore[attr-defined]  # for the template
        context.update(
            relationships=relationships_for_customer(customer=customer),
            pending=[g for g in grants if g.status == GrantStatus.APPROVAL_PENDING],
            active=[g for g in grants if g.status == GrantStatus.ACTIVE],
            past=[g for g in grants if g.status not in (GrantStatus.APPROVAL_PENDING, GrantStatus.ACTIVE)],
            can_act=self.membership.role == CustomerRole.GLOBAL_ADMIN,
            support_contacts=_support_contacts(customer),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        customer = self.membership.customer
        if self.membership.role != CustomerRole.GLOBAL_ADMIN:
            raise PermissionDenied
        assert request.user.is_authenticated  # LoginRequiredMixin lets only signed-in users through
        action = request.POST.get("action", "")
        reason = refuse_nul("reason", request.POST.get("reason", ""))
        try:
            if action == "end":
                relationship = get_object_or_404(Relationship, pk=id_param(request.POST, "relationship"), customer=customer)
                relationship_terminate(relationship=relationship, actor=customer_actor(user=request.user, customer=customer), reason=reason)
                messages.success(request, _("The relationship with %(partner)s has ended; its admin roles ended with it.")
                                 % {"partner": relationship.partner.name})
            else:
                grant = get_object_or_404(DelegatedAdminGrant, pk=id_param(request.POST, "grant"), customer=customer)
                if action == "approve":
                    grant_approve(grant=grant, user=request.user)
                    messages.success(request, _("Admin roles approved for %(partner)s.") % {"partner": grant.partner.name})
                elif action == "reject":
                    grant_reject(grant=grant, user=request.user, reason=reason)
                    messages.success(request, _("Request from %(partner)s rejected.") % {"partner": grant.partner.name})
                elif action == "terminate":
                    grant_terminate(grant=grant, actor=customer_actor(user=request.user, customer=customer), reason=reason)
                    messages.success(request, _("Admin roles of %(partner)s removed; the reseller relationship stays.")
                                     % {"partner": grant.partner.name})
                else:
                    messages.error(request, _("Unknown action."))
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("customers:partners", tenant_id=customer.tenant_id)


def _support_contacts(customer: Customer) -> list[object]:
    """Issue 6: who to call per subscription, every partner's (the customer sees all its partners)."""
    return list(SupportContact.objects.filter(subscription__customer=customer)
                .select_related("user", "subscription__partner").order_by("subscription__partner__name", "subscription__pk"))
