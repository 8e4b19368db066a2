"""Reads over subscriptions: always through the partner that placed them (multi-partner isolation)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

from django.db.models import Count, QuerySet
from django.http import Http404

from subscriptions.choices import SubscriptionStatus
from subscriptions.models import Subscription

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from customers.models import Customer
    from partners.models import Partner


class SeatsUsed(TypedDict):
    assigned: int


def subscriptions_for(*, partner: Partner, customer: Customer) -> QuerySet[WithAnnotations[Subscription, SeatsUsed]]:
    """This partner's subscriptions for the customer (never another partner's), with seats used."""
    return (
        Subscription.objects.filter(partner=partner, customer=customer)
        .select_related("support_contact__user")
        .annotate(assigned=Count("license_assignments", distinct=True))
        .order_by("created_at", "pk")
    )


def subscription_get_for_partner(*, partner: Partner, subscription_pk: int) -> Subscription:
    """The partner's subscription, or 404 (another partner's subscription does not exist for it)."""
    try:
        return Subscription.objects.select_related("customer", "partner").get(partner=partner, pk=subscription_pk)
    except (Subscription.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def active_subscriptions_of(*, partner: Partner, customer: Customer) -> QuerySet[Subscription]:
    """What blocks the partner from removing its relationship with the customer."""
    return Subscription.objects.filter(partner=partner, customer=customer, status=SubscriptionStatus.ACTIVE).order_by("created_at", "pk")


def subscriptions_with_seats_for_customers(*, partner: Partner) -> QuerySet[WithAnnotations[Subscription, SeatsUsed]]:
    """For a prefetch over many customers at once (Customers page): seats used annotated."""
    return (
        Subscription.objects.filter(partner=partner)
        .select_related("support_contact__user")
        .annotate(assigned=Count("license_assignments", distinct=True))
        .order_by("created_at", "pk")
    )
