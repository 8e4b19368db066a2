"""Invitation representations (out) and create requests (in)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from invitations.choices import InvitationKind, InvitationSource, InvitationStatus
from invitations.links import invitation_url
from invitations.models import Invitation
from invitations.verification_codes import invitation_verification_code
from notifications.choices import DeliveryStatus
from partnercenter.api.serializer_fields import FieldsBuiltOnce
from partnercenter.directory_roles import CATALOG, MAX_DURATION_DAYS, MIN_DURATION_DAYS

ROLE_IDS = [role.id for role in CATALOG]


class CustomerRefSerializer(serializers.Serializer):
    tenant_id = serializers.UUIDField()
    company_name = serializers.CharField()


class OptionalEmailField(serializers.EmailField):
    """Blank in the database, null in the API (an `email`-format string cannot be empty)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_null=True, read_only=True, **kwargs)

    # null instead of "" is the point of this field; CharField's stub promises a str.
    def to_representation(self, value: str) -> str | None:  # type: ignore[override]
        return value or None


class InvitationSerializer(FieldsBuiltOnce):
    """A request to a customer: what was asked, its state with one timestamp per transition."""

    recipient_email = OptionalEmailField(help_text=_("The account the invitation is pinned to, if any."))
    sent_to = OptionalEmailField(help_text=_("Where the portal emailed the invitation, if it did."))

    roles = serializers.ListField(source="requested_roles", child=serializers.CharField(),
                                  help_text=_("Directory role ids requested (delegated admin), in catalog order."))
    duration_days = serializers.IntegerField(source="grant_duration_days", allow_null=True)
    auto_extend = serializers.BooleanField(source="grant_auto_extend")
    customer = CustomerRefSerializer(allow_null=True, help_text=_("The tenant that accepted (a delegated admin request is pinned by target_domain)."))
    delivery_status = serializers.SerializerMethodField(help_text=_("State of the email sent from the portal, if any."))
    link = serializers.SerializerMethodField(help_text=_("The personalised acceptance link while the invitation is pending."))
    verification_code = serializers.SerializerMethodField(
        help_text=_("The code the customer sees on the acceptance page while the invitation is pending (to confirm it by phone).")
    )

    class Meta:
        model = Invitation
        fields = [
            "id", "kind", "source", "status", "include_delegated_admin", "roles", "duration_days", "auto_extend",
            "recipient_email", "target_domain", "sent_to", "language", "created_at", "expires_at", "sent_at", "accepted_at",
            "declined_at", "decline_reason", "cancelled_at", "expired_at", "customer", "delivery_status", "link",
            "verification_code", "first_opened_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=DeliveryStatus.choices, allow_null=True))
    def get_delivery_status(self, invitation: Invitation) -> str | None:
        return getattr(invitation, "delivery_status", None)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_link(self, invitation: Invitation) -> str | None:
        return invitation_url(invitation) if invitation.status == InvitationStatus.PENDING else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_verification_code(self, invitation: Invitation) -> str | None:
        return invitation_verification_code(invitation) if invitation.status == InvitationStatus.PENDING else None


class InvitationCreateSerializer(serializers.Serializer):
    """Request a reseller relationship (Partner Center's "request a reseller relationship")."""

    include_delegated_admin = serializers.BooleanField(default=True)
    recipient_email = serializers.EmailField(required=False, allow_blank=True, default="",
                                             help_text=_("Pins the invitation to this account (and is where send_email sends it)."))
    target_domain = serializers.CharField(required=False, allow_blank=True, default="", max_length=253,
                                          help_text=_("Pins the invitation to this tenant's primary domain."))
    language = serializers.ChoiceField(choices=settings.LANGUAGES, default="en")
    roles = serializers.ListField(child=serializers.ChoiceField(choices=ROLE_IDS), required=False, allow_empty=False,
                                  help_text=_("Directory role ids; default: the partner's default roles."))
    duration_days = serializers.IntegerField(required=False, min_value=MIN_DURATION_DAYS, max_value=MAX_DURATION_DAYS)
    auto_extend = serializers.BooleanField(default=False)
    send_email = serializers.BooleanField(default=False, help_text=_("Email the default draft to recipient_email now."))
    indirect_provider_id = serializers.CharField(required=False, allow_blank=True, default="", max_length=20, help_text=_(
        "Two-tier: required for indirect resellers (the public partner id of their indirect provider); refused for others."))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["send_email"] and not attrs["recipient_email"]:
            raise serializers.ValidationError({"recipient_email": _("Required to send the email.")}, code="required")
        return attrs


class InvitationListQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=InvitationStatus.choices, required=False)
    kind = serializers.ChoiceField(choices=InvitationKind.choices, required=False)
    # A query field named like Field.source: DRF's metaclass moves declared fields out of the class body.
    source = serializers.ChoiceField(choices=InvitationSource.choices, required=False)  # type: ignore[assignment]
    q = serializers.CharField(required=False, max_length=200, help_text=_("Search recipient, domain or company."))


class RelationshipLinkSerializer(serializers.Serializer):
    """The partner's reusable relationship request link (Partner Center's customers/relationshiprequests)."""

    url = serializers.URLField()
    include_delegated_admin = serializers.BooleanField()
    status = serializers.CharField()
    rotated_at = serializers.DateTimeField()


class GrantRequestCreateSerializer(serializers.Serializer):
    """Ask an existing customer for admin roles: a `delegated_admin` invitation, accepted by its global admin."""

    customer_tenant_id = serializers.UUIDField(help_text=_("One of the partner's customers (active relationship)."))
    roles = serializers.ListField(child=serializers.ChoiceField(choices=ROLE_IDS), allow_empty=False)
    duration_days = serializers.IntegerField(min_value=MIN_DURATION_DAYS, max_value=MAX_DURATION_DAYS, default=MAX_DURATION_DAYS)
    auto_extend = serializers.BooleanField(default=False)
    recipient_email = serializers.EmailField(required=False, allow_blank=True, default="")
    language = serializers.ChoiceField(choices=settings.LANGUAGES, default="en")
    send_email = serializers.BooleanField(default=False, help_text=_("Email the default draft to recipient_email now."))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["send_email"] and not attrs["recipient_email"]:
            raise serializers.ValidationError({"recipient_email": _("Required to send the email.")}, code="required")
        return attrs
