"""Microsoft's published examples for the delegatedAdminRelationship family, kept verbatim with their source.

Each example is the request Microsoft Graph's v1.0 reference publishes (method, URL, body exactly as
printed); the response properties are the ones the resource reference documents, with their types.
Source: microsoftgraph/microsoft-graph-docs-contrib, api-reference/v1.0 (read 2026-12-07); every page is
also at https://learn.microsoft.com/graph/api/<page>?view=graph-rest-1.0.

Only what an integrator changes is changed when they are sent: the host (graph.microsoft.com → the test
server), the token, the ids in the URL (which name objects of Microsoft's own tenants; the tenant ids
*inside* bodies are kept: the test world has customers with exactly those tenant ids) and If-Match,
which the reference says to take from a GET. The request URLs below were checked against the pages
(2026-12-07); list/get/delete examples have no body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

DOCS = "https://learn.microsoft.com/graph/api/{page}?view=graph-rest-1.0"
REPO = "microsoftgraph/microsoft-graph-docs-contrib/api-reference/v1.0/api/{page}.md"


@dataclass(frozen=True)
class Example:
    page: str
    method: str
    url: str
    body: str | None = None  # the JSON text exactly as published
    python: str | None = None  # the Python SDK snippet's page (includes/snippets/python/…)

    @property
    def source(self) -> str:
        return DOCS.format(page=self.page)


CREATE_RELATIONSHIP = Example(
    "tenantrelationship-post-delegatedadminrelationships", "POST",
    "https://graph.microsoft.com/v1.0/tenantRelationships/delegatedAdminRelationships",
    """{
  "displayName": "Contoso admin relationship",
  "duration": "P730D",
  "customer": {
    "tenantId": "4b827261-d21f-4aa9-b7db-7fa1f56fb163",
    "displayName": "Contoso subsidiary Inc"
  },
  "accessDetails": {
    "unifiedRoles": [
      {
        "roleDefinitionId": "29232cdf-9323-42fd-ade2-1d097af3e4de"
      },
      {
        "roleDefinitionId": "3a2c62db-5318-420d-8d74-23affee5d9d5"
      }
    ]
  },
  "autoExtendDuration": "P180D"
}""", python="create-delegatedadminrelationship-from--python-snippets.md")

LIST_RELATIONSHIPS = Example("tenantrelationship-list-delegatedadminrelationships", "GET",
                             "https://graph.microsoft.com/v1.0/tenantRelationships/delegatedAdminRelationships")
GET_RELATIONSHIP = Example(
    "delegatedadminrelationship-get", "GET",
    "https://graph.microsoft.com/v1.0/tenantRelationships/delegatedAdminRelationships/5d027261-d21f-4aa9-b7db-7fa1f56fb163-8777b240-c6f0-4469-9e98-a3205431b836")

UPDATE_RELATIONSHIP = Example(
    "delegatedadminrelationship-update", "PATCH",
    "https://graph.microsoft.com/v1.0/tenantRelationships/delegatedAdminRelationships/5d027261-d21f-4aa9-b7db-7fa1f56fb163-8777b240-c6f0-4469-9e98-a3205431b836",
    """{
  "displayName": "Updated Contoso admin relationship",
  "duration": "P31D",
  "customer": {
    "tenantId": "52eaad04-13a2-4a2f-9ce8-93a294fadf36"
  },
  "accessDetails": {
    "unifiedRoles": [
      {
        "roleDefinitionId": "44367163-eba1-44c3-98af-f5787879f96a"
      },
      {
        "roleDefinitionId": "29232cdf-9323-42fd-ade2-1d097af3e4de"
      },
      {
        "roleDefinitionId": "69091246-20e8-4a56-aa4d-066075b2a7a8"
      },
      {
        "roleDefinitionId": "3a2c62db-5318-420d-8d74-23affee5d9d5"
      }
    ]
  }
}""", python="update-delegatedadminrelationship-python-snippets.md")

DELETE_RELATIONSHIP = Example(
    "delegatedadminrelationship-delete", "DELETE",
    "https://graph.microsoft.com/v1.0/tenantRelationships/delegatedAdminRelationships/5d027261-d21f-4aa9-b7db-7fa1f56fb163-8777b240-c6f0-4469-9e98-a3205431b836")

LOCK_FOR_APPROVAL = Example(
    "delegatedadminrelationship-post-requests", "POST",
    "https://graph.microsoft.com/v1.0/tenantRelationships/delegatedAdminRelationships/5d027261-d21f-4aa9-b7db-7fa1f56fb163-8777b240-c6f0-4469-9e98-a3205431b836/requests",
    """{
  "action": "lockForApproval"
}""", python="create-delegatedadminrelationshiprequest-from--python-snippets.md")
TERMINATE = Example(  # the same page documents `terminate` as an action of the same request
    "delegatedadminrelationship-post-requests", "POST",
    "https://graph.microsoft.com/v1.0/tenantRelationships/delegatedAdminRelationships/5d027261-d21f-4aa9-b7db-7fa1f56fb163-8777b240-c6f0-4469-9e98-a3205431b836/requests",
    """{
  "action": "terminate"
}""")
LIST_REQUESTS = Example(
    "delegatedadminrelationship-list-requests", "GET",
    "https://graph.microsoft.com/v1.0/tenantRelationships/delegatedAdminRelationships/5d027261-d21f-4aa9-b7db-7fa1f56fb163-8777b240-c6f0-4469-9e98-a3205431b836/requests")
GET_REQUEST = Example(
    "delegatedadminrelationshiprequest-get", "GET",
    "https://graph.microsoft.com/v1.0/tenantRelationships/delegatedAdminRelationships/5d027261-d21f-4aa9-b7db-7fa1f56fb163-8777b240-c6f0-4469-9e98-a3205431b836/requests/cf4a23c7-070c-4d1c-8be8-1e86085ac9d1")

CREATE_ASSIGNMENT = Example(
    "delegatedadminrelationship-post-accessassignments", "POST",
    "https://graph.microsoft.com/v1.0/tenantRelationships/delegatedAdminRelationships/72a7ae7e-4887-4e34-9755-2e1e9b26b943-63f017cb-9e0d-4f14-94bd-4871902b3409/accessAssignments",
    """{
  "accessContainer": {
    "accessContainerId": "869713c9-0b28-4d08-8949-ae07ae1bf528",
    "accessContainerType": "securityGroup"
  },
  "accessDetails": {
    "unifiedRoles": [
      {
        "roleDefinitionId": "29232cdf-9323-42fd-ade2-1d097af3e4de"
      },
      {
        "roleDefinitionId": "f2ef992c-3afb-46b9-b7cf-a126ee74c451"
      },
      {
        "roleDefinitionId": "729827e3-9c14-49f7-bb1b-9608f156bbb8"
      },
      {
        "roleDefinitionId": "3a2c62db-5318-420d-8d74-23affee5d9d5"
      }
    ]
  }
}""")
LIST_ASSIGNMENTS = Example(
    "delegatedadminrelationship-list-accessassignments", "GET",
    "https://graph.microsoft.com/v1.0/tenantRelationships/delegatedAdminRelationships/72a7ae7e-4887-4e34-9755-2e1e9b26b943-63f017cb-9e0d-4f14-94bd-4871902b3409/accessAssignments")
GET_ASSIGNMENT = Example(
    "delegatedadminaccessassignment-get", "GET",
    "https://graph.microsoft.com/v1.0/tenantRelationships/delegatedAdminRelationships/72a7ae7e-4887-4e34-9755-2e1e9b26b943-63f017cb-9e0d-4f14-94bd-4871902b3409/accessAssignments/da9d6cf90-083a-47dc-ace2-1da98be3f344")
UPDATE_ASSIGNMENT = Example(
    "delegatedadminaccessassignment-update", "PATCH",
    "https://graph.microsoft.com/v1.0/tenantRelationships/delegatedAdminRelationships/5e5594d3-6f82-458b-b567-77db4811f0cd-00000000-0000-0000-0000-000000001234/accessAssignments/da9d6cf90-083a-47dc-ace2-1da98be3f344",
    """{
  "accessDetails": {
    "unifiedRoles": [
      {
        "roleDefinitionId": "88d8e3e3-8f55-4a1e-953a-9b9898b8876b"
      },
      {
        "roleDefinitionId": "44367163-eba1-44c3-98af-f5787879f96a"
      },
      {
        "roleDefinitionId": "729827e3-9c14-49f7-bb1b-9608f156bbb8"
      }
    ]
  }
}""", python="update-delegatedadminaccessassignment-python-snippets.md")
DELETE_ASSIGNMENT = Example(
    "delegatedadminaccessassignment-delete", "DELETE",
    "https://graph.microsoft.com/v1.0/tenantRelationships/delegatedAdminRelationships/72a7ae7e-4887-4e34-9755-2e1e9b26b943-63f017cb-9e0d-4f14-94bd-4871902b3409/accessAssignments/a9d6cf90-083a-47dc-ace2-1da98be3f344")

LIST_OPERATIONS = Example(
    "delegatedadminrelationship-list-operations", "GET",
    "https://graph.microsoft.com/v1.0/tenantRelationships/delegatedAdminRelationships/5d027261-d21f-4aa9-b7db-7fa1f56fb163-8777b240-c6f0-4469-9e98-a3205431b836/operations")
GET_OPERATION = Example(
    "delegatedadminrelationshipoperation-get", "GET",
    "https://graph.microsoft.com/v1.0/tenantRelationships/delegatedAdminRelationships/5d027261-d21f-4aa9-b7db-7fa1f56fb163-8777b240-c6f0-4469-9e98-a3205431b836/operations/57e4479a-aafb-4d00-ab0f-8ce6027466cf")

LIST_CUSTOMERS = Example("tenantrelationship-list-delegatedadmincustomers", "GET",
                         "https://graph.microsoft.com/v1.0/tenantRelationships/delegatedAdminCustomers")
GET_CUSTOMER = Example("delegatedadmincustomer-get", "GET",
                       "https://graph.microsoft.com/v1.0/tenantRelationships/delegatedAdminCustomers/4fdbff88-9d6b-42e0-9713-45c922ba8001")
LIST_SERVICE_DETAILS = Example(
    "delegatedadmincustomer-list-servicemanagementdetails", "GET",
    "https://graph.microsoft.com/v1.0/tenantRelationships/delegatedAdminCustomers/4fdbff88-9d6b-42e0-9713-45c922ba8001/serviceManagementDetails")

# Partner Center REST: https://learn.microsoft.com/partner-center/developer/get-a-relationship-request-url
PARTNER_CENTER_LINK = Example("partner-center:get-a-relationship-request-url", "GET",
                              "https://api.partnercenter.microsoft.com/v1/customers/relationshiprequests")

# The customers Microsoft's examples name (by tenant id, in bodies and in delegatedAdminCustomers URLs).
EXAMPLE_TENANTS = {
    "4b827261-d21f-4aa9-b7db-7fa1f56fb163": "Contoso subsidiary Inc",
    "52eaad04-13a2-4a2f-9ce8-93a294fadf36": "Contoso Inc",
    "4fdbff88-9d6b-42e0-9713-45c922ba8001": "Contoso Inc (customers example)",
}
# The security group (accessContainerId) of the create-access-assignment example above.
EXAMPLE_GROUP_OBJECT_ID = "869713c9-0b28-4d08-8949-ae07ae1bf528"

# --- The documented properties and their types (resource pages of the same reference) -----------------

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
RELATIONSHIP_ID = re.compile(r"^[0-9a-f-]{73}$")
TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
DURATION = re.compile(r"^P(T0S|\d+D)$")


def _string(value: Any) -> bool:
    return isinstance(value, str)


def _time(value: Any) -> bool:
    return isinstance(value, str) and bool(TIME.match(value))


def _nullable_time(value: Any) -> bool:
    return value is None or _time(value)


def _enum(*values: str) -> Any:
    return lambda value: value in values


def _roles(value: Any) -> bool:
    return (isinstance(value, dict) and isinstance(value.get("unifiedRoles"), list)
            and all(isinstance(r, dict) and GUID.match(r.get("roleDefinitionId", "")) for r in value["unifiedRoles"]))


def _participant(value: Any) -> bool:
    return value is None or (isinstance(value, dict) and GUID.match(value.get("tenantId", "")) is not None
                             and _string(value.get("displayName")))


def _container(value: Any) -> bool:
    return isinstance(value, dict) and _string(value.get("accessContainerId")) and value.get("accessContainerType") == "securityGroup"


PROPERTIES: dict[str, dict[str, Any]] = {
    "#microsoft.graph.delegatedAdminRelationship": {  # resources/delegatedadminrelationship
        "id": lambda v: isinstance(v, str) and bool(RELATIONSHIP_ID.match(v)), "displayName": _string,
        "duration": lambda v: isinstance(v, str) and bool(DURATION.match(v)),
        "autoExtendDuration": _enum("PT0S", "P180D"),
        "status": _enum("activating", "active", "approvalPending", "approved", "created", "expired", "expiring",
                        "terminated", "terminating", "terminationRequested", "unknownFutureValue"),
        "customer": _participant, "accessDetails": _roles,
        "createdDateTime": _time, "lastModifiedDateTime": _time, "activatedDateTime": _nullable_time, "endDateTime": _nullable_time,
    },
    "#microsoft.graph.delegatedAdminRelationshipRequest": {  # resources/delegatedadminrelationshiprequest
        "id": lambda v: bool(GUID.match(v)), "action": _enum("lockForApproval", "approve", "terminate", "unknownFutureValue", "reject"),
        "status": _enum("created", "pending", "succeeded", "failed", "unknownFutureValue"),
        "createdDateTime": _time, "lastModifiedDateTime": _time,
    },
    "#microsoft.graph.delegatedAdminAccessAssignment": {  # resources/delegatedadminaccessassignment
        "id": lambda v: bool(GUID.match(v)), "status": _enum("pending", "active", "deleting", "deleted", "error", "unknownFutureValue"),
        "accessContainer": _container, "accessDetails": _roles, "createdDateTime": _time, "lastModifiedDateTime": _time,
    },
    "#microsoft.graph.delegatedAdminRelationshipOperation": {  # resources/delegatedadminrelationshipoperation
        "id": lambda v: bool(GUID.match(v)), "data": _string,
        "operationType": _enum("delegatedAdminAccessAssignmentUpdate", "unknownFutureValue", "delegatedAdminRelationshipUpdate"),
        "status": _enum("notStarted", "running", "succeeded", "failed", "unknownFutureValue"),
        "createdDateTime": _time, "lastModifiedDateTime": _time,
    },
    "#microsoft.graph.delegatedAdminCustomer": {  # resources/delegatedadmincustomer
        "id": lambda v: bool(GUID.match(v)), "tenantId": lambda v: bool(GUID.match(v)), "displayName": _string,
    },
    "#microsoft.graph.delegatedAdminServiceManagementDetail": {  # resources/delegatedadminservicemanagementdetail
        "id": lambda v: bool(GUID.match(v)), "serviceName": _string, "serviceManagementUrl": _string,
    },
}


def problems(entity: dict[str, Any], odata_type: str) -> list[str]:
    """What differs from the documented shape: missing properties, wrong types, a wrong @odata.type."""
    found = [] if entity.get("@odata.type") == odata_type else [f"@odata.type {entity.get('@odata.type')!r}"]
    for name, valid in PROPERTIES[odata_type].items():
        if name not in entity:
            found.append(f"{name} missing")
        elif not valid(entity[name]):
            found.append(f"{name}={entity[name]!r}")
    return found
