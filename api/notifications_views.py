"""/api/v1/webhooks: subscriptions (webhooks:manage), their deliveries, redelivery, event types."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from api.notifications_serializers import (
    WebhookDeliveryListQuerySerializer,
    WebhookDeliverySerializer,
    WebhookEventTypeSerializer,
    WebhookSubscriptionCreateSerializer,
    WebhookSubscriptionSecretSerializer,
    WebhookSubscriptionSerializer,
    WebhookSubscriptionUpdateSerializer,
)
from api.views import PartnerApiMixin
from notifications.models import WebhookSubscription
from notifications.webhook_events import WebhookEventType
from notifications.webhook_selectors import (
    webhook_delivery_get_for_partner,
    webhook_delivery_list_for_partner,
    webhook_subscription_get_for_partner,
    webhook_subscription_list_for_partner,
    webhook_subscription_lock_for_partner,
)
from partnercenter.api.etag import compute_etag, require_if_match
from partnercenter.api.idempotency import idempotent_create
from partnercenter.api.pagination import ApiCursorPagination
from partnercenter.no_store import carries_secret
from partners.permissions import ApiScope
from partners.webhook_services import (
    IssuedWebhookSecret,
    webhook_delivery_redeliver,
    webhook_subscription_create,
    webhook_subscription_delete,
    webhook_subscription_rotate_secret,
    webhook_subscription_update,
)

ID_PATTERN = r"[0-9]{1,18}"
MANAGE = ApiScope.WEBHOOKS_MANAGE


def _with_secret(issued: IssuedWebhookSecret) -> dict[str, Any]:
    return {**WebhookSubscriptionSerializer(issued.subscription).data, "secret": issued.secret}


@carries_secret
class WebhookSubscriptionViewSet(PartnerApiMixin, viewsets.GenericViewSet):
    """Endpoints that receive the partner's events, signed with their secret (docs/webhooks.md)."""

    serializer_class = WebhookSubscriptionSerializer
    pagination_class = ApiCursorPagination
    lookup_value_regex = ID_PATTERN
    required_scopes = dict.fromkeys(["list", "retrieve", "create", "partial_update", "destroy", "rotate_secret"], MANAGE)
    idempotent_actions = frozenset({"create"})
    if_match_actions = {"partial_update": True, "destroy": True, "rotate_secret": False}
    etag_actions = frozenset({"retrieve", "create", "partial_update", "rotate_secret"})

    def get_queryset(self) -> Any:
        return webhook_subscription_list_for_partner(partner=self.partner)

    def _locked_current(self, request: Request, pk: str, *, required: bool) -> WebhookSubscription:
        subscription = webhook_subscription_lock_for_partner(partner=self.partner, subscription_pk=int(pk))
        require_if_match(request, compute_etag(WebhookSubscriptionSerializer(subscription).data), required=required)
        return subscription

    @extend_schema(responses=WebhookSubscriptionSerializer(many=True))
    def list(self, request: Request) -> Response:
        self.parse_query(Serializer)  # pagination parameters only
        page = self.paginate_queryset(webhook_subscription_list_for_partner(partner=self.partner))
        return self.get_paginated_response(WebhookSubscriptionSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        subscription = webhook_subscription_get_for_partner(partner=self.partner, subscription_pk=int(pk))
        return self.represent(WebhookSubscriptionSerializer(subscription).data)

    @extend_schema(request=WebhookSubscriptionCreateSerializer, responses={201: WebhookSubscriptionSecretSerializer},
                   examples=[OpenApiExample("Invitation answers", request_only=True, value={
                       "url": "https://psa.example.com/hooks/partnercenter", "description": "PSA sync",
                       "event_types": ["invitation.accepted", "invitation.declined", "grant.approved"]})])
    def create(self, request: Request) -> Response:
        """Subscribe an endpoint; the response carries the signing `secret`, shown this once."""
        body = WebhookSubscriptionCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)

        def create() -> Response:
            issued = webhook_subscription_create(membership=self.membership, **body.validated_data)
            location = request.build_absolute_uri(reverse("api:webhook-subscription-detail", kwargs={"pk": issued.subscription.pk}))
            response = Response(_with_secret(issued), status=status.HTTP_201_CREATED, headers={"Location": location})
            response["ETag"] = compute_etag(WebhookSubscriptionSerializer(issued.subscription).data)
            return response

        return idempotent_create(request, partner=self.partner, create=create)

    @extend_schema(request=WebhookSubscriptionUpdateSerializer, responses=WebhookSubscriptionSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        """Change the URL, event types, description, or pause/enable (If-Match required)."""
        body = WebhookSubscriptionUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with transaction.atomic():
            subscription = self._locked_current(request, pk, required=True)
            subscription = webhook_subscription_update(subscription=subscription, membership=self.membership, **body.validated_data)
        return self.represent(WebhookSubscriptionSerializer(subscription).data)

    def destroy(self, request: Request, pk: str) -> Response:
        """Delete the subscription and its delivery history (If-Match required)."""
        with transaction.atomic():
            subscription = self._locked_current(request, pk, required=True)
            webhook_subscription_delete(subscription=subscription, membership=self.membership)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=WebhookSubscriptionSecretSerializer)
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request: Request, pk: str) -> Response:
        """A new signing secret, shown once; the previous one keeps signing for 24 hours."""
        with transaction.atomic():
            subscription = self._locked_current(request, pk, required=False)
            issued = webhook_subscription_rotate_secret(subscription=subscription, membership=self.membership)
        response = Response(_with_secret(issued))
        response["ETag"] = compute_etag(WebhookSubscriptionSerializer(issued.subscription).data)
        return response


