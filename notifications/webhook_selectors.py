"""Reads for webhooks, always scoped to one partner (another partner's rows answer 404).

The partner is a `Model` and is matched by `partner_id`: the partner model sits above notifications
(import-linter layers), so it is not imported, not even for typing.
"""

from __future__ import annotations

from django.db.models import Model, QuerySet
from django.http import Http404

from notifications.choices import DeliveryStatus
from notifications.models import WebhookDelivery, WebhookSubscription


def webhook_subscription_list_for_partner(*, partner: Model) -> QuerySet[WebhookSubscription]:
    return WebhookSubscription.objects.filter(partner_id=partner.pk).order_by("-created_at", "-id")


def webhook_subscription_get_for_partner(*, partner: Model, subscription_pk: int) -> WebhookSubscription:
    try:
        return WebhookSubscription.objects.get(partner_id=partner.pk, pk=subscription_pk)
    except WebhookSubscription.DoesNotExist as exc:
        raise Http404 from exc


def webhook_subscription_lock_for_partner(*, partner: Model, subscription_pk: int) -> WebhookSubscription:
    """Lock the partner's subscription for an update (inside the caller's transaction), or 404."""
    subscription = WebhookSubscription.objects.select_for_update().filter(partner_id=partner.pk, pk=subscription_pk).first()
    if subscription is None:
        raise Http404
    return subscription


def webhook_delivery_list_for_partner(
    *, partner: Model, subscription: WebhookSubscription | None = None, status: str = "", event_type: str = ""
) -> QuerySet[WebhookDelivery]:
    queryset = WebhookDelivery.objects.filter(partner_id=partner.pk).select_related("subscription").order_by("-created_at", "-id")
    if subscription is not None:
        queryset = queryset.filter(subscription=subscription)
    if status in DeliveryStatus.values:
        queryset = queryset.filter(status=status)
    if event_type:
        queryset = queryset.filter(event_type=event_type)
    return queryset


def webhook_delivery_get_for_partner(*, partner: Model, delivery_pk: int) -> WebhookDelivery:
    try:
        return WebhookDelivery.objects.select_related("subscription").get(partner_id=partner.pk, pk=delivery_pk)
    except WebhookDelivery.DoesNotExist as exc:
        raise Http404 from exc
