from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from customers.models import CustomerMembership

if TYPE_CHECKING:
    from accounts.models import User


def customer_memberships_for_user(*, user: User) -> QuerySet[CustomerMembership]:
    return CustomerMembership.objects.filter(user=user).select_related("customer").order_by("customer__company_name")


def customer_membership_for(*, user: User, tenant_id: str) -> CustomerMembership:
    """The user's membership in the tenant, or 404 (other tenants do not exist for this user)."""
    try:
        return customer_memberships_for_user(user=user).get(customer__tenant_id=tenant_id)
    except (CustomerMembership.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
