"""Customers as a partner sees them: the tenant and the active relationship with it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from partners.choices import Cloud
from relationships.choices import RelationshipType


class CustomerRelationshipSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    type = serializers.ChoiceField(source="relationship_type", choices=RelationshipType.choices)
    established_at = serializers.DateTimeField()


class CustomerDelegatedAdminSerializer(serializers.Serializer):
    has_active_grant = serializers.BooleanField()
    has_pending_grant = serializers.BooleanField(help_text=_("A request waits for the customer's approval."))


class CustomerSerializer(serializers.Serializer):
    """Built from the partner's active relationship row (customer_list_for_partner)."""

    tenant_id = serializers.UUIDField(source="customer.tenant_id")
    company_name = serializers.CharField(source="customer.company_name")
    primary_domain = serializers.CharField(source="customer.primary_domain")
    country = serializers.CharField(source="customer.country.code", help_text=_("ISO 3166-1 alpha-2."))
    cloud = serializers.ChoiceField(source="customer.cloud", choices=Cloud.choices)
    language = serializers.CharField(source="customer.language")
    relationship = CustomerRelationshipSerializer(source="*")
    delegated_admin = CustomerDelegatedAdminSerializer(source="*")


class CustomerListQuerySerializer(serializers.Serializer):
    q = serializers.CharField(required=False, max_length=200, help_text=_("Search company name or domain."))
