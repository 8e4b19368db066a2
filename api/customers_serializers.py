"""Customers as a partner sees them: the tenant and the active relationship with it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from customers.choices import CustomerStatus
from partnercenter.api.serializer_fields import datetime_representation
from partners.choices import Cloud
from relationships.choices import RelationshipType


class CustomerRelationshipSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    type = serializers.ChoiceField(source="relationship_type", choices=RelationshipType.choices)
    established_at = serializers.DateTimeField()


class CustomerDelegatedAdminSerializer(serializers.Serializer):
    has_active_grant = serializers.BooleanField()
    has_pending_grant = serializers.BooleanField(help_text=_("A request waits for the customer's approval."))


class CustomerListSerializer(serializers.ListSerializer):
    """CustomerSerializer(many=True): the rows' time zone looked up once for the list, not once per row."""

    def to_representation(self, data: Any) -> list[Any]:
        child = self.child
        child._zone = timezone.get_current_timezone()  # type: ignore[union-attr]
        try:
            return super().to_representation(data)
        finally:
            del child._zone  # type: ignore[union-attr]


class CustomerSerializer(serializers.Serializer):
    """Built from the partner's active relationship row (customer_list_for_partner)."""

    class Meta:
        list_serializer_class = CustomerListSerializer

    tenant_id = serializers.UUIDField(source="customer.tenant_id")
    company_name = serializers.CharField(source="customer.company_name")
    primary_domain = serializers.CharField(source="customer.primary_domain")
    country = serializers.CharField(source="customer.country.code", help_text=_("ISO 3166-1 alpha-2."))
    cloud = serializers.ChoiceField(source="customer.cloud", choices=Cloud.choices)
    language = serializers.CharField(source="customer.language")
    relationship = CustomerRelationshipSerializer(source="*")
    delegated_admin = CustomerDelegatedAdminSerializer(source="*")
    tags = serializers.ListField(child=serializers.CharField(), read_only=True, default=list,
                                 help_text=_("Your organisation's private tags on the customer, by name (never shown to the customer)."))

    # The columns to_representation reads: views fetch rows with `.values(*ROW_FIELDS)`.
    ROW_FIELDS = ("id", "customer_id", "relationship_type", "established_at", "has_active_grant", "has_pending_grant", "country_code",
                  "customer__tenant_id", "customer__company_name", "customer__primary_domain", "customer__cloud",
                  "customer__language")

    def to_representation(self, instance: Any) -> dict[str, Any]:
        """What the declared fields give, built directly from a `.values(*ROW_FIELDS)` row.

        A list page runs this 50 times; the generic path (model instances, two nested serializers
        over `source="*"`, dotted sources) was most of the list's cost. A model instance still
        takes the generic path; tests/api/test_customers_api.py holds the two equal.
        """
        if not isinstance(instance, Mapping):
            return super().to_representation(instance)
        return {
            "tenant_id": str(instance["customer__tenant_id"]),
            "company_name": str(instance["customer__company_name"]),
            "primary_domain": str(instance["customer__primary_domain"]),
            "country": str(instance["country_code"]),
            "cloud": str(instance["customer__cloud"]),
            "language": str(instance["customer__language"]),
            "relationship": {
                "id": int(instance["id"]),
                "type": str(instance["relationship_type"]),
                "established_at": datetime_representation(instance["established_at"], self.__dict__.get("_zone")),
            },
            "delegated_admin": {
                "has_active_grant": bool(instance["has_active_grant"]),
                "has_pending_grant": bool(instance["has_pending_grant"]),
            },
            "tags": list(instance.get("tags", [])),
        }


class CustomerListQuerySerializer(serializers.Serializer):
    q = serializers.CharField(required=False, max_length=200, help_text=_("Search company name or domain."))
    tag = serializers.CharField(required=False, max_length=50, help_text=_("Only customers carrying this tag of yours (its name, any case)."))


class CustomerTagsSerializer(serializers.Serializer):
    """A customer's tags: PUT replaces them (names not existing yet create the tag)."""

    tags = serializers.ListField(child=serializers.CharField(max_length=50, allow_blank=False), max_length=20,
                                 help_text=_("Tag names; a name matching one of your tags in any case is that tag."))


class CustomerTagSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    customer_count = serializers.IntegerField(read_only=True, help_text=_("How many of your customers carry it."))


class CustomerNoteSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    body = serializers.CharField(max_length=5000, help_text=_("Private to your organisation."))
    author = serializers.CharField(source="author_label", read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class CustomerCreateSerializer(serializers.Serializer):
    """Create a new customer tenant pending its first global admin's acceptance (Partner Center's "Create a new customer")."""

    company_name = serializers.CharField(max_length=200)
    primary_domain = serializers.CharField(max_length=253, help_text=_("Unique in the partner's cloud; IDNA names are accepted."))
    country = serializers.CharField(max_length=2, min_length=2, help_text=_("ISO 3166-1 alpha-2; must be in the partner's market."))
    admin_email = serializers.EmailField(help_text=_("The customer's first global admin: receives the invitation by email."))
    language = serializers.ChoiceField(choices=settings.LANGUAGES, default="en")
    include_delegated_admin = serializers.BooleanField(default=False, help_text=_("Required (true) for partners in sovereign clouds."))


class CustomerInvitationRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    sent_to = serializers.EmailField()
    expires_at = serializers.DateTimeField()
    url = serializers.CharField(help_text=_("The invitation in this API."))


class PartnerCreatedCustomerSerializer(serializers.Serializer):
    """A customer the partner created: pending until its admin accepts the invitation sent to them."""

    tenant_id = serializers.UUIDField(source="customer.tenant_id")
    company_name = serializers.CharField(source="customer.company_name")
    primary_domain = serializers.CharField(source="customer.primary_domain")
    country = serializers.CharField(source="customer.country.code")
    cloud = serializers.ChoiceField(source="customer.cloud", choices=Cloud.choices)
    language = serializers.CharField(source="customer.language")
    status = serializers.ChoiceField(source="customer.status", choices=CustomerStatus.choices)
    invitation = CustomerInvitationRefSerializer()
