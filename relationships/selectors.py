"""Reads over relationships: the partner's Customers page and a customer's partners."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from customers.models import Customer
from relationships.choices import GrantStatus, RelationshipStatus
from relationships.models import DelegatedAdminGrant, Relationship

if TYPE_CHECKING:
    from partners.models import Partner


def customer_list_for_partner(*, partner: Partner, q: str = "", sort: str = "name") -> QuerySet[Relationship]:
    """The partner's active customer relationships, with the delegated admin state annotated.

    Constant number of queries whatever the number of customers (one for the page, one count).
    """
    grants = DelegatedAdminGrant.objects.filter(partner=partner, customer=OuterRef("customer"))
    queryset = (
        Relationship.objects.filter(partner=partner, status=RelationshipStatus.ACTIVE)
        .select_related("customer", "established_by")
        .annotate(
            has_active_grant=Exists(grants.filter(status=GrantStatus.ACTIVE)),
            has_pending_grant=Exists(grants.filter(status=GrantStatus.APPROVAL_PENDING)),
            latest_grant_status=Subquery(grants.order_by("-requested_at").values("status")[:1]),
        )
    )
    if q:
        queryset = queryset.filter(Q(customer__company_name__icontains=q) | Q(customer__primary_domain__icontains=q))
    order = {
        "name": ("customer__company_name", "pk"),
        "-name": ("-customer__company_name", "-pk"),
        "since": ("established_at", "pk"),
        "-since": ("-established_at", "-pk"),
    }.get(sort, ("customer__company_name", "pk"))
    return queryset.order_by(*order)


def relationship_for_partner_customer(*, partner: Partner, tenant_id: str) -> Relationship:
    """The partner's active relationship with this tenant; any other tenant answers 404."""
    relationship = (
        Relationship.objects.filter(partner=partner, status=RelationshipStatus.ACTIVE, customer__tenant_id=tenant_id)
        .select_related("customer", "established_by", "established_by__created_by")
        .first()
    )
    if relationship is None:
        raise Http404
    return relationship


def grants_for(*, partner: Partner, customer: Customer) -> QuerySet[DelegatedAdminGrant]:
    return DelegatedAdminGrant.objects.filter(partner=partner, customer=customer).order_by("-requested_at")


def relationships_for_customer(*, customer: Customer) -> QuerySet[Relationship]:
    return Relationship.objects.filter(customer=customer).select_related("partner", "established_by").order_by("status", "-established_at")
