"""Reads over relationships: the partner's Customers page and a customer's partners."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from django.db.models import BooleanField, Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from customers.models import Customer
from partnercenter.compiled_queries import CompiledCount, CompiledQuery
from partnercenter.compiled_queries import Value as CompiledValue
from partners.models import Partner
from relationships.choices import GrantStatus, RelationshipStatus, RelationshipType
from relationships.customer_note_selectors import has_tag
from relationships.models import AccessAssignment, DelegatedAdminGrant, Relationship

if TYPE_CHECKING:
    from datetime import datetime

    from partners.models import PartnerMembership


DELEGATED_ADMIN_FILTERS = ("active", "pending", "none")
CUSTOMER_SORTS = {
    "name": ("customer__company_name", "pk"),
    "-name": ("-customer__company_name", "-pk"),
    "since": ("established_at", "pk"),
    "-since": ("-established_at", "-pk"),
    "country": ("customer__country", "customer__company_name", "pk"),
    "-country": ("-customer__country", "-customer__company_name", "-pk"),
}


def _grant_states(partner: Partner) -> tuple[Exists, Exists]:
    """Whether the partner holds an active, and a pending, delegated admin grant on a relationship's customer."""
    grants = DelegatedAdminGrant.objects.filter(partner=partner, customer=OuterRef("customer"))
    return Exists(grants.filter(status=GrantStatus.ACTIVE)), Exists(grants.filter(status=GrantStatus.APPROVAL_PENDING))


def _grant_flags(partner: Partner) -> tuple[Coalesce, Coalesce]:
    """The same two states as _grant_states, as per-row scalar sub-selects (`SELECT true ... LIMIT 1`)
    for a list's columns. An EXISTS in the select list may be planned as a hashed sub-plan that reads
    all of the partner's grants before the first row (50,000 of them for a provider with 100,000
    customers); a scalar sub-select is evaluated only for the rows of the page, one index probe each."""
    grants = DelegatedAdminGrant.objects.filter(partner=partner, customer=OuterRef("customer")).order_by()

    def flag(status: str) -> Coalesce:
        found = grants.filter(status=status).annotate(found=Value(True)).values("found")[:1]
        return Coalesce(Subquery(found, output_field=BooleanField()), Value(False))

    return flag(GrantStatus.ACTIVE), flag(GrantStatus.APPROVAL_PENDING)


def _active_relationships(
    *, partner: Partner, q: str = "", relationship_type: str = "", delegated_admin: str = "", country: str = "", tag: int | None = None
) -> QuerySet[Relationship]:
    """The partner's active relationships that match the Customers filters. Customers are joined
    only when a filter reads them, so an unfiltered count stays on the relationship index."""
    queryset = Relationship.objects.filter(partner=partner, status=RelationshipStatus.ACTIVE)
    if q:
        queryset = queryset.filter(Q(customer__company_name__icontains=q) | Q(customer__primary_domain__icontains=q))
    if relationship_type in RelationshipType.values:
        queryset = queryset.filter(relationship_type=relationship_type)
    if delegated_admin in DELEGATED_ADMIN_FILTERS:  # the sub-selects are built only for this filter
        has_active_grant, has_pending_grant = _grant_states(partner)
        if delegated_admin == "active":
            queryset = queryset.filter(has_active_grant)
        elif delegated_admin == "pending":
            queryset = queryset.filter(has_pending_grant)
        else:
            queryset = queryset.filter(~has_active_grant, ~has_pending_grant)
    if country:
        queryset = queryset.filter(customer__country=country.upper())
    if tag is not None:  # one of the partner's own tags (issue 24, item 5): another partner's id matches nothing
        queryset = queryset.filter(has_tag(partner=partner, tag_pk=tag))
    return queryset


