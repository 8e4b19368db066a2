"""/v1.0/tenantRelationships/delegatedAdminCustomers: customers where the partner holds active admin roles,
and each one's serviceManagementDetails (the partner console's pages that manage it)."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import Http404, HttpRequest, JsonResponse

from graphcompat.base import GraphCollectionView, GraphView
from graphcompat.collections import CollectionQuery
from graphcompat.representations import CUSTOMER_TYPE, SERVICE_DETAIL_TYPE, customer_entity, service_management_details
from graphcompat.selectors import delegated_admin_customers


def _customer(partner: Any, tenant_id: str) -> Any:
    try:
        tenant = uuid.UUID(tenant_id)
    except ValueError as exc:
        raise Http404 from exc
    customer = delegated_admin_customers(partner=partner).filter(tenant_id=tenant).first()
    if customer is None:
        raise Http404
    return customer


class DelegatedAdminCustomerCollectionView(GraphCollectionView):
    odata_type = CUSTOMER_TYPE
    context_set = "delegatedAdminCustomers"

    def rows(self, query: CollectionQuery, **kwargs: Any) -> Any:
        return delegated_admin_customers(partner=self.partner)

    def represent(self, row: Any) -> dict[str, Any]:
        return customer_entity(row)


class DelegatedAdminCustomerItemView(GraphView):
    def get(self, request: HttpRequest, tenant_id: str) -> JsonResponse:
        customer = _customer(self.partner, tenant_id)
        return self.entity(customer_entity(customer), odata_type=CUSTOMER_TYPE, context="delegatedAdminCustomers/$entity")


class _Rows(list):
    """A list that pages like a queryset (slicing and count)."""

    def count(self) -> int:  # type: ignore[override]
        return len(self)


class ServiceManagementDetailCollectionView(GraphCollectionView):
    odata_type = SERVICE_DETAIL_TYPE
    context_set = "serviceManagementDetails"
    tagged = False  # Graph's service management details carry no @odata.etag

    def context_fragment(self, **kwargs: Any) -> str:
        return f"delegatedAdminCustomers/{kwargs['tenant_id']}/serviceManagementDetails"

    def rows(self, query: CollectionQuery, **kwargs: Any) -> Any:
        customer = _customer(self.partner, kwargs["tenant_id"])
        return _Rows(service_management_details(partner=self.partner, customer=customer, absolute=self.request.build_absolute_uri))

    def represent(self, row: Any) -> dict[str, Any]:
        return row
