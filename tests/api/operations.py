"""Every operation of the live OpenAPI schema, with a request aimed at partner A's objects.

Tests walk this list, so an endpoint added to the API is covered by the scope and tenancy
sweeps without anyone remembering to add it (an operation without a request recipe fails).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from partnercenter.directory_roles import BUNDLES

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    path: str  # with {placeholders}
    scope: str | None

    @property
    def has_path_object(self) -> bool:
        return "{" in self.path

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.path}"


def schema_operations() -> list[Operation]:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        Operation(operation["operationId"], method, path, operation.get("x-required-scope"))
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def path_for(operation: Operation, objects: dict[str, Any]) -> str:
    """Fill the path with partner A's objects (`objects` from the `world` fixture)."""
    path = operation.path
    ids = {
        "/api/v1/invitations/": objects["invitation"].pk,
        "/api/v1/grants/": objects["grant"].pk,
        "/api/v1/relationships/": objects["relationship"].pk,
        "/api/v1/webhooks/subscriptions/": objects["subscription"].pk,
        "/api/v1/webhooks/deliveries/": objects["delivery"].pk,
        "/api/v1/service-requests/": objects["service_request"].pk,
        "/api/v1/invitation-batches/": objects["invitation_batch"].pk if "invitation_batch" in objects else 0,
        "/api/v1/delegated-admin-batches/": objects["delegated_admin_batch"].pk if "delegated_admin_batch" in objects else 0,
        "/api/v1/saved-views/": objects["saved_view"].pk if "saved_view" in objects else 0,  # issue 24, item 3
    }
    for prefix, pk in ids.items():
        if path.startswith(prefix):
            path = path.replace("{id}", str(pk))
    if "security_group" in objects:  # issue 23
        path = path.replace("{object_id}", str(objects["security_group"].object_id))
        path = path.replace("{member_id}", str(objects["security_group_member"].pk))
    if "customer_note" in objects:  # issue 24, item 5
        path = path.replace("{note_id}", str(objects["customer_note"].pk))
    return path.replace("{tenant_id}", str(objects["customer"].tenant_id))


def request_for(operation: Operation, objects: dict[str, Any]) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """A valid body and headers for the operation (If-Match `*` where one is required)."""
    bodies: dict[str, dict[str, Any]] = {
        "invitations_create": {"include_delegated_admin": True},
        "grant_requests_create": {"customer_tenant_id": str(objects["customer"].tenant_id),
                                  "roles": list(BUNDLES["helpdesk"][1])},
        "grants_terminate_create": {"reason": "sweep"},
        "grants_access_assignments_update": {"assignments": {}},
        "webhooks_subscriptions_create": {"url": "http://127.0.0.1:9/new", "event_types": ["invitation.created"]},
        "webhooks_subscriptions_partial_update": {"description": "changed"},
        "customers_create": {"company_name": "Sweep Co", "primary_domain": "sweep-co.example", "country": "JP",
                             "admin_email": "admin@sweep-co.example", "include_delegated_admin": True},
        "service_requests_create": {"customer_tenant_id": str(objects["customer"].tenant_id), "title": "Sweep",
                                    "description": "Filed by the sweep."},
        "service_requests_partial_update": {"status": "in_progress"},
        "service_requests_notes_create": {"body": "A note from the sweep."},
        "security_groups_create": {"name": "Sweep group", "description": "Made by the sweep."},
        "security_groups_partial_update": {"description": "changed"},
        "security_groups_members_create": {"email": objects["security_group_member"].user.email}
        if "security_group_member" in objects else {},

        "partner_settings_partial_update": {"default_duration_days": 365},
        "customers_tags_update": {"tags": ["Sweep", "VIP"]},
        "customers_notes_create": {"body": "A note from the sweep."},
        "customers_notes_partial_update": {"body": "Changed by the sweep."},
        "delegated_admin_batches_create": {"customers": [str(objects["customer"].tenant_id)], "role_bundle": "helpdesk"},
        "delegated_admin_batches_renewals_create": {"grant_ids": [objects["grant"].pk if "grant" in objects else 1]},  # issue 24: renewals
        "saved_views_create": {"list_name": "customers", "name": "Sweep view", "query_string": "dap=none&q=north"},
        "saved_views_partial_update": {"is_default": True},
        "invitation_batches_create": {"rows": [{"company": "Sweep Co", "recipient_email": "it@sweep-co.example",
                                                "domain": "sweep-co.example", "country": "JP"}]},
    }
    headers = {"HTTP_IF_MATCH": "*"} if operation.method in {"put", "patch", "delete"} else {}
    if operation.method == "get":
        return None, headers
    if operation.operation_id in bodies:
        return bodies[operation.operation_id], headers
    if operation.operation_id.endswith(("_resend_create", "_cancel_create", "_confirm_create", "_redeliver_create", "_rotate_secret_create",
                                        "_destroy")):
        return {}, headers
    raise AssertionError(f"tests/api/operations.py has no request recipe for {operation} ({operation.operation_id})")
