"""…/delegatedAdminRelationships/{id}/accessAssignments: which partner role receives which granted roles.

An access container is one of our partner roles (`admin_agent`, `helpdesk_agent`, …), not a
directory security group. Every change goes through relationships.services.access_assignments_set,
the service the console page and /api/v1 use.
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from graphcompat.base import GraphView
from graphcompat.bodies import assignment_fields, invalid
from graphcompat.collections import page, parse_query
from graphcompat.relationship_views import COLLECTION
from graphcompat.representations import assignment_entity, entity_etag, with_annotations
from graphcompat.selectors import assignment_for_grant, relationship_for_partner
from relationships.models import DelegatedAdminGrant
from relationships.services import access_assignments_set


def _current(grant: DelegatedAdminGrant) -> dict[str, list[str]]:
    return {assignment.partner_role: list(assignment.roles) for assignment in grant.access_assignments.all()}


def _context(relationship_id: str) -> str:
    return f"{COLLECTION}('{relationship_id}')/accessAssignments"


class AssignmentCollectionView(GraphView):
    def get(self, request: HttpRequest, relationship_id: str) -> JsonResponse:
        grant = relationship_for_partner(partner=self.partner, relationship_id=relationship_id)
        query = parse_query(request)
        context = _context(relationship_id)
        return JsonResponse(page(request, grant.access_assignments.order_by("created_at", "pk"), query,
                                 context=self.context_url(context),
                                 represent=lambda row: with_annotations(assignment_entity(row), context=self.context_url(f"{context}/$entity"))))

    def post(self, request: HttpRequest, relationship_id: str) -> JsonResponse:
        """201 with status `pending` (Graph applies assignments asynchronously; here they apply at once)."""
        values = assignment_fields(self.json_body(), required=True)
        with transaction.atomic():
            grant = relationship_for_partner(partner=self.partner, relationship_id=relationship_id, lock=True)
            current = _current(grant)
            if values["partner_role"] in current:
                raise invalid(_("This access container already has an assignment; change that one instead."))
            access_assignments_set(grant=grant, actor=self.membership, assignments={**current, values["partner_role"]: values["roles"]})
        assignment = grant.access_assignments.get(partner_role=values["partner_role"])
        location = f"{self.base_url()}{_context(relationship_id)}/{assignment.graph_guid}"
        response = self.entity(assignment_entity(assignment, status="pending"), context=f"{_context(relationship_id)}/$entity",
                               status=201, headers={"Location": location})
        response["ETag"] = entity_etag(assignment_entity(assignment))  # the version a following PATCH names
        return response


class AssignmentItemView(GraphView):
    def get(self, request: HttpRequest, relationship_id: str, assignment_id: str) -> JsonResponse:
        grant = relationship_for_partner(partner=self.partner, relationship_id=relationship_id)
        assignment = assignment_for_grant(grant=grant, assignment_id=assignment_id)
        return self.entity(assignment_entity(assignment), context=f"{_context(relationship_id)}/$entity")

    def patch(self, request: HttpRequest, relationship_id: str, assignment_id: str) -> JsonResponse:
        values = assignment_fields(self.json_body(), required=False)
        with transaction.atomic():
            grant = relationship_for_partner(partner=self.partner, relationship_id=relationship_id, lock=True)
            assignment = assignment_for_grant(grant=grant, assignment_id=assignment_id)
            self.if_match(assignment_entity(assignment))
            if values.get("partner_role", assignment.partner_role) != assignment.partner_role:
                raise invalid(_("The access container of an assignment cannot change."))
            if "roles" in values and values["roles"] != assignment.roles:
                access_assignments_set(grant=grant, actor=self.membership,
                                       assignments={**_current(grant), assignment.partner_role: values["roles"]})
        assignment = assignment_for_grant(grant=grant, assignment_id=assignment_id)
        return self.entity(assignment_entity(assignment), context=f"{_context(relationship_id)}/$entity")

    def delete(self, request: HttpRequest, relationship_id: str, assignment_id: str) -> HttpResponse:
        with transaction.atomic():
            grant = relationship_for_partner(partner=self.partner, relationship_id=relationship_id, lock=True)
            assignment = assignment_for_grant(grant=grant, assignment_id=assignment_id)
            self.if_match(assignment_entity(assignment))
            remaining = {role: roles for role, roles in _current(grant).items() if role != assignment.partner_role}
            access_assignments_set(grant=grant, actor=self.membership, assignments=remaining)
        return HttpResponse(status=204)
