from __future__ import annotations

from functools import cached_property
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView

from customers.models import CustomerMembership
from customers.selectors import customer_membership_for, customer_memberships_for_user


class CustomerAdminCenterMixin(LoginRequiredMixin):
    """Tenancy for the customer admin center: the tenant in the URL, for this user, or 404."""

    nav_section = "overview"
    kwargs: dict[str, Any]

    @cached_property
    def membership(self) -> CustomerMembership:
        return customer_membership_for(user=self.request.user, tenant_id=str(self.kwargs["tenant_id"]))  # type: ignore[attr-defined]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        context.update(
            customer=self.membership.customer,
            customer_membership=self.membership,
            nav_section=self.nav_section,
            switcher_customer_memberships=customer_memberships_for_user(user=self.request.user),  # type: ignore[attr-defined]
        )
        return context


class CustomerOverviewView(CustomerAdminCenterMixin, TemplateView):
    template_name = "customers/overview.html"


class CustomerPartnersView(CustomerAdminCenterMixin, TemplateView):
    """Customer admin center → Partner relationships: who resells to us, since when, what they asked."""

    template_name = "customers/partners.html"
    nav_section = "partners"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from relationships.models import DelegatedAdminGrant
        from relationships.selectors import relationships_for_customer

        context = super().get_context_data(**kwargs)
        customer = self.membership.customer
        context["relationships"] = relationships_for_customer(customer=customer)
        context["grants"] = DelegatedAdminGrant.objects.filter(customer=customer).select_related("partner").order_by("-requested_at")
        return context
