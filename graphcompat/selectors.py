"""Reads of the Graph-compatible surface, always from the key's partner (other partners' rows: 404)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from customers.models import Customer
from graphcompat.status import grant_statuses_for
from relationships.choices import GrantStatus, RelationshipStatus
from relationships.graph_ids import parse_grant_graph_id, partner_tenant_guid
from relationships.models import AccessAssignment, DelegatedAdminGrant, GrantActionRequest, GrantOperation

if TYPE_CHECKING:
    from partners.models import Partner

ORDER_FIELDS = {"createdDateTime": "requested_at", "status": "status", "displayName": "display_name"}


def relationships_for_partner(*, partner: Partner, filters: dict[str, str], orderby: list[tuple[str, bool]]) -> QuerySet[DelegatedAdminGrant]:
    queryset = DelegatedAdminGrant.objects.filter(partner=partner).select_related("partner", "customer")
    if "status" in filters:
        queryset = queryset.filter(status__in=grant_statuses_for(filters["status"]))
    if "customer/tenantId" in filters:
        try:
            queryset = queryset.filter(customer__tenant_id=uuid.UUID(filters["customer/tenantId"]))
        except ValueError:
            queryset = queryset.none()
    if "displayName" in filters:
        queryset = queryset.filter(display_name=filters["displayName"])
    ordering = [("-" if descending else "") + ORDER_FIELDS[name] for name, descending in orderby] or ["-requested_at"]
    return queryset.order_by(*ordering, "-pk")


def relationship_for_partner(*, partner: Partner, relationship_id: str, lock: bool = False) -> DelegatedAdminGrant:
    parsed = parse_grant_graph_id(relationship_id)
    if parsed is None or parsed[1] != partner_tenant_guid(partner):
        raise Http404
    queryset = DelegatedAdminGrant.objects.select_related("partner", "customer")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    grant = queryset.filter(partner=partner, graph_guid=parsed[0]).first()
    if grant is None:
        raise Http404
    return grant


def _guid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise Http404 from exc


def assignment_for_grant(*, grant: DelegatedAdminGrant, assignment_id: str) -> AccessAssignment:
    assignment = grant.access_assignments.filter(graph_guid=_guid(assignment_id)).first()
    if assignment is None:
        raise Http404
    return assignment


def operation_for_grant(*, grant: DelegatedAdminGrant, operation_id: str) -> GrantOperation:
    operation = grant.operations.filter(graph_guid=_guid(operation_id)).first()
    if operation is None:
        raise Http404
    return operation


def request_for_grant(*, grant: DelegatedAdminGrant, request_id: str) -> GrantActionRequest:
    request = grant.action_requests.filter(graph_guid=_guid(request_id)).first()
    if request is None:
        raise Http404
    return request


def delegated_admin_customers(*, partner: Partner) -> QuerySet[Customer]:
    """Customers of the partner (active relationship) in which it holds an active grant."""
    return (Customer.objects.filter(grants__partner=partner, grants__status=GrantStatus.ACTIVE,
                                    relationships__partner=partner, relationships__status=RelationshipStatus.ACTIVE)
            .distinct().order_by("company_name", "pk"))


def active_customer_for_partner(*, partner: Partner, tenant_id: str) -> Customer | None:
    try:
        tenant = uuid.UUID(str(tenant_id))
    except ValueError:
        return None
    return Customer.objects.filter(tenant_id=tenant, relationships__partner=partner,
                                   relationships__status=RelationshipStatus.ACTIVE).first()