class WebhookDeliveryViewSet(PartnerApiMixin, viewsets.GenericViewSet):
    """Every event posted (or being posted) to the partner's subscriptions."""

    serializer_class = WebhookDeliverySerializer
    pagination_class = ApiCursorPagination
    lookup_value_regex = ID_PATTERN
    required_scopes = {"list": MANAGE, "retrieve": MANAGE, "redeliver": MANAGE}
    etag_actions = frozenset({"retrieve"})

    def get_queryset(self) -> Any:
        return webhook_delivery_list_for_partner(partner=self.partner)

    @extend_schema(parameters=[WebhookDeliveryListQuerySerializer], responses=WebhookDeliverySerializer(many=True))
    def list(self, request: Request) -> Response:
        filters = self.parse_query(WebhookDeliveryListQuerySerializer)
        subscription = None
        if filters.get("subscription"):
            subscription = webhook_subscription_get_for_partner(partner=self.partner, subscription_pk=filters["subscription"])
        queryset = webhook_delivery_list_for_partner(partner=self.partner, subscription=subscription,
                                                     status=filters.get("status", ""), event_type=filters.get("event_type", ""))
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return self.represent(WebhookDeliverySerializer(webhook_delivery_get_for_partner(partner=self.partner, delivery_pk=int(pk))).data)

    @extend_schema(request=None, responses={202: WebhookDeliverySerializer})
    @action(detail=True, methods=["post"])
    def redeliver(self, request: Request, pk: str) -> Response:
        """Queue a finished delivery (sent or failed) again, with the same event id."""
        delivery = webhook_delivery_get_for_partner(partner=self.partner, delivery_pk=int(pk))
        delivery = webhook_delivery_redeliver(delivery=delivery, membership=self.membership)
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


class WebhookEventTypesView(PartnerApiMixin, APIView):
    required_scopes = {"get": MANAGE}

    @extend_schema(operation_id="webhook_event_types_list", responses=WebhookEventTypeSerializer(many=True))
    def get(self, request: Request) -> Response:
        """The event types a subscription can receive."""
        return Response([{"type": value, "description": str(label)} for value, label in WebhookEventType.choices])
