"""/api/v1/relationships and /api/v1/grants (with their access assignments)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.relationships_selectors import (
    grant_for_api,
    grant_lock_for_partner,
    relationship_get_for_partner,
    relationship_list_for_partner,
    relationship_lock_for_partner,
)
from api.relationships_serializers import (
    AccessAssignmentsSerializer,
    GrantListQuerySerializer,
    GrantSerializer,
    GrantTerminateSerializer,
    RelationshipListQuerySerializer,
    RelationshipRemoveSerializer,
    RelationshipSerializer,
    access_assignments_body,
)
from api.views import PartnerApiMixin
from invitation_batches.renewals import renewal_statuses
from partnercenter.api.etag import compute_etag, require_if_match
from partnercenter.api.pagination import ApiCursorPagination
from partnercenter.api.problems import problem_response
from partners.permissions import ApiScope
from relationships.ending import relationship_terminate_for_partner
from relationships.removal import RemovalBlockedError
from relationships.selectors import grant_list_for_partner
from relationships.services import access_assignments_replace, grant_terminate

ID_PATTERN = r"[0-9]{1,18}"


class RelationshipPagination(ApiCursorPagination):
    ordering = ("-established_at", "-id")


class GrantPagination(ApiCursorPagination):
    ordering = ("-requested_at", "-id")


class RelationshipViewSet(PartnerApiMixin, viewsets.GenericViewSet):
    """Reseller relationships of the partner, active and ended."""

    serializer_class = RelationshipSerializer
    pagination_class = RelationshipPagination
    lookup_value_regex = ID_PATTERN
    required_scopes = {"list": ApiScope.RELATIONSHIPS_READ, "retrieve": ApiScope.RELATIONSHIPS_READ,
                       "destroy": ApiScope.RELATIONSHIPS_WRITE}
    if_match_actions = {"destroy": False}
    etag_actions = frozenset({"retrieve", "destroy"})

    def get_queryset(self) -> Any:
        return relationship_list_for_partner(partner=self.partner)

    @extend_schema(parameters=[RelationshipListQuerySerializer], responses=RelationshipSerializer(many=True))
    def list(self, request: Request) -> Response:
        filters = self.parse_query(RelationshipListQuerySerializer)
        tenant_id = filters.get("tenant_id")
        queryset = relationship_list_for_partner(partner=self.partner, status=filters.get("status", ""),
                                                 tenant_id=str(tenant_id) if tenant_id else "")
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(RelationshipSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return self.represent(RelationshipSerializer(relationship_get_for_partner(partner=self.partner, relationship_pk=int(pk))).data)

    @extend_schema(parameters=[RelationshipRemoveSerializer], request=None, responses={200: RelationshipSerializer})
    def destroy(self, request: Request, pk: str) -> Response:
        """Remove the relationship (partner side): it ends, the partner's admin roles end with it and the customer's
        global admins are told. Refused with 409 `removal_blocked` while the partner has active subscriptions for the
        customer; the problem's `blockers` lists them (suspend them first). The relationship stays readable, terminated."""
        options = self.parse_query(RelationshipRemoveSerializer)  # a DELETE carries no body: the reason is a query parameter
        try:
            with transaction.atomic():
                relationship = relationship_lock_for_partner(partner=self.partner, relationship_pk=int(pk))
                require_if_match(request, compute_etag(RelationshipSerializer(relationship).data), required=False)
                relationship_terminate_for_partner(relationship=relationship, membership=self.membership,
                                                   reason=options.get("reason", ""))
        except RemovalBlockedError as error:
            response = problem_response(status_code=409, code=error.code, detail=error.message, request=request)
            response.data["blockers"] = [
                {**blocker.as_dict(), "url": request.build_absolute_uri(blocker.url)} for blocker in error.blockers
            ]
            return response
        return self.represent(RelationshipSerializer(relationship_get_for_partner(partner=self.partner, relationship_pk=int(pk))).data)


