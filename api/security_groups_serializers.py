"""/api/v1/security-groups (issue 23): the partner's security groups and their members."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from partners.models import PartnerMembership, PartnerSecurityGroup


class SecurityGroupMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text=_("The member's id among the partner's users (DELETE …/members/{id})."))
    email = serializers.EmailField()

    def to_representation(self, instance: Any) -> dict[str, Any]:
        membership: PartnerMembership = instance
        return {"id": membership.pk, "email": membership.user.email}


class SecurityGroupSerializer(serializers.ModelSerializer):
    """A security group: the access container of delegated admin access assignments (Graph's accessContainerId is `object_id`)."""

    object_id = serializers.UUIDField(required=False, help_text=_("A GUID; give one to keep an existing group's id, or leave it out."))
    members = serializers.SerializerMethodField()
    follows_partner_role = serializers.CharField(read_only=True, help_text=_(
        "A migrated group's partner role: its members follow that role until an account admin edits them; empty otherwise."))

    class Meta:
        model = PartnerSecurityGroup
        fields = ["object_id", "name", "description", "follows_partner_role", "members", "created_at", "updated_at"]
        read_only_fields = ["follows_partner_role", "members", "created_at", "updated_at"]

    def get_members(self, group: PartnerSecurityGroup) -> list[dict[str, Any]]:
        return [SecurityGroupMemberSerializer(m).data for m in group.members.select_related("user").order_by("user__email", "pk")]


class SecurityGroupUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120, required=False)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)


class SecurityGroupMemberAddSerializer(serializers.Serializer):
    email = serializers.EmailField(help_text=_("The email of one of the partner's users."))
