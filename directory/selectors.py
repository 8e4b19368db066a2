"""Reads over a customer's directory (callers check the effective permission first)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from directory.models import DirectoryUser, LicenseAssignment

if TYPE_CHECKING:
    from customers.models import Customer
    from partners.models import Partner


def directory_users_for(*, customer: Customer, partner: Partner) -> QuerySet[DirectoryUser]:
    """The tenant's users, each with the licenses of *this partner's* subscriptions prefetched."""
    licenses = LicenseAssignment.objects.filter(subscription__partner=partner).select_related("subscription").order_by("pk")
    return (DirectoryUser.objects.filter(customer=customer)
            .prefetch_related(Prefetch("license_assignments", queryset=licenses, to_attr="partner_licenses"))
            .order_by("display_name", "pk"))


def directory_user_get(*, customer: Customer, user_pk: int) -> DirectoryUser:
    try:
        return DirectoryUser.objects.get(customer=customer, pk=user_pk)
    except (DirectoryUser.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