def customer_list_for_partner(
    *, partner: Partner, q: str = "", sort: str = "name", relationship_type: str = "", delegated_admin: str = "", country: str = "",
    tag: int | None = None,
) -> QuerySet[Relationship]:
    """The partner's active customer relationships, with the delegated admin state (and the customer's
    country code) annotated.

    Filters: search in name and domain, relationship type, delegated admin (active, pending,
    none), country, one of the partner's tags (its id). Constant number of queries whatever the number of customers (one for the
    page, one count: customer_count_for_partner); workflows.customer_360.customer_rows_for_partner adds what the
    Customers page's rows show.
    """
    has_active_grant, has_pending_grant = _grant_flags(partner)
    queryset = (
        _active_relationships(partner=partner, q=q, relationship_type=relationship_type, delegated_admin=delegated_admin, country=country,
                              tag=tag)
        .select_related("customer")
        .annotate(
            has_active_grant=has_active_grant,
            has_pending_grant=has_pending_grant,
            # The stored ISO code as a plain string (customer.country builds a Country object: slow in a list).
            country_code=F("customer__country"),
        )
    )
    return queryset.order_by(*CUSTOMER_SORTS.get(sort, CUSTOMER_SORTS["name"]))


class CustomerFilterShape(NamedTuple):
    """Which of the Customers filters (other than the search) a statement has: its shape, apart from
    the filters' values. The compiled statements of the Customers page are one per shape (issue 25)."""

    relationship_type: str  # one of RelationshipType's few values (the selector checks it against them: not a parameter)
    delegated_admin: str
    country: bool
    tag: bool

    @classmethod
    def of(cls, *, relationship_type: str = "", delegated_admin: str = "", country: str = "", tag: int | None = None
           ) -> tuple[CustomerFilterShape, list[CompiledValue]]:
        """The shape of these filters and their values in the order `filters` takes them back (as the
        selectors read them: an unknown type or delegated admin state is no filter, the country in
        upper case)."""
        relationship_type = relationship_type if relationship_type in RelationshipType.values else ""
        delegated_admin = delegated_admin if delegated_admin in DELEGATED_ADMIN_FILTERS else ""
        values: list[CompiledValue] = [country.upper()] if country else []
        if tag is not None:
            values.append(int(tag))
        return cls(relationship_type, delegated_admin, bool(country), tag is not None), values

    def filters(self, values: Any) -> dict[str, Any]:
        """The selectors' keyword arguments for this shape, from its values (placeholders when compiling)."""
        given = iter(values)
        return {"relationship_type": self.relationship_type, "delegated_admin": self.delegated_admin,
                "country": _UpperCase(next(given)) if self.country else "", "tag": next(given) if self.tag else None}


class _UpperCase(str):
    """A value given in upper case already: the selector's `.upper()` leaves it as it is (the
    placeholder too, so that the compiled statement takes the value unchanged)."""

    __slots__ = ()

    def upper(self) -> str:
        return self


def _capped_count(values: tuple[CompiledValue, ...], shape: CustomerFilterShape) -> QuerySet[Relationship]:
    partner_pk, up_to, *rest = values
    return _active_relationships(partner=Partner(pk=partner_pk), **shape.filters(rest)).order_by()[:int(up_to)]


_CAPPED_COUNT = CompiledCount(_capped_count)


def customer_count_for_partner(
    *, partner: Partner, q: str = "", sort: str = "", relationship_type: str = "", delegated_admin: str = "", country: str = "",
    tag: int | None = None, up_to: int | None = None,
) -> int:
    """How many relationships customer_list_for_partner lists with the same filters (`sort` is
    ignored), without joining customers when no filter needs them. With `up_to`, counting stops
    there (`SELECT count(*) FROM (... LIMIT up_to)`): the answer is min(count, up_to), and the
    statement reads at most `up_to` rows whatever the partner's size (issue 25)."""
    if up_to is not None and not q and up_to > 0:  # the capped count, compiled once per shape of the filters (issue 25)
        shape, values = CustomerFilterShape.of(relationship_type=relationship_type, delegated_admin=delegated_admin, country=country, tag=tag)
        return _CAPPED_COUNT.count([partner.pk, up_to, *values], shape)
    relationships = _active_relationships(partner=partner, q=q, relationship_type=relationship_type, delegated_admin=delegated_admin,
                                          country=country, tag=tag)
    if up_to is not None:
        relationships = relationships.order_by()[:up_to]
    return relationships.count()


