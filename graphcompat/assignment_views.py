"""…/delegatedAdminRelationships/{id}/accessAssignments: which partner role receives which granted roles.

An access container is one of our partner roles (`admin_agent`, `helpdesk_agent`, …), not a
directory security group. Every change goes through relationships.services.access_assignments_set,
the service the console page and /api/v1 use. As in Graph, an update that changes something answers
202 with the `delegatedAdminAccessAssignmentUpdate` operation's Location and Retry-After (the change
is already made: the operation reads `succeeded`); one that changes nothing answers 200 with the object.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from graphcompat.base import GraphCollectionView, GraphView
from graphcompat.bodies import assignment_fields, invalid
from graphcompat.collections import CollectionQuery
from graphcompat.relationship_views import RETRY_AFTER_SECONDS
from graphcompat.representations import ASSIGNMENT_TYPE, assignment_entity, entity_etag
from graphcompat.selectors import assignment_for_grant, relationship_for_partner
from graphcompat.status import ASSIGNMENT_STATUSES, assignment_status
from relationships.models import DelegatedAdminGrant
from relationships.services import access_assignments_set

CONTEXT = "accessAssignments/$entity"


def _current(grant: DelegatedAdminGrant) -> dict[str, list[str]]:
    return {assignment.partner_role: list(assignment.roles) for assignment in grant.access_assignments.all()}


class AssignmentCollectionView(GraphCollectionView):
    odata_type = ASSIGNMENT_TYPE
    context_set = "accessAssignments"
    filterable = {"status": ASSIGNMENT_STATUSES, "accessContainer/accessContainerId": None}

    def rows(self, query: CollectionQuery, **kwargs: Any) -> Any:
        grant = relationship_for_partner(partner=self.partner, relationship_id=kwargs["relationship_id"])
        rows = grant.access_assignments.select_related("grant").order_by("created_at", "pk")
        if "status" in query.filters and query.filters["status"] != assignment_status(grant):
            rows = rows.none()  # every assignment of a relationship has its status
        if "accessContainer/accessContainerId" in query.filters:
            rows = rows.filter(partner_role=query.filters["accessContainer/accessContainerId"])
        return rows

    def represent(self, row: Any) -> dict[str, Any]:
        return assignment_entity(row)

    def create(self, request: HttpRequest, **kwargs: Any) -> JsonResponse:
        """201 with status `pending` (Graph applies assignments asynchronously; here they apply at once).
        `@odata.etag` and the ETag header both name the stored version, which a PATCH or DELETE sends back."""
        relationship_id = kwargs["relationship_id"]
        values = assignment_fields(self.json_body(), required=True)
        with transaction.atomic():
            grant = relationship_for_partner(partner=self.partner, relationship_id=relationship_id, lock=True)
            current = _current(grant)
            if values["partner_role"] in current:
                raise invalid(_("This access container already has an assignment; change that one instead."))
            access_assignments_set(grant=grant, actor=self.membership, assignments={**current, values["partner_role"]: values["roles"]})
        assignment = grant.access_assignments.select_related("grant").get(partner_role=values["partner_role"])
        location = self.relationship_url(relationship_id, "accessAssignments", str(assignment.graph_guid))
        return self.entity(assignment_entity(assignment, status="pending"), odata_type=ASSIGNMENT_TYPE, context=CONTEXT,
                           status=201, headers={"Location": location}, etag=entity_etag(assignment_entity(assignment)))


class AssignmentItemView(GraphView):
    def get(self, request: HttpRequest, relationship_id: str, assignment_id: str) -> JsonResponse:
        grant = relationship_for_partner(partner=self.partner, relationship_id=relationship_id)
        assignment = assignment_for_grant(grant=grant, assignment_id=assignment_id)
        return self.entity(assignment_entity(assignment), odata_type=ASSIGNMENT_TYPE, context=CONTEXT)

    def patch(self, request: HttpRequest, relationship_id: str, assignment_id: str) -> HttpResponse:
        body = self.json_body()
        values = assignment_fields(body, required=False)
        operation = None
        with transaction.atomic():
            grant = relationship_for_partner(partner=self.partner, relationship_id=relationship_id, lock=True)
            assignment = assignment_for_grant(grant=grant, assignment_id=assignment_id)
            self.if_match(assignment_entity(assignment))
            if values.get("partner_role", assignment.partner_role) != assignment.partner_role:
                raise invalid(_("The access container of an assignment cannot change."))
            if "roles" in values and set(values["roles"]) != set(assignment.roles):
                data = {key: value for key, value in body.items() if not key.startswith("@odata.")}
                operation = access_assignments_set(grant=grant, actor=self.membership,
                                                   assignments={**_current(grant), assignment.partner_role: values["roles"]},
                                                   operation_data={"id": str(assignment.graph_guid), **data})
        if operation is not None:
            return HttpResponse(status=202, headers={
                "Location": self.relationship_url(relationship_id, "operations", str(operation.graph_guid)),
                "Retry-After": RETRY_AFTER_SECONDS})
        assignment = assignment_for_grant(grant=grant, assignment_id=assignment_id)
        return self.entity(assignment_entity(assignment), odata_type=ASSIGNMENT_TYPE, context=CONTEXT)

    def delete(self, request: HttpRequest, relationship_id: str, assignment_id: str) -> HttpResponse:
        with transaction.atomic():
            grant = relationship_for_partner(partner=self.partner, relationship_id=relationship_id, lock=True)
            assignment = assignment_for_grant(grant=grant, assignment_id=assignment_id)
            self.if_match(assignment_entity(assignment))
            remaining = {role: roles for role, roles in _current(grant).items() if role != assignment.partner_role}
            access_assignments_set(grant=grant, actor=self.membership, assignments=remaining)
        return HttpResponse(status=204)
