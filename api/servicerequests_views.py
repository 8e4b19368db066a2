"""/api/v1/service-requests: requests the partner files on its customers' behalf."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.servicerequests_serializers import (
    ServiceRequestCreateSerializer,
    ServiceRequestListQuerySerializer,
    ServiceRequestNoteCreateSerializer,
    ServiceRequestSerializer,
    ServiceRequestSummarySerializer,
    ServiceRequestUpdateSerializer,
)
from api.views import PartnerApiMixin
from partnercenter.api.etag import compute_etag, require_if_match
from partnercenter.api.idempotency import idempotent_create
from partnercenter.api.pagination import ApiCursorPagination
from partners.permissions import ApiScope
from relationships.selectors import active_customers_for_partner
from servicerequests.models import ServiceRequest
from servicerequests.selectors import service_request_get_for_partner, service_request_list_for_partner
from servicerequests.services import (
    ServiceRequestError,
    service_request_create,
    service_request_note_add,
    service_request_set_status,
)

ID_PATTERN = r"[0-9]{1,18}"


class ServiceRequestPagination(ApiCursorPagination):
    ordering = ("-created_at", "-id")


def representation(*, partner: Any, pk: int) -> dict[str, Any]:
    service_request = service_request_get_for_partner(partner=partner, pk=pk)
    return ServiceRequestSerializer(service_request).data


class ServiceRequestViewSet(PartnerApiMixin, viewsets.GenericViewSet):
    """Service requests filed on customers' behalf.

    Filing needs an active relationship; the key's `service_requests:write` scope acts as an admin
    agent, who may file even after the customer removed the partner's admin roles.
    """

    serializer_class = ServiceRequestSerializer
    pagination_class = ServiceRequestPagination
    lookup_value_regex = ID_PATTERN
    required_scopes = {
        "list": ApiScope.SERVICE_REQUESTS_READ, "retrieve": ApiScope.SERVICE_REQUESTS_READ,
        "create": ApiScope.SERVICE_REQUESTS_WRITE, "partial_update": ApiScope.SERVICE_REQUESTS_WRITE,
        "notes": ApiScope.SERVICE_REQUESTS_WRITE,
    }
    idempotent_actions = frozenset({"create", "notes"})
    if_match_actions = {"partial_update": True, "notes": False}
    etag_actions = frozenset({"retrieve", "create", "partial_update", "notes"})

    def get_queryset(self) -> Any:
        return service_request_list_for_partner(partner=self.partner)

    @extend_schema(parameters=[ServiceRequestListQuerySerializer], responses=ServiceRequestSummarySerializer(many=True))
    def list(self, request: Request) -> Response:
        """The partner's service requests, newest first, filtered by status and customer."""
        filters = self.parse_query(ServiceRequestListQuerySerializer)
        queryset = service_request_list_for_partner(partner=self.partner, status=filters.get("status", ""),
                                                    customer_tenant_id=str(filters.get("customer_tenant_id") or ""))
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(ServiceRequestSummarySerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        """One service request with its notes thread, and its ETag."""
        return self.represent(representation(partner=self.partner, pk=int(pk)))

    @extend_schema(request=ServiceRequestCreateSerializer, responses={201: ServiceRequestSerializer}, examples=[
        OpenApiExample("Mailbox cannot receive mail", request_only=True, value={
            "customer_tenant_id": "2fa3a8dc-40bf-4558-a6b5-b688c9cc9446", "title": "Mailbox cannot receive external mail",
            "description": "Since 09:00 UTC, mail from outside the tenant bounces with 550 5.7.1.", "severity": "high"}),
    ])
    def create(self, request: Request) -> Response:
        """File a service request on a customer's behalf (status `open`); raises `service_request.created`."""
        body = ServiceRequestCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data

        def create() -> Response:
            customer = active_customers_for_partner(partner=self.partner).filter(tenant_id=data["customer_tenant_id"]).first()
            if customer is None:
                raise ServiceRequestError("not_your_customer", _("Choose one of your customers."), field="customer_tenant_id")
            service_request = service_request_create(membership=self.membership, customer=customer, title=data["title"],
                                                     description=data["description"], severity=data["severity"])
            location = request.build_absolute_uri(reverse("api:service-request-detail", kwargs={"pk": service_request.pk}))
            return self.represent(representation(partner=self.partner, pk=service_request.pk),
                                  status_code=status.HTTP_201_CREATED, headers={"Location": location})

        return idempotent_create(request, partner=self.partner, create=create)

    @extend_schema(request=ServiceRequestUpdateSerializer, responses=ServiceRequestSerializer, examples=[
        OpenApiExample("Work started", request_only=True, value={"status": "in_progress"}),
        OpenApiExample("Waiting for the customer", request_only=True, value={"status": "attention_needed"}),
    ])
    def partial_update(self, request: Request, pk: str) -> Response:
        """Change the status (If-Match required). Raises `service_request.updated`, or `service_request.closed`;
        the current status again changes nothing and raises no event."""
        body = ServiceRequestUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with transaction.atomic():
            service_request = ServiceRequest.objects.select_for_update(of=("self",)).filter(
                partner=self.partner, pk=int(pk)).first()
            if service_request is None:

                raise Http404
            require_if_match(request, compute_etag(representation(partner=self.partner, pk=service_request.pk)), required=True)
            service_request_set_status(service_request=service_request, membership=self.membership,
                                       status=body.validated_data["status"])
        return self.represent(representation(partner=self.partner, pk=service_request.pk))

    @extend_schema(operation_id="service_requests_notes_create", request=ServiceRequestNoteCreateSerializer,
                   responses={201: ServiceRequestSerializer},
                   examples=[OpenApiExample("Asking the customer", request_only=True,
                                            value={"body": "Could you confirm the affected mailbox addresses?"})])
    @action(detail=True, methods=["post"])
    def notes(self, request: Request, pk: str) -> Response:
        """Add a note to the thread (the customer sees it in its admin center); raises `service_request.note_added`."""
        body = ServiceRequestNoteCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        service_request = service_request_get_for_partner(partner=self.partner, pk=int(pk))

        def create() -> Response:
            with transaction.atomic():
                require_if_match(request, compute_etag(representation(partner=self.partner, pk=service_request.pk)), required=False)
                service_request_note_add(service_request=service_request, membership=self.membership, body=body.validated_data["body"])
            return self.represent(representation(partner=self.partner, pk=service_request.pk), status_code=status.HTTP_201_CREATED)

        return idempotent_create(request, partner=self.partner, create=create)
