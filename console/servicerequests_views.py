"""Partner console → Service requests, and the customer admin center's view of them."""

from __future__ import annotations

import uuid
from functools import cached_property
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from console.exports import ExportColumn, ListExportMixin
from console.mixins import PartnerConsoleMixin
from console.saved_views import ListToolsMixin
from console.servicerequests_forms import NoteForm, ServiceRequestForm
from customers.models import Customer
from partnercenter.errors import DomainError
from partnercenter.params import text_param
from partners.choices import SavedViewList
from partners.permissions import PartnerPermission
from relationships.selectors import active_customers_for_partner, relationship_for_partner_customer
from servicerequests.choices import SERVICE_REQUEST_TRANSITIONS, ServiceRequestStatus
from servicerequests.models import ServiceRequest
from servicerequests.permissions import filing_decision
from servicerequests.selectors import (
    service_request_get_for_partner,
    service_request_list_for_partner,
    service_request_notes,
)
from servicerequests.services import (
    service_request_create,
    service_request_note_add,
    service_request_set_status,
)
from workflows.export_columns import service_request_export_columns


class ServiceRequestListView(ListToolsMixin, PartnerConsoleMixin, TemplateView):
    """Every request the partner filed, filtered by status and customer; or one customer's (tenant in the URL)."""

    template_name = "servicerequests/list.html"
    permission = PartnerPermission.VIEW_CUSTOMERS
    nav_section = "service_requests"
    saved_view_list = SavedViewList.SERVICE_REQUESTS
    export_filename = "service-requests"

    @cached_property
    def fixed_customer(self) -> Customer | None:
        if "tenant_id" not in self.kwargs:
            return None
        return relationship_for_partner_customer(partner=self.partner, tenant_id=str(self.kwargs["tenant_id"])).customer

    def filters(self) -> dict[str, str]:
        fixed_customer = self.fixed_customer
        return {
            "status": text_param(self.request.GET, "status", max_length=20),
            "customer_tenant_id": str(fixed_customer.tenant_id) if fixed_customer else text_param(self.request.GET, "customer", max_length=36),
            "q": text_param(self.request.GET, "q"),
        }

    def filtered_queryset(self) -> QuerySet[ServiceRequest]:
        filters = self.filters()
        try:
            uuid.UUID(filters["customer_tenant_id"] or "00000000-0000-0000-0000-000000000000")
        except ValueError:  # a malformed tenant id in the filter: no match rather than an error page
            return ServiceRequest.objects.none()
        return service_request_list_for_partner(partner=self.partner, **filters)

    def export_columns(self) -> list[ExportColumn]:
        return service_request_export_columns()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        fixed_customer = self.fixed_customer
        filters = self.filters()
        status, customer_filter, q = filters["status"], filters["customer_tenant_id"], filters["q"]
        page = Paginator(self.filtered_queryset(), 25).get_page(self.request.GET.get("page"))
        context.update(
            page=page, status=status, q=q, customer_filter=customer_filter, fixed_customer=fixed_customer,
            statuses=ServiceRequestStatus.choices, customers=active_customers_for_partner(partner=self.partner),
            querystring=f"status={status}&customer={customer_filter}&q={q}",
        )
        return context


class ServiceRequestExportView(ListExportMixin, ServiceRequestListView):  # type: ignore[misc]  # get() answers a streamed file, not an HttpResponse
    """The Service requests list as CSV or XLSX, with its status, customer and search filters."""


class ServiceRequestCreateView(PartnerConsoleMixin, FormView):
    template_name = "servicerequests/create.html"
    form_class = ServiceRequestForm
    permission = PartnerPermission.VIEW_CUSTOMERS
    nav_section = "service_requests"

    def customers(self) -> list[Any]:
        return list(active_customers_for_partner(partner=self.partner))

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["customers"] = [(str(c.tenant_id), f"{c.company_name} ({c.primary_domain})") for c in self.customers()]
        return kwargs

    def get_initial(self) -> dict[str, Any]:
        return {"customer": self.request.GET.get("customer", "")}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        chosen = self.request.POST.get("customer") or self.request.GET.get("customer", "")
        customer = next((c for c in self.customers() if str(c.tenant_id) == chosen), None)
        context["decision"] = filing_decision(membership=self.membership, customer=customer) if customer else None
        context["chosen_customer"] = customer
        return context

    def form_valid(self, form: ServiceRequestForm) -> HttpResponse:
        data = form.cleaned_data
        customer = next((c for c in self.customers() if str(c.tenant_id) == data["customer"]), None)
        if customer is None:
            form.add_error("customer", _("Choose one of your customers."))
            return self.form_invalid(form)
        try:
            service_request = service_request_create(membership=self.membership, customer=customer, title=data["title"],
                                                     description=data["description"], severity=data["severity"])
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, _("Service request %(number)s filed for %(customer)s.")
                         % {"number": service_request.number, "customer": customer.company_name})
        return redirect("service_requests:detail", partner_id=self.partner.partner_id, pk=service_request.pk)


class ServiceRequestDetailView(PartnerConsoleMixin, TemplateView):
    template_name = "servicerequests/detail.html"
    permission = PartnerPermission.VIEW_CUSTOMERS
    nav_section = "service_requests"

    def get_object(self) -> ServiceRequest:
        return service_request_get_for_partner(partner=self.partner, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        service_request = kwargs.get("service_request") or self.get_object()
        decision = filing_decision(membership=self.membership, customer=service_request.customer)
        context.update(
            service_request=service_request, notes=service_request_notes(service_request=service_request), decision=decision,
            next_statuses=[(s, ServiceRequestStatus(s).label) for s in ServiceRequestStatus.values
                           if s in SERVICE_REQUEST_TRANSITIONS[service_request.status]],
            note_form=kwargs.get("note_form") or NoteForm(),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        service_request = self.get_object()
        try:
            if request.POST.get("action") == "status":
                updated, changed = service_request_set_status(service_request=service_request, membership=self.membership,
                                                              status=request.POST.get("status", ""))
                if changed:
                    messages.success(request, _("%(number)s is now %(status)s.")
                                     % {"number": updated.number, "status": updated.get_status_display()})
                else:
                    messages.info(request, _("Nothing changed."))
            else:
                form = NoteForm(request.POST)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(service_request=service_request, note_form=form), status=400)
                service_request_note_add(service_request=service_request, membership=self.membership, body=form.cleaned_data["body"])
                messages.success(request, _("Note added."))
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("service_requests:detail", partner_id=self.partner.partner_id, pk=service_request.pk)
