"""/api/v1/security-groups (issue 23): list, create, read, update, delete; members added and removed.

Reads need `grants:read`, changes `grants:write` (the groups are the access containers of grants'
access assignments); every change goes through partners.security_group_services, which allows
account admins' actions only (an API key with grants:write acts as one). Another partner's group is 404.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.security_groups_serializers import (
    SecurityGroupMemberAddSerializer,
    SecurityGroupSerializer,
    SecurityGroupUpdateSerializer,
)
from api.views import PartnerApiMixin
from partnercenter.api.pagination import ApiCursorPagination
from partners.models import PartnerMembership
from partners.permissions import ApiScope
from partners.security_group_selectors import (
    membership_for_partner,
    security_group_for_partner,
    security_groups_for_partner,
)
from partners.security_group_services import (
    security_group_add_member,
    security_group_create,
    security_group_delete,
    security_group_remove_member,
    security_group_update,
)

GUID_PATTERN = r"[0-9a-fA-F-]{32,36}"


class SecurityGroupPagination(ApiCursorPagination):
    ordering = ("name", "id")


class SecurityGroupViewSet(PartnerApiMixin, viewsets.GenericViewSet):
    """The partner's security groups: assign a customer's roles to a group (Graph accessAssignments) and its members get them."""

    serializer_class = SecurityGroupSerializer
    pagination_class = SecurityGroupPagination
    lookup_field = "object_id"
    lookup_value_regex = GUID_PATTERN
    required_scopes = {
        "list": ApiScope.GRANTS_READ, "retrieve": ApiScope.GRANTS_READ, "create": ApiScope.GRANTS_WRITE,
        "partial_update": ApiScope.GRANTS_WRITE, "destroy": ApiScope.GRANTS_WRITE,
        "add_member": ApiScope.GRANTS_WRITE, "remove_member": ApiScope.GRANTS_WRITE,
    }
    etag_actions = frozenset({"retrieve", "partial_update"})

    def get_queryset(self) -> Any:
        return security_groups_for_partner(partner=self.partner)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(security_groups_for_partner(partner=self.partner).prefetch_related("members__user"))
        return self.get_paginated_response(SecurityGroupSerializer(page, many=True).data)

    def retrieve(self, request: Request, object_id: str) -> Response:
        return self.represent(SecurityGroupSerializer(security_group_for_partner(partner=self.partner, object_id=object_id)).data)

    @extend_schema(request=SecurityGroupSerializer, responses={201: SecurityGroupSerializer})
    def create(self, request: Request) -> Response:
        body = SecurityGroupSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        group = security_group_create(actor=self.membership, partner=self.partner, name=body.validated_data["name"],
                                      description=body.validated_data.get("description", ""),
                                      object_id=body.validated_data.get("object_id"))
        return self.represent(SecurityGroupSerializer(group).data, status_code=status.HTTP_201_CREATED)

    @extend_schema(request=SecurityGroupUpdateSerializer, responses=SecurityGroupSerializer)
    def partial_update(self, request: Request, object_id: str) -> Response:
        body = SecurityGroupUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with transaction.atomic():
            group = security_group_for_partner(partner=self.partner, object_id=object_id)
            group = security_group_update(actor=self.membership, group=group, name=body.validated_data.get("name"),
                                          description=body.validated_data.get("description"))
        return self.represent(SecurityGroupSerializer(group).data)

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request: Request, object_id: str) -> Response:
        """Delete the group: its access assignments go with it."""
        security_group_delete(actor=self.membership, group=security_group_for_partner(partner=self.partner, object_id=object_id))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=SecurityGroupMemberAddSerializer, responses=SecurityGroupSerializer)
    @action(detail=True, methods=["post"], url_path="members")
    def add_member(self, request: Request, object_id: str) -> Response:
        """Add one of the partner's users, by email (already a member: unchanged, 200)."""
        body = SecurityGroupMemberAddSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        group = security_group_for_partner(partner=self.partner, object_id=object_id)
        member = PartnerMembership.objects.select_related("user").filter(
            partner=self.partner, user__email__iexact=body.validated_data["email"]).first()
        if member is None:
            raise Http404
        security_group_add_member(actor=self.membership, group=group, membership=member)
        return self.represent(SecurityGroupSerializer(security_group_for_partner(partner=self.partner, object_id=object_id)).data)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"members/(?P<member_id>[0-9]{1,18})")
    def remove_member(self, request: Request, object_id: str, member_id: str) -> Response:
        """Remove a member (their id from the group's `members`); 204 also when they were not one."""
        group = security_group_for_partner(partner=self.partner, object_id=object_id)
        member = membership_for_partner(partner=self.partner, membership_pk=member_id)
        security_group_remove_member(actor=self.membership, group=group, membership=member)
        return Response(status=status.HTTP_204_NO_CONTENT)
