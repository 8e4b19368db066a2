"""Customer admin center → one admin-role request, at the link emailed after lockForApproval:
/c/<tenant>/granularAdminRelationships/<relationship id>. GET shows it; only POST acts."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from admincenter.customers_views import CustomerAdminCenterMixin
from customers.choices import CustomerRole
from partnercenter.directory_roles import BY_ID
from partnercenter.errors import DomainError
from partnercenter.params import refuse_nul
from relationships.choices import GrantStatus
from relationships.graph_ids import parse_grant_graph_id, partner_tenant_guid
from relationships.models import DelegatedAdminGrant
from relationships.services import grant_approve, grant_reject


class GranularAdminRelationshipView(CustomerAdminCenterMixin, TemplateView):
    template_name = "graphcompat/approval.html"
    nav_section = "partners"

    def get_grant(self) -> DelegatedAdminGrant:
        parsed = parse_grant_graph_id(self.kwargs["relationship_id"])
        grant = None
        if parsed is not None:
            grant = (DelegatedAdminGrant.objects.select_related("partner", "customer")
                     .filter(customer=self.membership.customer, graph_guid=parsed[0])
                     .exclude(status=GrantStatus.CREATED).first())
        if grant is None or parsed is None or partner_tenant_guid(grant.partner) != parsed[1]:
            raise Http404
        return grant

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        grant = self.get_grant()
        context.update(grant=grant, catalog_roles=[BY_ID[r] for r in grant.roles if r in BY_ID],
                       can_act=self.membership.role == CustomerRole.GLOBAL_ADMIN,
                       pending=grant.status == GrantStatus.APPROVAL_PENDING)
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        grant = self.get_grant()
        if self.membership.role != CustomerRole.GLOBAL_ADMIN:
            raise PermissionDenied
        assert request.user.is_authenticated  # LoginRequiredMixin lets only signed-in users through
        try:
            if request.POST.get("action") == "approve":
                grant_approve(grant=grant, user=request.user)
                messages.success(request, _("Admin roles approved for %(partner)s.") % {"partner": grant.partner.name})
            elif request.POST.get("action") == "reject":
                grant_reject(grant=grant, user=request.user, reason=refuse_nul("reason", request.POST.get("reason", "")))
                messages.success(request, _("Request from %(partner)s rejected.") % {"partner": grant.partner.name})
            else:
                messages.error(request, _("Unknown action."))
        except DomainError as error:
            messages.error(request, error.message)
        return redirect(request.path)
