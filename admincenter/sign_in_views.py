"""Customer admin center → Sign-in log: the tenant's users' sign-ins, for its global admins."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponseBase
from django.views.generic import TemplateView

from accounts.sign_in_selectors import sign_in_events_for_users
from admincenter.customers_views import CustomerAdminCenterMixin
from customers.choices import CustomerRole
from customers.models import CustomerMembership

SIGN_IN_PAGE_SIZE = 50


class CustomerSignInLogView(CustomerAdminCenterMixin, TemplateView):
    """Other tenants answer 404 (the mixin); members who are not global admins 403 (IPs, browsers)."""

    template_name = "customers/sign_in_log.html"
    nav_section = "sign_in_log"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and self.membership.role != CustomerRole.GLOBAL_ADMIN:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        tenant_users = CustomerMembership.objects.filter(customer=self.membership.customer).values("user_id")
        paginator = Paginator(sign_in_events_for_users(user_ids=tenant_users), SIGN_IN_PAGE_SIZE)
        context["page"] = paginator.get_page(self.request.GET.get("page"))
        context["retention_days"] = settings.SIGN_IN_EVENT_RETENTION_DAYS
        return context
