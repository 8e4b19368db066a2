"""Graph JSON (camelCase) of grants, access assignments, operations and requests, with their ETags.

An entity's ETag is a weak tag over its JSON without the `@odata.*` annotations, so it changes
whenever anything a client can see changes (the same recipe as /api/v1's ETags).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from graphcompat.durations import format_days
from graphcompat.status import graph_status
from partnercenter.api.etag import compute_etag
from relationships.graph_ids import grant_graph_id

if TYPE_CHECKING:
    from relationships.models import AccessAssignment, DelegatedAdminGrant, GrantActionRequest, GrantOperation

AUTO_EXTEND_DAYS = 180


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def graph_time(value: datetime | None) -> str | None:
    return None if value is None else _utc(value)


def entity_etag(entity: dict[str, Any]) -> str:
    return "W/" + compute_etag({key: value for key, value in entity.items() if not key.startswith("@odata.")})


def with_annotations(entity: dict[str, Any], *, context: str) -> dict[str, Any]:
    return {"@odata.context": context, "@odata.etag": entity_etag(entity), **entity}


def unified_roles(role_ids: list[str]) -> dict[str, Any]:
    return {"unifiedRoles": [{"roleDefinitionId": role_id} for role_id in role_ids]}


def relationship_entity(grant: DelegatedAdminGrant) -> dict[str, Any]:
    modified = max(t for t in (grant.modified_at, grant.requested_at, grant.starts_at, grant.terminated_at) if t is not None)
    return {
        "id": grant_graph_id(grant),
        "displayName": grant.display_name,
        "duration": format_days(grant.duration_days),
        "autoExtendDuration": format_days(AUTO_EXTEND_DAYS if grant.auto_extend else 0),
        "status": graph_status(grant.status),
        "customer": {"tenantId": str(grant.customer.tenant_id), "displayName": grant.customer.company_name},
        "accessDetails": unified_roles(list(grant.roles)),
        "createdDateTime": _utc(grant.requested_at),
        "lastModifiedDateTime": _utc(modified),
        "activatedDateTime": graph_time(grant.starts_at),
        "endDateTime": graph_time(grant.ends_at),
    }


def assignment_entity(assignment: AccessAssignment, *, status: str = "active") -> dict[str, Any]:
    return {
        "id": str(assignment.graph_guid),
        "status": status,
        "accessContainer": {"accessContainerId": assignment.partner_role, "accessContainerType": "securityGroup"},
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
        "serviceManagementDetails": [],
    }
