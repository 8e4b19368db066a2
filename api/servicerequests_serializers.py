"""Service request representations (out) and requests (in)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from servicerequests.choices import NoteSide, ServiceRequestStatus, Severity
from servicerequests.models import ServiceRequest, ServiceRequestNote
from servicerequests.services import MAX_TEXT, MAX_TITLE


class ServiceRequestCustomerSerializer(serializers.Serializer):
    tenant_id = serializers.UUIDField()
    company_name = serializers.CharField()


class ServiceRequestNoteSerializer(serializers.ModelSerializer):
    side = serializers.ChoiceField(choices=NoteSide.choices, help_text=_("Who wrote it: the partner or the customer."))
    author = serializers.CharField(source="author_label")

    class Meta:
        model = ServiceRequestNote
        fields = ["id", "side", "author", "body", "created_at"]
        read_only_fields = fields


class ServiceRequestSerializer(serializers.ModelSerializer):
    """A request filed on a customer's behalf, with its notes thread (oldest first)."""

    number = serializers.CharField(help_text=_("Human-readable reference, e.g. SR-42."))
    customer = ServiceRequestCustomerSerializer()
    severity = serializers.ChoiceField(choices=Severity.choices)
    status = serializers.ChoiceField(choices=ServiceRequestStatus.choices)
    filed_by = serializers.CharField(source="created_by_label")
    notes = ServiceRequestNoteSerializer(many=True)

    class Meta:
        model = ServiceRequest
        fields = ["id", "number", "customer", "title", "description", "severity", "status", "filed_by", "created_at",
                  "updated_at", "status_changed_at", "closed_at", "notes"]
        read_only_fields = fields


class ServiceRequestSummarySerializer(ServiceRequestSerializer):
    """In lists: without the notes thread."""

    class Meta(ServiceRequestSerializer.Meta):
        fields = [f for f in ServiceRequestSerializer.Meta.fields if f != "notes"]
        read_only_fields = fields


class ServiceRequestCreateSerializer(serializers.Serializer):
    customer_tenant_id = serializers.UUIDField(help_text=_("One of the partner's customers (active relationship)."))
    title = serializers.CharField(max_length=MAX_TITLE)
    description = serializers.CharField(max_length=MAX_TEXT)
    severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.MODERATE)


class ServiceRequestUpdateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ServiceRequestStatus.choices, help_text=_(
        "open → in_progress | attention_needed | closed; in_progress → attention_needed | closed; "
        "attention_needed → in_progress | closed. The current status again changes nothing."))


class ServiceRequestNoteCreateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=MAX_TEXT)


class ServiceRequestListQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ServiceRequestStatus.choices, required=False)
    customer_tenant_id = serializers.UUIDField(required=False)
