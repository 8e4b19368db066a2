"""Graph JSON (camelCase) of grants, access assignments, operations, requests and customers, with their ETags.

An entity's ETag is a weak tag over its JSON without the `@odata.*` annotations, so it changes
whenever anything a client can see changes (the same recipe as /api/v1's ETags). Every entity
carries `@odata.type` (`#microsoft.graph.<type>`), as Graph's do.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.urls import NoReverseMatch, reverse

from graphcompat.durations import format_days
from graphcompat.status import assignment_status, graph_end, graph_status
from partnercenter.api.etag import compute_etag
from relationships.graph_ids import grant_graph_id

if TYPE_CHECKING:
    from relationships.models import AccessAssignment, DelegatedAdminGrant, GrantActionRequest, GrantOperation

AUTO_EXTEND_DAYS = 180

RELATIONSHIP_TYPE = "#microsoft.graph.delegatedAdminRelationship"
ASSIGNMENT_TYPE = "#microsoft.graph.delegatedAdminAccessAssignment"
OPERATION_TYPE = "#microsoft.graph.delegatedAdminRelationshipOperation"
REQUEST_TYPE = "#microsoft.graph.delegatedAdminRelationshipRequest"
CUSTOMER_TYPE = "#microsoft.graph.delegatedAdminCustomer"
SERVICE_DETAIL_TYPE = "#microsoft.graph.delegatedAdminServiceManagementDetail"

# The properties of each entity ($select chooses among them; navigation properties are not inline).
PROPERTIES: dict[str, frozenset[str]] = {
    RELATIONSHIP_TYPE: frozenset({"id", "displayName", "duration", "autoExtendDuration", "status", "customer", "accessDetails",
                                  "createdDateTime", "lastModifiedDateTime", "activatedDateTime", "endDateTime"}),
    ASSIGNMENT_TYPE: frozenset({"id", "status", "accessContainer", "accessDetails", "createdDateTime", "lastModifiedDateTime"}),
    OPERATION_TYPE: frozenset({"id", "operationType", "status", "data", "createdDateTime", "lastModifiedDateTime"}),
    REQUEST_TYPE: frozenset({"id", "action", "status", "createdDateTime", "lastModifiedDateTime"}),
    CUSTOMER_TYPE: frozenset({"id", "tenantId", "displayName"}),
    SERVICE_DETAIL_TYPE: frozenset({"id", "serviceName", "serviceManagementUrl"}),
}


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def graph_time(value: datetime | None) -> str | None:
    return None if value is None else _utc(value)


def entity_etag(entity: dict[str, Any]) -> str:
    return "W/" + compute_etag({key: value for key, value in entity.items() if not key.startswith("@odata.")})


def with_annotations(entity: dict[str, Any], *, odata_type: str, context: str | None = None, etag: str | None = None,
                     select: Iterable[str] | None = None, tagged: bool = True) -> dict[str, Any]:
    """`@odata.type`, `@odata.context` (single entities only, as Graph), `@odata.etag`, then the
    properties (only those of `$select` when given; the ETag is always the whole entity's)."""
    annotated: dict[str, Any] = {"@odata.type": odata_type}
    if context is not None:
        annotated["@odata.context"] = context
    if tagged:
        annotated["@odata.etag"] = etag or entity_etag(entity)
    chosen = set(select) if select else None
    annotated.update({key: value for key, value in entity.items() if chosen is None or key in chosen})
    return annotated


def unified_roles(role_ids: list[str]) -> dict[str, Any]:
    return {"unifiedRoles": [{"roleDefinitionId": role_id} for role_id in role_ids]}


def customer_participant(grant: DelegatedAdminGrant) -> dict[str, Any] | None:
    """The customer as the partner named it: the display name sent on create/update is kept."""
    customer = grant.customer  # a Graph draft may have none yet
    if customer is None:
        return None
    sent = getattr(grant, "customer_display_name", "")
    return {"tenantId": str(customer.tenant_id), "displayName": sent or customer.company_name}


def relationship_entity(grant: DelegatedAdminGrant) -> dict[str, Any]:
    modified = max(t for t in (grant.modified_at, grant.requested_at, grant.starts_at, grant.terminated_at) if t is not None)
    return {
        "id": grant_graph_id(grant),
        "displayName": grant.display_name,
        "duration": format_days(grant.duration_days),
        "autoExtendDuration": format_days(AUTO_EXTEND_DAYS if grant.auto_extend else 0),
        "status": graph_status(grant.status),
        "customer": customer_participant(grant),
        "accessDetails": unified_roles(list(grant.roles)),
        "createdDateTime": _utc(grant.requested_at),
        "lastModifiedDateTime": _utc(modified),
        "activatedDateTime": graph_time(grant.starts_at),
        "endDateTime": graph_time(graph_end(grant)),
    }


def container_id(assignment: AccessAssignment) -> str:
    """The security group's object id; a legacy assignment (no group) names its partner role."""
    group = assignment.security_group
    return str(group.object_id) if group is not None else assignment.partner_role


def assignment_entity(assignment: AccessAssignment, *, status: str | None = None) -> dict[str, Any]:
    return {
        "id": str(assignment.graph_guid),
        "status": status or assignment_status(assignment.grant),
        "accessContainer": {"accessContainerId": container_id(assignment), "accessContainerType": "securityGroup"},
        "accessDetails": unified_roles(list(assignment.roles)),
        "createdDateTime": _utc(assignment.created_at),
        "lastModifiedDateTime": _utc(max(assignment.created_at, assignment.updated_at)),
    }


def operation_entity(operation: GrantOperation) -> dict[str, Any]:
    return {
        "id": str(operation.graph_guid),
        "operationType": operation.operation_type,
        "status": operation.status,
        "data": json.dumps(operation.data, sort_keys=True, separators=(",", ":")),
        "createdDateTime": _utc(operation.created_at),
        "lastModifiedDateTime": _utc(operation.modified_at),
    }


def request_entity(request: GrantActionRequest) -> dict[str, Any]:
    return {
        "id": str(request.graph_guid),
        "action": request.action,
        "status": request.status,
        "createdDateTime": _utc(request.created_at),
        "lastModifiedDateTime": _utc(request.modified_at),
    }


def customer_entity(customer: Any) -> dict[str, Any]:
    return {
        "id": str(customer.tenant_id),
        "tenantId": str(customer.tenant_id),
        "displayName": customer.company_name,
    }


# The partner console's pages where the partner manages a customer's services (serviceManagementDetails).
SERVICE_PAGES = (
    ("Partner Center: users", "relationships:customer_users"),
    ("Partner Center: subscriptions", "subscriptions:list"),
    ("Partner Center: service requests", "service_requests:customer"),
)


def service_management_details(*, partner: Any, customer: Any, absolute: Any) -> list[dict[str, Any]]:
    """One detail per console page that manages the customer; ids are stable (uuid5 of tenant and page)."""
    details = []
    for name, url_name in SERVICE_PAGES:
        try:
            path = reverse(url_name, kwargs={"partner_id": partner.partner_id, "tenant_id": customer.tenant_id})
        except NoReverseMatch:
            continue
        details.append({"id": str(uuid.uuid5(customer.tenant_id, url_name)), "serviceName": name,
                        "serviceManagementUrl": absolute(path)})
    return details
