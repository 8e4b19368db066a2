"""/v1.0/tenantRelationships/delegatedAdminRelationships, its requests and its operations."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from graphcompat.base import GraphView
from graphcompat.bodies import invalid, relationship_fields
from graphcompat.collections import page, parse_query
from graphcompat.representations import operation_entity, relationship_entity, request_entity, with_annotations
from graphcompat.selectors import (
    operation_for_grant,
    relationship_for_partner,
    relationships_for_partner,
    request_for_grant,
)
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


class RelationshipCollectionView(GraphView):
    def get(self, request: HttpRequest) -> JsonResponse:
        query = parse_query(request, filterable=frozenset({"status", "customer/tenantId", "displayName"}),
                            orderable=frozenset({"createdDateTime", "status", "displayName"}))
        queryset = relationships_for_partner(partner=self.partner, filters=query.filters, orderby=query.orderby)
        return JsonResponse(page(request, queryset, query, context=self.context_url(COLLECTION),
                                 represent=lambda grant: with_annotations(relationship_entity(grant), context=self.context_url(
                                     f"{COLLECTION}/$entity"))))

    def post(self, request: HttpRequest) -> JsonResponse:
        values = relationship_fields(self.json_body(), partner=self.partner, required=True)
        grant = grant_draft_create(membership=self.membership, customer=values["customer"], display_name=values["display_name"],
                                   roles=values["roles"], duration_days=values["duration_days"],
                                   auto_extend=values.get("auto_extend", False))
        location = f"{self.base_url()}{COLLECTION}/{grant_graph_id(grant)}"
        return self.entity(relationship_entity(grant), context=f"{COLLECTION}/$entity", status=201, headers={"Location": location})


def _changed(grant: DelegatedAdminGrant, values: dict[str, Any]) -> dict[str, Any]:
    """Only what differs: a round-tripped object changes nothing."""
    current = {"display_name": grant.display_name, "duration_days": grant.duration_days, "auto_extend": grant.auto_extend,
               "roles": set(grant.roles), "customer": grant.customer_id}
    changed = {}
    for key, value in values.items():
        comparable = set(value) if key == "roles" else value.pk if key == "customer" else value
        if comparable != current[key]:
            changed[key] = value
    return changed


class RelationshipItemView(GraphView):
    def get(self, request: HttpRequest, relationship_id: str) -> JsonResponse:
        grant = relationship_for_partner(partner=self.partner, relationship_id=relationship_id)
        return self.entity(relationship_entity(grant), context=f"{COLLECTION}/$entity")

    def patch(self, request: HttpRequest, relationship_id: str) -> HttpResponse:
        """In `created` anything writable may change; in `active` only autoExtendDuration, and
        removing Global Administrator (202 with the operation's Location); otherwise nothing."""
        body = self.json_body()
        with transaction.atomic():
            grant = relationship_for_partner(partner=self.partner, relationship_id=relationship_id, lock=True)
            self.if_match(relationship_entity(grant))
            changes = _changed(grant, relationship_fields(body, partner=self.partner, required=False))
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
            location = f"{self.base_url()}{COLLECTION}/{relationship_id}/operations/{operation.graph_guid}"
            return HttpResponse(status=202, headers={"Location": location, "Retry-After": RETRY_AFTER_SECONDS})
        grant = relationship_for_partner(partner=self.partner, relationship_id=relationship_id)
        return self.entity(relationship_entity(grant), context=f"{COLLECTION}/$entity")

    def delete(self, request: HttpRequest, relationship_id: str) -> HttpResponse:
        with transaction.atomic():
            grant = relationship_for_partner(partner=self.partner, relationship_id=relationship_id, lock=True)
            self.if_match(relationship_entity(grant))
            grant_draft_delete(grant=grant, membership=self.membership)
        return HttpResponse(status=204)


class RequestCollectionView(GraphView):
    def get(self, request: HttpRequest, relationship_id: str) -> JsonResponse:
        grant = relationship_for_partner(partner=self.partner, relationship_id=relationship_id)
        query = parse_query(request)
        context = f"{COLLECTION}('{relationship_id}')/requests"
        return JsonResponse(page(request, grant.action_requests.order_by("created_at", "pk"), query,
                                 context=self.context_url(context),
                                 represent=lambda row: with_annotations(request_entity(row), context=self.context_url(f"{context}/$entity"))))

    def post(self, request: HttpRequest, relationship_id: str) -> JsonResponse:
        body = self.json_body()
        action = body.get("action")
        grant = relationship_for_partner(partner=self.partner, relationship_id=relationship_id)
        if action == "lockForApproval":
            row = grant_lock_for_approval(grant=grant, membership=self.membership)
        elif action == "terminate":
            row = grant_terminate_by_request(grant=grant, membership=self.membership)
        else:
            raise invalid(_("action must be lockForApproval or terminate."))
        location = f"{self.base_url()}{COLLECTION}/{relationship_id}/requests/{row.graph_guid}"
        return self.entity(request_entity(row), context=f"{COLLECTION}('{relationship_id}')/requests/$entity", status=201,
                           headers={"Location": location})


class RequestItemView(GraphView):
    def get(self, request: HttpRequest, relationship_id: str, request_id: str) -> JsonResponse:
        grant = relationship_for_partner(partner=self.partner, relationship_id=relationship_id)
        row = request_for_grant(grant=grant, request_id=request_id)
        return self.entity(request_entity(row), context=f"{COLLECTION}('{relationship_id}')/requests/$entity")


class OperationCollectionView(GraphView):
    def get(self, request: HttpRequest, relationship_id: str) -> JsonResponse:
        grant = relationship_for_partner(partner=self.partner, relationship_id=relationship_id)
        query = parse_query(request)
        context = f"{COLLECTION}('{relationship_id}')/operations"
        return JsonResponse(page(request, grant.operations.order_by("created_at", "pk"), query, context=self.context_url(context),
                                 represent=lambda row: with_annotations(operation_entity(row), context=self.context_url(f"{context}/$entity"))))


class OperationItemView(GraphView):
    def get(self, request: HttpRequest, relationship_id: str, operation_id: str) -> JsonResponse:
        grant = relationship_for_partner(partner=self.partner, relationship_id=relationship_id)
        row = operation_for_grant(grant=grant, operation_id=operation_id)
        return self.entity(operation_entity(row), context=f"{COLLECTION}('{relationship_id}')/operations/$entity")
