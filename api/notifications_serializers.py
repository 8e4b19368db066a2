"""Webhook subscriptions and deliveries as the API shows them (secrets only once, on create/rotate)."""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from notifications.choices import DeliveryStatus
from notifications.models import WebhookDelivery, WebhookSubscription
from notifications.webhook_events import WebhookEventType


class WebhookSubscriptionSerializer(serializers.ModelSerializer):
    event_types = serializers.ListField(child=serializers.ChoiceField(choices=WebhookEventType.choices))

    class Meta:
        model = WebhookSubscription
        fields = ["id", "url", "description", "event_types", "active", "consecutive_failures", "disabled_at",
                  "disabled_reason", "secret_rotated_at", "created_at", "updated_at"]
        read_only_fields = fields


class WebhookSubscriptionSecretSerializer(WebhookSubscriptionSerializer):
    """The subscription with its signing secret: returned once, on creation and on rotation."""

    secret = serializers.CharField(help_text=_("whsec_…: keep it; it is not shown again."))

    class Meta(WebhookSubscriptionSerializer.Meta):
        fields = [*WebhookSubscriptionSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookSubscriptionCreateSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=500, help_text=_("HTTPS endpoint that receives the events."))
    event_types = serializers.ListField(child=serializers.ChoiceField(choices=WebhookEventType.choices), allow_empty=False)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class WebhookSubscriptionUpdateSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=500, required=False)
    event_types = serializers.ListField(child=serializers.ChoiceField(choices=WebhookEventType.choices), allow_empty=False, required=False)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    active = serializers.BooleanField(required=False, help_text=_("false pauses deliveries; true re-enables (failure count reset)."))


class WebhookDeliverySerializer(serializers.ModelSerializer):
    subscription: serializers.PrimaryKeyRelatedField[WebhookSubscription] = serializers.PrimaryKeyRelatedField(read_only=True)
    payload = serializers.SerializerMethodField(help_text=_("The event exactly as posted."))

    class Meta:
        model = WebhookDelivery
        fields = ["id", "subscription", "event_id", "event_type", "status", "attempts", "response_status", "last_error",
                  "created_at", "next_attempt_at", "sent_at", "failed_at", "payload"]
        read_only_fields = fields

    @extend_schema_field(serializers.DictField())
    def get_payload(self, delivery: WebhookDelivery) -> dict[str, Any]:
        return json.loads(delivery.body)


class WebhookDeliveryListQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=DeliveryStatus.choices, required=False)
    event_type = serializers.ChoiceField(choices=WebhookEventType.choices, required=False)
    subscription = serializers.IntegerField(required=False, min_value=1, max_value=2**62)


class WebhookEventTypeSerializer(serializers.Serializer):
    type = serializers.CharField()
    description = serializers.CharField()
