from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from customers.choices import CustomerRole
from customers.models import CustomerMembership
from partners.authz import Actor

if TYPE_CHECKING:
    from accounts.models import User
    from customers.models import Customer


def customer_memberships_for_user(*, user: User) -> QuerySet[CustomerMembership]:
    return CustomerMembership.objects.filter(user=user).select_related("customer").order_by("customer__company_name")


def customer_membership_for(*, user: User, tenant_id: str) -> CustomerMembership:
    """The user's membership in the tenant, or 404 (other tenants do not exist for this user)."""
    try:
        return customer_memberships_for_user(user=user).get(customer__tenant_id=tenant_id)
    except (CustomerMembership.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def customer_actor(*, user: User, customer: Customer) -> Actor:
    """The actor for `user` acting in `customer`'s admin center: their role there (none if not a member)."""
    roles = set(CustomerMembership.objects.filter(customer=customer, user=user).values_list("role", flat=True))
    return Actor.customer_user(user=user, customer_id=customer.pk, roles=roles)


def customer_global_admins(*, customer: Customer) -> list[User]:
    memberships = CustomerMembership.objects.filter(customer=customer, role=CustomerRole.GLOBAL_ADMIN).select_related("user")
    return [m.user for m in memberships.order_by("user__email")]


def is_global_admin(*, customer: Customer, user: User) -> bool:
    """Only a global admin may accept requests, approve or remove admin roles, or end a relationship."""
    return CustomerMembership.objects.filter(customer=customer, user=user, role=CustomerRole.GLOBAL_ADMIN).exists()
