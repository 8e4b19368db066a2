"""…/delegatedAdminRelationships/{id}/accessAssignments: which security group receives which granted roles.

An access container is one of the partner's security groups, named by its object id (as an Entra
group in Graph); assignments made by partner role (approval's defaults, the console's grant page)
name the role instead. Changes go through relationships.services (access_assignment_for_group_set /
_remove for groups, access_assignments_set for partner roles), the services the console and /api/v1 use. As in Graph, an update that changes something answers
202 with the `delegatedAdminAccessAssignmentUpdate` operation's Location and Retry-After (the change
is already made: the operation reads `succeeded`); one that changes nothing answers 200 with the object.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from graphcompat.base import GraphCollectionView, GraphView
from graphcompat.bodies import assignment_fields, invalid
from graphcompat.collections import CollectionQuery
from graphcompat.relationship_views import RETRY_AFTER_SECONDS
from graphcompat.representations import ASSIGNMENT_TYPE, assignment_entity, container_id, entity_etag
from graphcompat.selectors import assignment_for_grant, relationship_for_partner
from graphcompat.status import ASSIGNMENT_STATUSES, assignment_status
from relationships.models import AccessAssignment, DelegatedAdminGrant
from relationships.services import (
    access_assignment_for_group_remove,
    access_assignment_for_group_set,
    access_assignments_set,
)

CONTEXT = "accessAssignments/$entity"


def _current(grant: DelegatedAdminGrant) -> dict[str, list[str]]:
    """The assignments by partner role (those to a group only are left out: the services keep them apart)."""
    return {assignment.partner_role: list(assignment.roles) for assignment in grant.access_assignments.exclude(partner_role="")}


def _container_filter(rows: QuerySet[AccessAssignment], container: str) -> QuerySet[AccessAssignment]:
    try:
        return rows.filter(security_group__object_id=uuid.UUID(container))
    except ValueError:
        return rows.filter(partner_role=container, security_group__isnull=True)


class AssignmentCollectionView(GraphCollectionView):
    odata_type = ASSIGNMENT_TYPE
    context_set = "accessAssignments"
    filterable = {"status": ASSIGNMENT_STATUSES, "accessContainer/accessContainerId": None}

    def rows(self, query: CollectionQuery, **kwargs: Any) -> Any:
        grant = relationship_for_partner(partner=self.partner, relationship_id=kwargs["relationship_id"])
        rows = grant.access_assignments.select_related("grant", "security_group").order_by("created_at", "pk")
        if "status" in query.filters and query.filters["status"] != assignment_status(grant):
            rows = rows.none()  # every assignment of a relationship has its status
        if "accessContainer/accessContainerId" in query.filters:
            rows = _container_filter(rows, query.filters["accessContainer/accessContainerId"])
        return rows

    def represent(self, row: Any) -> dict[str, Any]:
        return assignment_entity(row)

    def create(self, request: HttpRequest, **kwargs: Any) -> JsonResponse:
        """201 with status `pending` (Graph applies assignments asynchronously; here they apply at once).
        `@odata.etag` and the ETag header both name the stored version, which a PATCH or DELETE sends back."""
        relationship_id = kwargs["relationship_id"]
        values = assignment_fields(self.json_body(), required=True, partner=self.partner)
        with transaction.atomic():
            grant = relationship_for_partner(partner=self.partner, relationship_id=relationship_id, lock=True)
            group = values.get("security_group")
            if group is not None:
                if grant.access_assignments.filter(security_group=group).exists():
                    raise invalid(_("This access container already has an assignment; change that one instead."))
                created, _operation = access_assignment_for_group_set(grant=grant, actor=self.membership, group=group,
                                                                      roles=values["roles"])
                pk = created.pk
            else:
                current = _current(grant)
                if values["partner_role"] in current:
                    raise invalid(_("This access container already has an assignment; change that one instead."))
                access_assignments_set(grant=grant, actor=self.membership, assignments={**current, values["partner_role"]: values["roles"]})
                pk = grant.access_assignments.get(partner_role=values["partner_role"]).pk
        assignment = grant.access_assignments.select_related("grant", "security_group").get(pk=pk)
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
        values = assignment_fields(body, required=False, partner=self.partner)
        operation = None
        with transaction.atomic():
            grant = relationship_for_partner(partner=self.partner, relationship_id=relationship_id, lock=True)
            assignment = assignment_for_grant(grant=grant, assignment_id=assignment_id)
            self.if_match(assignment_entity(assignment))
            if ("security_group" in values or "partner_role" in values) and container_id(assignment) != (
                    str(values["security_group"].object_id) if "security_group" in values else values["partner_role"]):
                raise invalid(_("The access container of an assignment cannot change."))
            changes = "roles" in values and set(values["roles"]) != set(assignment.roles)
            data = {key: value for key, value in body.items() if not key.startswith("@odata.")}
            if changes and assignment.security_group is not None:
                _assignment, operation = access_assignment_for_group_set(
                    grant=grant, actor=self.membership, group=assignment.security_group, roles=values["roles"],
                    operation_data={"id": str(assignment.graph_guid), **data})
            elif changes:
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
            if assignment.security_group is not None:
                access_assignment_for_group_remove(grant=grant, actor=self.membership, group=assignment.security_group)
            else:
                remaining = {role: roles for role, roles in _current(grant).items() if role != assignment.partner_role}
                access_assignments_set(grant=grant, actor=self.membership, assignments=remaining)
        return HttpResponse(status=204)
