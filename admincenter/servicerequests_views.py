"""Partner console → Service requests, and the customer admin center's view of them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from admincenter.customers_views import CustomerAdminCenterMixin
from admincenter.servicerequests_forms import NoteForm
from customers.choices import CustomerRole
from partnercenter.errors import DomainError
from servicerequests.choices import ServiceRequestStatus
from servicerequests.models import ServiceRequest
from servicerequests.selectors import (
    service_request_get_for_customer,
    service_request_notes,
    service_requests_for_customer,
)
from servicerequests.services import (
    service_request_note_add_by_customer,
)


class CustomerServiceRequestListView(CustomerAdminCenterMixin, TemplateView):
    """What the customer's partners filed on its behalf (each partner's own, all shown to the customer)."""

    template_name = "servicerequests/customer_list.html"
    nav_section = "service_requests"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        status = self.request.GET.get("status", "")
        queryset = service_requests_for_customer(customer=self.membership.customer, status=status)
        context.update(page=Paginator(queryset, 25).get_page(self.request.GET.get("page")), status=status,
                       statuses=ServiceRequestStatus.choices, querystring=f"status={status}")
        return context


class CustomerServiceRequestDetailView(CustomerAdminCenterMixin, TemplateView):
    template_name = "servicerequests/customer_detail.html"
    nav_section = "service_requests"

    def get_object(self) -> ServiceRequest:
        return service_request_get_for_customer(customer=self.membership.customer, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        service_request = kwargs.get("service_request") or self.get_object()
        context.update(service_request=service_request, notes=service_request_notes(service_request=service_request),
                       can_note=self.membership.role == CustomerRole.GLOBAL_ADMIN and service_request.status != ServiceRequestStatus.CLOSED,
                       note_form=kwargs.get("note_form") or NoteForm())
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        service_request = self.get_object()
        form = NoteForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(service_request=service_request, note_form=form), status=400)
        assert request.user.is_authenticated  # LoginRequiredMixin lets only signed-in users through
        try:
            service_request_note_add_by_customer(service_request=service_request, user=request.user, body=form.cleaned_data["body"])
            messages.success(request, _("Note added; %(partner)s can read it now.") % {"partner": service_request.partner.name})
        except DomainError as error:
            if error.code == "forbidden":

                raise PermissionDenied(error.message) from error
            messages.error(request, error.message)
        return redirect("customer_service_requests:detail", tenant_id=self.membership.customer.tenant_id, pk=service_request.pk)
