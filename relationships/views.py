"""Partner console → Customers: the customers who accepted, searchable, each row expandable."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.views.generic import TemplateView

from partners.mixins import PartnerConsoleMixin
from partners.permissions import PartnerPermission
from relationships.selectors import customer_list_for_partner, grants_for, relationship_for_partner_customer


class CustomerListView(PartnerConsoleMixin, TemplateView):
    template_name = "relationships/customers.html"
    permission = PartnerPermission.VIEW_CUSTOMERS
    nav_section = "customers"
    page_size = 25

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        q = self.request.GET.get("q", "").strip()[:200]
        sort = self.request.GET.get("sort", "name")
        page = Paginator(customer_list_for_partner(partner=self.partner, q=q, sort=sort), self.page_size).get_page(
            self.request.GET.get("page")
        )
        context.update(page=page, q=q, sort=sort, can_request=self.can(PartnerPermission.REQUEST_RELATIONSHIP))
        return context


class CustomerRowView(PartnerConsoleMixin, TemplateView):
    """The expanded row (htmx partial, also a plain page without JavaScript)."""

    permission = PartnerPermission.VIEW_CUSTOMERS
    nav_section = "customers"

    def get_template_names(self) -> list[str]:
        if self.request.headers.get("HX-Request"):
            return ["relationships/includes/customer_details.html"]
        return ["relationships/customer_detail.html"]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        relationship = relationship_for_partner_customer(partner=self.partner, tenant_id=str(self.kwargs["tenant_id"]))
        context.update(relationship=relationship, customer=relationship.customer,
                       grants=grants_for(partner=self.partner, customer=relationship.customer))
        return context
