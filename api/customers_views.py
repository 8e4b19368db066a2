"""/api/v1/customers: the partner's customers (tenants with an active relationship)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from api.customers_serializers import (
    CustomerCreateSerializer,
    CustomerListQuerySerializer,
    CustomerSerializer,
    PartnerCreatedCustomerSerializer,
)
from api.views import PartnerApiMixin
from partnercenter.api.idempotency import idempotent_create
from partnercenter.api.pagination import ApiCursorPagination
from partnercenter.no_store import carries_secret
from partners.permissions import ApiScope
from relationships.selectors import customer_list_for_partner
from workflows.customer_creation import customer_create_for_partner

UUID_PATTERN = r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"


class CustomerPagination(ApiCursorPagination):
    ordering = ("-established_at", "-id")


@carries_secret
class CustomerViewSet(PartnerApiMixin, viewsets.GenericViewSet):
    serializer_class = CustomerSerializer
    pagination_class = CustomerPagination
    lookup_field = "tenant_id"
    lookup_value_regex = UUID_PATTERN
    required_scopes = {"list": ApiScope.CUSTOMERS_READ, "retrieve": ApiScope.CUSTOMERS_READ, "create": ApiScope.CUSTOMERS_WRITE}
    idempotent_actions = frozenset({"create"})
    etag_actions = frozenset({"retrieve", "create"})

    def get_queryset(self) -> Any:
        return customer_list_for_partner(partner=self.partner)

    @extend_schema(parameters=[CustomerListQuerySerializer], responses=CustomerSerializer(many=True))
    def list(self, request: Request) -> Response:
        """The partner's customers, most recent relationship first."""
        filters = self.parse_query(CustomerListQuerySerializer)
        rows = customer_list_for_partner(partner=self.partner, q=filters.get("q", "")).values(*CustomerSerializer.ROW_FIELDS)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(CustomerSerializer(page, many=True).data)

    def retrieve(self, request: Request, tenant_id: str) -> Response:
        """One customer by tenant id; a tenant without an active relationship with this partner answers 404."""
        relationship = (customer_list_for_partner(partner=self.partner).filter(customer__tenant_id=tenant_id)
                        .values(*CustomerSerializer.ROW_FIELDS).first())
        if relationship is None:
            raise Http404
        return self.represent(CustomerSerializer(relationship).data)

    @extend_schema(request=CustomerCreateSerializer, responses={201: PartnerCreatedCustomerSerializer}, examples=[
        OpenApiExample("A new tenant for Northwind", request_only=True, value={
            "company_name": "Northwind Traders", "primary_domain": "northwind.example", "country": "JP",
            "admin_email": "it@northwind.example", "language": "ja", "include_delegated_admin": False}),
    ])
    def create(self, request: Request) -> Response:
        """Create a new customer, as Partner Center does: the tenant (status `pending_acceptance`) and a reseller
        invitation emailed to its first global admin. When the admin accepts, the admin joins this tenant and
        the customer appears in `GET /customers`; until then `GET /customers/{tenant_id}` answers 404.
        `Location` names the invitation, which tracks the acceptance."""
        body = CustomerCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data

        def create() -> Response:
            created = customer_create_for_partner(
                membership=self.membership, company_name=data["company_name"], primary_domain=data["primary_domain"],
                country=data["country"], admin_email=data["admin_email"], language=data["language"],
                include_delegated_admin=data["include_delegated_admin"],
            )
            invitation = created.invitation
            location = request.build_absolute_uri(reverse("api:invitation-detail", kwargs={"pk": invitation.pk}))
            representation = PartnerCreatedCustomerSerializer({
                "customer": created.customer,
                "invitation": {"id": invitation.pk, "status": invitation.status, "sent_to": invitation.sent_to,
                               "expires_at": invitation.expires_at, "url": location},
            }).data
            return self.represent(representation, status_code=status.HTTP_201_CREATED, headers={"Location": location})

        return idempotent_create(request, partner=self.partner, create=create)
