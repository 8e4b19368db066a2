"""Reads over service requests: always from the partner's or the customer's side, never across."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from servicerequests.choices import ServiceRequestStatus
from servicerequests.models import ServiceRequest, ServiceRequestNote

if TYPE_CHECKING:
    from customers.models import Customer
    from partners.models import Partner


def service_requests_for(*, partner: Partner, customer: Customer) -> QuerySet[ServiceRequest]:
    """This partner's requests for this customer (the Customers page row expansion shows them)."""
    return ServiceRequest.objects.filter(partner=partner, customer=customer).order_by("-created_at", "-id")


def service_request_list_for_partner(
    *, partner: Partner, status: str = "", customer_tenant_id: str = "", q: str = ""
) -> QuerySet[ServiceRequest]:
    queryset = (ServiceRequest.objects.filter(partner=partner).select_related("customer")
                .annotate(note_count=Count("notes")).order_by("-created_at", "-id"))
    if status in ServiceRequestStatus.values:
        queryset = queryset.filter(status=status)
    if customer_tenant_id:
        queryset = queryset.filter(customer__tenant_id=customer_tenant_id)
    if q:
        queryset = queryset.filter(Q(title__icontains=q) | Q(customer__company_name__icontains=q))
    return queryset


def service_request_get_for_partner(*, partner: Partner, pk: int) -> ServiceRequest:
    """One of the partner's requests; another partner's answers 404."""
    try:
        return ServiceRequest.objects.select_related("customer", "partner").get(partner=partner, pk=pk)
    except (ServiceRequest.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def service_requests_for_customer(*, customer: Customer, status: str = "") -> QuerySet[ServiceRequest]:
    """Every request filed on the customer's behalf, by any of its partners."""
    queryset = (ServiceRequest.objects.filter(customer=customer).select_related("partner")
                .annotate(note_count=Count("notes")).order_by("-created_at", "-id"))
    if status in ServiceRequestStatus.values:
        queryset = queryset.filter(status=status)
    return queryset


def service_request_get_for_customer(*, customer: Customer, pk: int) -> ServiceRequest:
    try:
        return ServiceRequest.objects.select_related("customer", "partner").get(customer=customer, pk=pk)
    except (ServiceRequest.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def service_request_notes(*, service_request: ServiceRequest) -> QuerySet[ServiceRequestNote]:
    return service_request.notes.order_by("created_at", "id")
