"""Relationships, delegated admin grants, access assignments and grant requests."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from invitation_batches.renewals import Renewal, RenewalStatus, renewal_statuses

if TYPE_CHECKING:
    from invitations.models import Invitation

from partnercenter.directory_roles import CATALOG, MAX_DURATION_DAYS
from partners.choices import PartnerRole
from relationships.choices import GrantStatus, RelationshipStatus, RelationshipType
from relationships.models import DelegatedAdminGrant, Relationship

ROLE_IDS = [role.id for role in CATALOG]


class CustomerSummarySerializer(serializers.Serializer):
    tenant_id = serializers.UUIDField()
    company_name = serializers.CharField()
    primary_domain = serializers.CharField()


class RelationshipSerializer(serializers.ModelSerializer):
    """The partner is (or was) the customer's reseller; at most one active per customer."""

    customer = CustomerSummarySerializer()
    type = serializers.ChoiceField(source="relationship_type", choices=RelationshipType.choices)
    established_by_invitation: serializers.PrimaryKeyRelatedField[Invitation] = serializers.PrimaryKeyRelatedField(
        source="established_by", read_only=True, allow_null=True
    )

    class Meta:
        model = Relationship
        fields = ["id", "customer", "type", "status", "established_at", "established_by_invitation", "terminated_at"]
        read_only_fields = fields


class RelationshipListQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=RelationshipStatus.choices, required=False)
    tenant_id = serializers.UUIDField(required=False, help_text=_("Only this customer's relationships."))


class AccessAssignmentsSerializer(serializers.Serializer):
    """Which of the grant's directory roles each access container receives: partner roles
    (`assignments`) and the partner's security groups (`security_groups`, by object id)."""

    assignments = serializers.DictField(
        child=serializers.ListField(child=serializers.ChoiceField(choices=ROLE_IDS)), required=False,
        help_text=_("Partner role → directory role ids (a subset of the grant's roles). Partner roles left out receive none. "
                    "Leave the field out to keep the assignments by partner role as they are."),
    )
    security_groups = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField(max_length=64)), required=False,
        help_text=_("Security group object id → directory role ids (a subset of the grant's roles; an empty list removes the "
                    "group's assignment). Groups left out receive none. Leave the field out to keep the groups' "
                    "assignments as they are. Manage groups at /api/v1/security-groups."),
    )

    def validate_assignments(self, value: dict[str, list[str]]) -> dict[str, list[str]]:
        unknown = sorted(set(value) - set(PartnerRole.values))
        if unknown:
            raise serializers.ValidationError(_("Unknown partner role: %(roles)s.") % {"roles": ", ".join(unknown)}, code="unknown_partner_role")
        return value

    def validate_security_groups(self, value: dict[str, list[str]]) -> dict[str, list[str]]:
        cleaned: dict[str, list[str]] = {}
        for key, roles in value.items():
            try:
                cleaned[str(uuid.UUID(key))] = roles
            except ValueError as exc:
                raise serializers.ValidationError(_("A security group is named by its object ID, a GUID."), code="invalid_object_id") from exc
        return cleaned

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "assignments" not in attrs and "security_groups" not in attrs:
            raise serializers.ValidationError({"assignments": [_("Send assignments, security_groups or both.")]}, code="required")
        return attrs


def assignments_of(grant: DelegatedAdminGrant) -> dict[str, list[str]]:
    """By partner role (including a migrated group's, which follows its partner role)."""
    return {assignment.partner_role: list(assignment.roles)
            for assignment in sorted(grant.access_assignments.all(), key=lambda a: a.partner_role) if assignment.partner_role}


def group_assignments_of(grant: DelegatedAdminGrant) -> dict[str, list[str]]:
    """To security groups only (no partner role), by the group's object id."""
    rows = grant.access_assignments.filter(partner_role="", security_group__isnull=False).values_list("security_group__object_id", "roles")
    return {str(object_id): list(roles) for object_id, roles in sorted(rows, key=lambda row: str(row[0]))}


def access_assignments_body(grant: DelegatedAdminGrant) -> dict[str, dict[str, list[str]]]:
    """What GET /api/v1/grants/{id}/access-assignments answers (and its ETag covers)."""
    return {"assignments": assignments_of(grant), "security_groups": group_assignments_of(grant)}


class GrantSerializer(serializers.ModelSerializer):
    """Time-bound admin roles a customer granted (or is asked to grant) to the partner."""

    customer = CustomerSummarySerializer()
    roles = serializers.ListField(child=serializers.CharField(), help_text=_("Directory role ids."))
    requested_by_invitation: serializers.PrimaryKeyRelatedField[Invitation] = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True
    )
    access_assignments = serializers.SerializerMethodField()
    renewal_status = serializers.SerializerMethodField(help_text=_(
        "For an active grant ending within 90 days: `renewed` (a newer active grant carries its roles), `requested` (a "
        "request or a grant waiting for approval carries them) or `not_renewed`; null for any other grant."))
    renewal_requested_at = serializers.SerializerMethodField(help_text=_("When the renewal was requested (with `requested`)."))

    class Meta:
        model = DelegatedAdminGrant
        fields = [
            "id", "display_name", "customer", "status", "roles", "duration_days", "auto_extend", "requested_at",
            "request_expires_at", "starts_at", "ends_at", "terminated_at", "requested_by_invitation", "access_assignments",
            "renewal_status", "renewal_requested_at",
        ]
        read_only_fields = fields

    def get_access_assignments(self, grant: DelegatedAdminGrant) -> dict[str, list[str]]:
        return assignments_of(grant)

    def _renewal(self, grant: DelegatedAdminGrant) -> Renewal | None:
        """From the page's statuses (the list computes them once for the page), else for this grant alone."""
        renewals = self.context.get("renewals")
        if renewals is None:
            renewals = renewal_statuses(partner_id=grant.partner_id, grants=[grant])
        return renewals.get(grant.pk)

    @extend_schema_field(serializers.ChoiceField(choices=RenewalStatus.choices, allow_null=True))
    def get_renewal_status(self, grant: DelegatedAdminGrant) -> str | None:
        renewal = self._renewal(grant)
        return renewal.status if renewal else None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_renewal_requested_at(self, grant: DelegatedAdminGrant) -> str | None:
        renewal = self._renewal(grant)
        return serializers.DateTimeField().to_representation(renewal.requested_at) if renewal and renewal.requested_at else None


class GrantListQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=GrantStatus.choices, required=False)
    tenant_id = serializers.UUIDField(required=False)
    ending_within_days = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_DURATION_DAYS,
        help_text=_("Only active grants ending within this many days from now (30, 60 and 90 are the console's windows)."))


class GrantTerminateSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000,
                                   help_text=_("Told to the customer and kept in the audit log."))


class RelationshipRemoveSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000,
                                   help_text=_("Told to the customer and kept in the audit log."))