COUNTRY_SCAN_LIMIT = 1000


def customer_countries_for_partner(*, partner: Partner) -> list[str]:
    """Country codes for the Customers page filter, in one bounded query: the countries of the partner's
    active customers when it has at most COUNTRY_SCAN_LIMIT of them, every country otherwise (a
    provider with 100,000 customers is in most of them, and reading them all would cost the page the
    partner's size)."""
    codes = _COUNTRY_CODES.fetch([partner.pk, COUNTRY_SCAN_LIMIT + 1])
    if len(codes) > COUNTRY_SCAN_LIMIT:
        return list(_every_country_code())
    return sorted(set(codes))


# The statement compiled once per process (issue 25); the limit is a parameter of it.
_COUNTRY_CODES = CompiledQuery(lambda values: Relationship.objects.filter(partner=values[0], status=RelationshipStatus.ACTIVE).order_by()
                               .values_list("customer__country", flat=True)[: int(values[1])])


@lru_cache(maxsize=1)
def _every_country_code() -> tuple[str, ...]:
    """Every country code, sorted; once per process (iterating `countries` translates and sorts ~250 names)."""
    return tuple(sorted(code for code, _name in countries))


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
    return Relationship.objects.filter(customer=customer).select_related("partner", "established_by", "indirect_provider").order_by(
        "status", "-established_at")


# --- Effective permission --------------------------------------------------------------------

@dataclass(frozen=True)
class CustomerAccess:
    """What a partner user may do in a customer's tenant right now, and why not when refused."""

    directory_roles: frozenset[str]
    reason: str = ""

    def allows_any(self, needed: frozenset[str]) -> bool:
        return bool(self.directory_roles & needed)


def directory_roles_for(*, membership: PartnerMembership, customer_id: int, now: datetime | None = None) -> frozenset[str]:
    """The directory roles the member holds in the customer's tenant now: the roles of the partner's
    active grants assigned to the security groups the member belongs to, plus those assigned to the
    member's partner roles by legacy assignments (no group). One query, no cache."""
    in_groups = Q(security_group__members=membership.pk) if membership.pk else Q(pk__in=[])
    legacy = Q(security_group__isnull=True, partner_role__in=list(membership.roles))
    assignments = AccessAssignment.objects.filter(
        in_groups | legacy,
        grant__partner_id=membership.partner_id,
        grant__customer_id=customer_id,
        grant__status=GrantStatus.ACTIVE,
        grant__ends_at__gt=now or timezone.now(),
    ).values_list("roles", flat=True)
    return frozenset(role for assigned in assignments for role in assigned)


def effective_access(*, membership: PartnerMembership, customer: Customer) -> CustomerAccess:
    """The user's security groups (and, for legacy assignments, partner roles) ∩ the roles of the
    partner's active grants assigned to them.

    Computed from the database on every call (no cache): removing roles takes effect on the very
    next request. One query.
    """
    now = timezone.now()
    roles = directory_roles_for(membership=membership, customer_id=customer.pk, now=now)
    if roles:
        return CustomerAccess(directory_roles=roles)
    has_active = DelegatedAdminGrant.objects.filter(
        partner_id=membership.partner_id, customer=customer, status=GrantStatus.ACTIVE, ends_at__gt=now
    ).exists()
    if has_active:
        reason = _("None of the admin roles %(customer)s granted are assigned to your security groups or partner roles (%(roles)s).") % {
            "customer": customer.company_name, "roles": ", ".join(membership.role_labels)}
    else:
        last = DelegatedAdminGrant.objects.filter(partner_id=membership.partner_id, customer=customer).order_by("-requested_at").first()
        if last is None:
            reason = _("%(customer)s has not granted your organisation any admin roles.") % {"customer": customer.company_name}
        elif last.status == GrantStatus.APPROVAL_PENDING:
            reason = _("The admin roles requested from %(customer)s still wait for the customer's approval.") % {"customer": customer.company_name}
        elif last.status == GrantStatus.TERMINATED:
            reason = _("%(customer)s removed your organisation's admin roles.") % {"customer": customer.company_name}
        elif last.status == GrantStatus.EXPIRED:
            reason = _("Your organisation's admin roles for %(customer)s expired.") % {"customer": customer.company_name}
        else:
            reason = _("%(customer)s has not granted your organisation any admin roles.") % {"customer": customer.company_name}
    return CustomerAccess(directory_roles=frozenset(), reason=reason)


