"""/v1.0/tenantRelationships/delegatedAdminRelationships, its requests and its operations."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from graphcompat.base import GraphCollectionView, GraphView
from graphcompat.bodies import invalid, relationship_fields
from graphcompat.collections import CollectionQuery
from graphcompat.errors import GraphError
from graphcompat.representations import (
    OPERATION_TYPE,
    RELATIONSHIP_TYPE,
    REQUEST_TYPE,
    operation_entity,
    relationship_entity,
    request_entity,
)
from graphcompat.selectors import (
    operation_for_grant,
    relationship_for_partner,
    relationships_for_partner,
    request_for_grant,
)
from graphcompat.status import GRAPH_STATUSES, OPERATION_STATUSES, OPERATION_TYPES, REQUEST_ACTIONS, REQUEST_STATUSES
from relationships.choices import GrantStatus
from relationships.grant_drafts import (
    grant_draft_create,
    grant_draft_delete,
    grant_draft_update,
    grant_lock_for_approval,
    grant_terminate_by_request,
    grant_update_active,
)
from relationships.graph_ids import grant_graph_id
from relationships.models import DelegatedAdminGrant

COLLECTION = "tenantRelationships/delegatedAdminRelationships"
RETRY_AFTER_SECONDS = "5"
# Request actions Graph defines for an indirect reseller only (resellerDelegatedAdminRelationship): see docs/graph.md.
INDIRECT_RESELLER_ACTIONS = ("approve", "reject")


class RelationshipCollectionView(GraphCollectionView):
    odata_type = RELATIONSHIP_TYPE
    context_set = "delegatedAdminRelationships"
    filterable = {"status": GRAPH_STATUSES, "customer/tenantId": None, "displayName": None}
    orderable = frozenset({"createdDateTime", "status", "displayName"})

    def rows(self, query: CollectionQuery, **kwargs: Any) -> Any:
        return relationships_for_partner(partner=self.partner, filters=query.filters, orderby=query.orderby)

    def represent(self, row: Any) -> dict[str, Any]:
        return relationship_entity(row)

    def create(self, request: HttpRequest, **kwargs: Any) -> JsonResponse:
        values = relationship_fields(self.json_body(), partner=self.partner, required=True)
        grant = grant_draft_create(membership=self.membership, customer=values.get("customer"), display_name=values["display_name"],
                                   roles=values["roles"], duration_days=values["duration_days"],
                                   auto_extend=values.get("auto_extend", False),
                                   customer_display_name=values.get("customer_display_name", ""))
        return self.entity(relationship_entity(grant), odata_type=RELATIONSHIP_TYPE, context="delegatedAdminRelationships/$entity",
                           status=201, headers={"Location": self.relationship_url(grant_graph_id(grant))})


def _changed(grant: DelegatedAdminGrant, values: dict[str, Any]) -> dict[str, Any]:
    """Only what differs: a round-tripped object changes nothing."""
    current = {"display_name": grant.display_name, "duration_days": grant.duration_days, "auto_extend": grant.auto_extend,
               "roles": set(grant.roles), "customer": grant.customer_id,
               "customer_display_name": grant.customer_display_name}
    changed = {}
    for key, value in values.items():
        comparable = set(value) if key == "roles" else value.pk if key == "customer" else value
        if comparable != current[key]:
            changed[key] = value
    if "customer" in changed and "customer_display_name" not in values and grant.customer_display_name:
        changed["customer_display_name"] = ""  # another customer: its own name unless one is sent
    return changed


class RelationshipItemView(GraphView):
    def get(self, request: HttpRequest, relationship_id: str) -> JsonResponse:
        grant = relationship_for_partner(partner=self.partner, relationship_id=relationship_id)
        return self.entity(relationship_entity(grant), odata_type=RELATIONSHIP_TYPE, context="delegatedAdminRelationships/$entity")

    def patch(self, request: HttpRequest, relationship_id: str) -> HttpResponse:
        """In `created` anything writable may change; in `active` only autoExtendDuration, and
        removing Global Administrator (202 with the operation's Location); otherwise nothing."""
        body = self.json_body()
        with transaction.atomic():
            grant = relationship_for_partner(partner=self.partner, relationship_id=relationship_id, lock=True)
            self.if_match(relationship_entity(grant))
            changes = _changed(grant, relationship_fields(body, partner=self.partner, required=False))
            if grant.status != GrantStatus.CREATED and set(changes) == {"customer_display_name"}:
                changes = {}  # the customer's name as the partner sent it is only the draft's to keep
            operation = None
            if changes and grant.status == GrantStatus.CREATED:
                grant = grant_draft_update(grant=grant, membership=self.membership, changes=changes)
            elif changes and grant.status == GrantStatus.ACTIVE:
                if set(changes) - {"auto_extend", "roles"}:
                    raise invalid(_("After approval only autoExtendDuration can change (and Global Administrator be removed)."))
                clean = {key: value for key, value in body.items() if not key.startswith("@odata.")}
                grant, operation = grant_update_active(grant=grant, membership=self.membership, roles=changes.get("roles"),
                                                       auto_extend=changes.get("auto_extend"), request_data=clean)
            elif changes:
                raise invalid(_("Only a relationship in created status can be changed."))
        if operation is not None:
            return HttpResponse(status=202, headers={"Location": self.relationship_url(relationship_id, "operations", str(operation.graph_guid)),
                                                     "Retry-After": RETRY_AFTER_SECONDS})
        grant = relationship_for_partner(partner=self.partner, relationship_id=relationship_id)
        return self.entity(relationship_entity(grant), odata_type=RELATIONSHIP_TYPE, context="delegatedAdminRelationships/$entity")

    def delete(self, request: HttpRequest, relationship_id: str) -> HttpResponse:
        with transaction.atomic():
            grant = relationship_for_partner(partner=self.partner, relationship_id=relationship_id, lock=True)
            self.if_match(relationship_entity(grant))
            grant_draft_delete(grant=grant, membership=self.membership)
        return HttpResponse(status=204)


class RequestCollectionView(GraphCollectionView):
    odata_type = REQUEST_TYPE
    context_set = "requests"
    filterable = {"status": REQUEST_STATUSES, "action": REQUEST_ACTIONS}

    def rows(self, query: CollectionQuery, **kwargs: Any) -> Any:
        grant = relationship_for_partner(partner=self.partner, relationship_id=kwargs["relationship_id"])
        return grant.action_requests.filter(**query.filters).order_by("created_at", "pk")

    def represent(self, row: Any) -> dict[str, Any]:
        return request_entity(row)

    def create(self, request: HttpRequest, **kwargs: Any) -> JsonResponse:
        relationship_id = kwargs["relationship_id"]
        body = self.json_body()
        action = body.get("action")
        grant = relationship_for_partner(partner=self.partner, relationship_id=relationship_id)
        if action == "lockForApproval":
            row = grant_lock_for_approval(grant=grant, membership=self.membership)
        elif action == "terminate":
            row = grant_terminate_by_request(grant=grant, membership=self.membership)
        elif action in INDIRECT_RESELLER_ACTIONS:
            # Graph: approve/reject are for an indirect reseller answering a relationship an indirect provider
            # created for it (resellerDelegatedAdminRelationship); partnercenter has none, and a customer
            # approves in its admin center. Nothing is recorded (docs/graph.md, "Differences").
            raise GraphError(400, "notAllowed", _(
                "The action %(action)s is only for an indirect reseller answering a relationship an indirect provider "
                "created for it; this relationship is the customer's to approve, in its admin center.") % {"action": action})
        else:
            raise invalid(_("action must be lockForApproval or terminate."))
        return self.entity(request_entity(row), odata_type=REQUEST_TYPE, context="requests/$entity", status=201,
                           headers={"Location": self.relationship_url(relationship_id, "requests", str(row.graph_guid))})


class RequestItemView(GraphView):
    def get(self, request: HttpRequest, relationship_id: str, request_id: str) -> JsonResponse:
        grant = relationship_for_partner(partner=self.partner, relationship_id=relationship_id)
        row = request_for_grant(grant=grant, request_id=request_id)
        return self.entity(request_entity(row), odata_type=REQUEST_TYPE, context="requests/$entity")


class OperationCollectionView(GraphCollectionView):
    odata_type = OPERATION_TYPE
    context_set = "operations"
    filterable = {"status": OPERATION_STATUSES, "operationType": OPERATION_TYPES}

    def rows(self, query: CollectionQuery, **kwargs: Any) -> Any:
        grant = relationship_for_partner(partner=self.partner, relationship_id=kwargs["relationship_id"])
        filters = {{"operationType": "operation_type"}.get(name, name): value for name, value in query.filters.items()}
        return grant.operations.filter(**filters).order_by("created_at", "pk")

    def represent(self, row: Any) -> dict[str, Any]:
        return operation_entity(row)


class OperationItemView(GraphView):
    def get(self, request: HttpRequest, relationship_id: str, operation_id: str) -> JsonResponse:
        grant = relationship_for_partner(partner=self.partner, relationship_id=relationship_id)
        row = operation_for_grant(grant=grant, operation_id=operation_id)
        return self.entity(operation_entity(row), odata_type=OPERATION_TYPE, context="operations/$entity")