class GrantViewSet(PartnerApiMixin, viewsets.GenericViewSet):
    """Delegated admin grants: list, read, remove roles, and the access assignments of each."""

    serializer_class = GrantSerializer
    pagination_class = GrantPagination
    lookup_value_regex = ID_PATTERN
    required_scopes = {
        "list": ApiScope.GRANTS_READ, "retrieve": ApiScope.GRANTS_READ, "terminate": ApiScope.GRANTS_WRITE,
        "access_assignments": ApiScope.GRANTS_READ, "set_access_assignments": ApiScope.GRANTS_WRITE,
    }
    if_match_actions = {"terminate": False, "set_access_assignments": True}
    etag_actions = frozenset({"retrieve", "terminate", "access_assignments", "set_access_assignments"})

    def get_queryset(self) -> Any:
        return grant_list_for_partner(partner=self.partner)

    @extend_schema(parameters=[GrantListQuerySerializer], responses=GrantSerializer(many=True))
    def list(self, request: Request) -> Response:
        filters = self.parse_query(GrantListQuerySerializer)
        queryset = grant_list_for_partner(partner=self.partner, status=filters.get("status", ""),
                                          ending_within_days=filters.get("ending_within_days")).prefetch_related("access_assignments")
        if filters.get("tenant_id"):
            queryset = queryset.filter(customer__tenant_id=filters["tenant_id"])
        page = self.paginate_queryset(queryset) or []
        renewals = renewal_statuses(partner_id=self.partner.pk, grants=page)  # the page's renewal statuses: two queries
        return self.get_paginated_response(GrantSerializer(page, many=True, context={"renewals": renewals}).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return self.represent(GrantSerializer(grant_for_api(partner=self.partner, grant_pk=int(pk))).data)

    @extend_schema(request=GrantTerminateSerializer, responses=GrantSerializer)
    @action(detail=True, methods=["post"])
    def terminate(self, request: Request, pk: str) -> Response:
        """Remove an active grant's roles at once; the customer's global admins are told. The relationship stays."""
        body = GrantTerminateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with transaction.atomic():
            grant = grant_lock_for_partner(partner=self.partner, grant_pk=int(pk))
            require_if_match(request, compute_etag(GrantSerializer(grant_for_api(partner=self.partner, grant_pk=grant.pk)).data), required=False)
            grant_terminate(grant=grant, actor=self.membership, reason=body.validated_data["reason"])
        return self.represent(GrantSerializer(grant_for_api(partner=self.partner, grant_pk=grant.pk)).data)

    @extend_schema(operation_id="grants_access_assignments_retrieve", request=None, responses=AccessAssignmentsSerializer)
    @action(detail=True, methods=["get"], url_path="access-assignments")
    def access_assignments(self, request: Request, pk: str) -> Response:
        """Which of the grant's directory roles each access container receives: partner roles (`assignments`) and
        security groups by object id (`security_groups`)."""
        return self.represent(access_assignments_body(grant_for_api(partner=self.partner, grant_pk=int(pk))))

    @extend_schema(operation_id="grants_access_assignments_update", request=AccessAssignmentsSerializer,
                   responses=AccessAssignmentsSerializer, examples=[
                       OpenApiExample("Admin agents get two roles", value={
                           "assignments": {"admin_agent": ["fe930be7-5e62-47db-91af-98c3a49a38b1", "4d6ac14f-3453-41d0-bef9-a3e0c569773a"],
                                           "helpdesk_agent": ["729827e3-9c14-49f7-bb1b-9608f156bbb8"]}}),
                       OpenApiExample("A security group gets a role", value={
                           "security_groups": {"869713c9-0b28-4d08-8949-ae07ae1bf528": ["729827e3-9c14-49f7-bb1b-9608f156bbb8"]}}),
                   ])
    @access_assignments.mapping.put
    def set_access_assignments(self, request: Request, pk: str) -> Response:
        """Replace the access assignments (If-Match required): only while the grant is active, only roles the
        customer granted. `assignments` replaces those by partner role, `security_groups` those to the partner's
        security groups (named by object id); a field left out stays as it is. A group that is not one of the
        partner's (another partner's included) is 400 `unknown_security_group` and nothing changes."""
        body = AccessAssignmentsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with transaction.atomic():
            grant = grant_lock_for_partner(partner=self.partner, grant_pk=int(pk))
            require_if_match(request, compute_etag(access_assignments_body(grant)), required=True)
            access_assignments_replace(grant=grant, actor=self.membership, by_role=body.validated_data.get("assignments"),
                                       by_group=body.validated_data.get("security_groups"))
        return self.represent(access_assignments_body(grant_for_api(partner=self.partner, grant_pk=grant.pk)))
