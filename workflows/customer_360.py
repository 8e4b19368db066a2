"""The customer 360 row of the partner's Customers page: one relationship with what the partner
sees of the customer across apps (subscriptions, directory users, agreement, service requests,
grants and the member's effective directory roles).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol, cast

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from customers.models import AgreementAcceptance, AgreementVersion
from directory.models import DirectoryUser
from partnercenter.compiled_queries import CompiledQuery, Value
from partnercenter.directory_roles import USER_READ_ROLES
from partners.models import Partner
from relationships.models import DelegatedAdminGrant, Relationship
from relationships.selectors import CUSTOMER_SORTS, CustomerFilterShape, customer_list_for_partner, directory_roles_for
from servicerequests.models import ServiceRequest
from subscriptions.models import Subscription
from subscriptions.selectors import subscriptions_with_seats_for_customers

if TYPE_CHECKING:
    from partners.models import PartnerMembership


class Customer360Details(Protocol):
    """What customer_details_attach sets on a Relationship (read by the expanded row's templates)."""

    customer_id: int
    subscriptions: Sequence[Subscription]
    subscription_count: int
    licenses_used: int
    licenses_total: int
    support_contacts: Sequence[Subscription]
    agreement: AgreementAcceptance | None
    agreement_current: bool
    grants: list[DelegatedAdminGrant]
    user_count: int
    directory_access: frozenset[str]
    service_requests: list[ServiceRequest]
    can_read_directory: bool


def customer_rows_for_partner(*, partner: Partner, **filters: Any) -> QuerySet[Relationship]:
    """customer_list_for_partner plus what each row of the Customers page shows: `subscription_count`
    (this partner's subscriptions there).

    The count is a correlated sub-select that PostgreSQL evaluates only for the page's rows (after
    the sort and LIMIT), so the page stays one query plus the paginator's count. The expansion's
    contents load on demand (customer_details_attach).
    """
    subscription_count = (Subscription.objects.filter(partner=partner, customer=OuterRef("customer_id")).order_by()
                          .values("customer").annotate(n=Count("pk")).values("n"))
    return customer_list_for_partner(partner=partner, **filters).annotate(
        subscription_count=Coalesce(Subquery(subscription_count), 0))


def _customer_rows_slice(values: tuple[Value, ...], shape: tuple[str, CustomerFilterShape]) -> QuerySet[Relationship]:
    partner_pk, offset, limit, *rest = values
    sort, filters = shape
    rows = customer_rows_for_partner(partner=Partner(pk=partner_pk), sort=sort, **filters.filters(rest))
    return rows[int(offset):int(offset) + int(limit)]


_CUSTOMER_ROWS = CompiledQuery(_customer_rows_slice, max_shapes=300)  # 6 sorts x 3 types x 4 delegated admin states x country x tag


class CustomerRows:
    """customer_rows_for_partner's rows for a paginator: a slice is one statement, compiled once per
    process and shape of the filters (issue 25: building and compiling it was a fifth of the
    Customers page), with the page's bounds as parameters. A search (`q`, whose value the statement
    takes as `%q%`) goes through the ORM. The rows are the queryset's, instances and annotations alike."""

    def __init__(self, *, partner: Partner, q: str = "", sort: str = "name", relationship_type: str = "", delegated_admin: str = "",
                 country: str = "", tag: int | None = None) -> None:
        self.partner = partner
        self.filters: dict[str, Any] = {"q": q, "sort": sort, "relationship_type": relationship_type, "delegated_admin": delegated_admin,
                                        "country": country, "tag": tag}

    def queryset(self) -> QuerySet[Relationship]:
        return customer_rows_for_partner(partner=self.partner, **self.filters)

    def __getitem__(self, bounds: slice) -> list[Relationship]:
        start, stop = bounds.start or 0, bounds.stop
        if stop is None or bounds.step is not None:
            raise TypeError("CustomerRows takes a slice with an end")
        if stop <= start:
            return []  # what the queryset's empty slice gives, without a statement
        f = self.filters
        if f["q"]:
            return list(self.queryset()[start:stop])
        filters, values = CustomerFilterShape.of(relationship_type=f["relationship_type"], delegated_admin=f["delegated_admin"],
                                                 country=f["country"], tag=f["tag"])
        shape = (f["sort"] if f["sort"] in CUSTOMER_SORTS else "name", filters)
        values = [self.partner.pk, start, stop - start, *values]
        return _CUSTOMER_ROWS.fetch(values, shape)


def _attach_subscriptions(relationship: Customer360Details, membership: PartnerMembership) -> None:
    subscriptions = list(subscriptions_with_seats_for_customers(partner=membership.partner)
                         .filter(customer_id=relationship.customer_id))
    licensable = [s for s in subscriptions if s.licensable]
    relationship.subscriptions = subscriptions
    relationship.subscription_count = len(subscriptions)
    relationship.licenses_used = sum(s.assigned for s in licensable)
    relationship.licenses_total = sum(s.quantity for s in licensable)
    relationship.support_contacts = [s for s in subscriptions if getattr(s, "support_contact", None)]


def _attach_agreement(relationship: Customer360Details) -> None:
    # The acceptance of the newest version, not the latest-dated one: an attestation is dated at noon
    # of the day the customer signed, which can be before an acceptance of an earlier version (issue 21, item 4).
    relationship.agreement = (AgreementAcceptance.objects.filter(customer_id=relationship.customer_id).select_related("agreement")
                              .order_by("-agreement__effective_at", "-accepted_at", "-pk").first())
    current_version = (AgreementVersion.objects.filter(effective_at__lte=timezone.now()).order_by("-effective_at")
                       .values_list("version", flat=True).first())
    relationship.agreement_current = bool(relationship.agreement and relationship.agreement.agreement.version == current_version)


def customer_details_attach(*, relationship: Relationship, membership: PartnerMembership) -> Relationship:
    """Give one relationship what its expanded row (and the customer's page) shows.

    Attaches `subscriptions` (this partner's only, seats used, support contact), `grants` (this
    partner's), `user_count`, `licenses_used`, `licenses_total`, and `directory_access` (the
    member's effective directory roles there: relationships.selectors.directory_roles_for, as
    effective_access), `agreement` (latest acceptance) and `agreement_current`, `service_requests`
    (this partner's, newest first). Seven queries whatever the number of subscriptions, grants and
    requests.
    """
    row = cast("Customer360Details", relationship)  # the same object, typed with what is attached below
    customer_id = row.customer_id
    partner_id = membership.partner_id
    _attach_subscriptions(row, membership)
    row.grants = list(DelegatedAdminGrant.objects.filter(partner_id=partner_id, customer_id=customer_id)
                      .order_by("-requested_at", "-pk"))
    row.user_count = DirectoryUser.objects.filter(customer_id=customer_id).count()
    row.directory_access = directory_roles_for(membership=membership, customer_id=customer_id)
    _attach_agreement(row)
    row.service_requests = list(ServiceRequest.objects.filter(partner_id=partner_id, customer_id=customer_id)
                                .order_by("-created_at", "-id"))
    row.can_read_directory = bool(row.directory_access & USER_READ_ROLES)
    return relationship