def grant_list_for_partner(*, partner: Partner, status: str = "", ending_within_days: int | None = None) -> QuerySet[DelegatedAdminGrant]:
    """The partner's grants newest first; `ending_within_days`: only active grants whose end falls in the next N days
    (soonest end first)."""
    queryset = (DelegatedAdminGrant.objects.filter(partner=partner, customer__isnull=False)  # customerless Graph drafts: /v1.0 only
                .select_related("customer").order_by("-requested_at", "-pk"))
    if status in GrantStatus.values:
        queryset = queryset.filter(status=status)
    if ending_within_days is not None:
        queryset = grants_ending_within(queryset, days=ending_within_days).order_by("ends_at", "pk")
    return queryset


# Renewals (issue 24 item 2): the windows the funnel and the Delegated admin list offer.
RENEWAL_WINDOWS = (30, 60, 90)


def grants_ending_within(queryset: QuerySet[DelegatedAdminGrant], *, days: int, now: datetime | None = None) -> QuerySet[DelegatedAdminGrant]:
    """Active grants that have not ended yet and end within `days` days from now."""
    now = now or timezone.now()
    return queryset.filter(status=GrantStatus.ACTIVE, ends_at__gt=now, ends_at__lte=now + timedelta(days=days))


def grants_ending_counts(*, partner: Partner, now: datetime | None = None) -> dict[int, int]:
    """How many of the partner's active grants end within each renewal window, in one query."""
    now = now or timezone.now()
    # Only the widest window's grants are read (index grant_partner_status_ends), not every active
    # grant ending after now: a provider with 100,000 customers holds 50,000 of them (issue 25).
    active = DelegatedAdminGrant.objects.filter(partner=partner, customer__isnull=False, status=GrantStatus.ACTIVE, ends_at__gt=now,
                                                ends_at__lte=now + timedelta(days=max(RENEWAL_WINDOWS)))
    # COUNT(ends_at) (set on every row read) rather than COUNT(id): the scan stays index-only.
    counts = active.aggregate(**{f"d{days}": Count("ends_at", filter=Q(ends_at__lte=now + timedelta(days=days))) for days in RENEWAL_WINDOWS})
    return {days: counts[f"d{days}"] or 0 for days in RENEWAL_WINDOWS}


def grant_get_for_partner(*, partner: Partner, grant_pk: int) -> DelegatedAdminGrant:
    try:
        return DelegatedAdminGrant.objects.select_related("customer", "partner").get(partner=partner, pk=grant_pk, customer__isnull=False)
    except DelegatedAdminGrant.DoesNotExist as exc:
        raise Http404 from exc


def active_customers_for_partner(*, partner: Partner) -> QuerySet[Customer]:
    return Customer.objects.filter(relationships__partner=partner, relationships__status=RelationshipStatus.ACTIVE).order_by("company_name")


# --- Two-tier (issue 6) ------------------------------------------------------------------------


def indirect_reseller_customers_for_provider(*, provider: Partner) -> QuerySet[Relationship]:
    """Customers of the provider's indirect resellers: the resellers' active relationships naming
    this provider (never the provider's own rows). Two queries at most whatever their number."""
    return (
        Relationship.objects.filter(indirect_provider=provider, status=RelationshipStatus.ACTIVE)
        .exclude(partner=provider)
        .select_related("customer", "partner")
        .order_by("customer__company_name", "partner__name", "pk")
    )
