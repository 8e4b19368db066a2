"""/v1.0/tenantRelationships/delegatedAdminCustomers: customers where the partner holds active admin roles."""

from __future__ import annotations

import uuid

from django.http import Http404, HttpRequest, JsonResponse

from graphcompat.base import GraphView
from graphcompat.collections import page, parse_query
from graphcompat.representations import customer_entity, with_annotations
from graphcompat.selectors import delegated_admin_customers

COLLECTION = "tenantRelationships/delegatedAdminCustomers"


class DelegatedAdminCustomerCollectionView(GraphView):
    def get(self, request: HttpRequest) -> JsonResponse:
        query = parse_query(request)
        return JsonResponse(page(request, delegated_admin_customers(partner=self.partner), query, context=self.context_url(COLLECTION),
                                 represent=lambda row: with_annotations(customer_entity(row), context=self.context_url(f"{COLLECTION}/$entity"))))


class DelegatedAdminCustomerItemView(GraphView):
    def get(self, request: HttpRequest, tenant_id: str) -> JsonResponse:
        try:
            tenant = uuid.UUID(tenant_id)
        except ValueError as exc:
            raise Http404 from exc
        customer = delegated_admin_customers(partner=self.partner).filter(tenant_id=tenant).first()
        if customer is None:
            raise Http404
        return self.entity(customer_entity(customer), context=f"{COLLECTION}/$entity")
