"""Reads over relationships: the partner's Customers page and a customer's partners."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Customer
from relationships.choices import GrantStatus, RelationshipStatus, RelationshipType
from relationships.models import AccessAssignment, DelegatedAdminGrant, Relationship

if TYPE_CHECKING:
    from partners.models import Partner, PartnerMembership


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


def _active_relationships(
    *, partner: Partner, q: str = "", relationship_type: str = "", delegated_admin: str = "", country: str = ""
) -> QuerySet[Relationship]:
    """The partner's active relationships that match the Customers filters. Customers are joined
    only when a filter reads them, so an unfiltered count stays on the relationship index."""
    has_active_grant, has_pending_grant = _grant_states(partner)
    queryset = Relationship.objects.filter(partner=partner, status=RelationshipStatus.ACTIVE)
    if q:
        queryset = queryset.filter(Q(customer__company_name__icontains=q) | Q(customer__primary_domain__icontains=q))
    if relationship_type in RelationshipType.values:
        queryset = queryset.filter(relationship_type=relationship_type)
    if delegated_admin == "active":
        queryset = queryset.filter(has_active_grant)
    elif delegated_admin == "pending":
        queryset = queryset.filter(has_pending_grant)
    elif delegated_admin == "none":
        queryset = queryset.filter(~has_active_grant, ~has_pending_grant)
    if country:
        queryset = queryset.filter(customer__country=country.upper())
    return queryset


def customer_list_for_partner(
    *, partner: Partner, q: str = "", sort: str = "name", relationship_type: str = "", delegated_admin: str = "", country: str = ""
) -> QuerySet[Relationship]:
    """The partner's active customer relationships, with the delegated admin state (and the customer's
    country code) annotated.

    Filters: search in name and domain, relationship type, delegated admin (active, pending,
    none), country. Constant number of queries whatever the number of customers (one for the
    page, one count: customer_count_for_partner); customer_rows_for_partner adds what the
    Customers page's rows show.
    """
    has_active_grant, has_pending_grant = _grant_states(partner)
    queryset = (
        _active_relationships(partner=partner, q=q, relationship_type=relationship_type, delegated_admin=delegated_admin, country=country)
        .select_related("customer")
        .annotate(
            has_active_grant=has_active_grant,
            has_pending_grant=has_pending_grant,
            # The stored ISO code as a plain string (customer.country builds a Country object: slow in a list).
            country_code=F("customer__country"),
        )
    )
    return queryset.order_by(*CUSTOMER_SORTS.get(sort, CUSTOMER_SORTS["name"]))


def customer_count_for_partner(
    *, partner: Partner, q: str = "", sort: str = "", relationship_type: str = "", delegated_admin: str = "", country: str = ""
) -> int:
    """How many relationships customer_list_for_partner lists with the same filters (`sort` is
    ignored), without joining customers when no filter needs them."""
    return _active_relationships(partner=partner, q=q, relationship_type=relationship_type, delegated_admin=delegated_admin,
                                 country=country).count()


def customer_countries_for_partner(*, partner: Partner) -> list[str]:
    """Country codes of the partner's active customers, for the Customers page filter (one query)."""
    return sorted(Relationship.objects.filter(partner=partner, status=RelationshipStatus.ACTIVE).order_by()
                  .values_list("customer__country", flat=True).distinct())


def customer_rows_for_partner(*, partner: Partner, **filters: str) -> QuerySet[Relationship]:
    """customer_list_for_partner plus what each row of the Customers page shows: `subscription_count`
    (this partner's subscriptions there).

    The count is a correlated sub-select that PostgreSQL evaluates only for the page's rows (after
    the sort and LIMIT), so the page stays one query plus the paginator's count. The expansion's
    contents load on demand (customer_details_attach).
    """
    from subscriptions.models import Subscription

    subscription_count = (Subscription.objects.filter(partner=partner, customer=OuterRef("customer_id")).order_by()
                          .values("customer").annotate(n=Count("pk")).values("n"))
    return customer_list_for_partner(partner=partner, **filters).annotate(
        subscription_count=Coalesce(Subquery(subscription_count), 0))


def customer_details_attach(*, relationship: Relationship, membership: PartnerMembership) -> Relationship:
    """Give one relationship what its expanded row (and the customer's page) shows.

    Attaches `subscriptions` (this partner's only, seats used, support contact), `grants` (this
    partner's), `user_count`, `licenses_used`, `licenses_total`, and `directory_access` (the
    member's effective directory roles there), `agreement` (latest acceptance) and
    `agreement_current`, `service_requests` (this partner's, newest first). Seven queries whatever
    the number of subscriptions, grants and requests.
    """
    from customers.models import AgreementAcceptance, AgreementVersion
    from directory.models import DirectoryUser
    from servicerequests.models import ServiceRequest
    from subscriptions.selectors import subscriptions_with_seats_for_customers

    customer_id = relationship.customer_id
    partner_id = membership.partner_id
    subscriptions = list(subscriptions_with_seats_for_customers(partner=membership.partner).filter(customer_id=customer_id))
    relationship.subscriptions = subscriptions
    relationship.subscription_count = len(subscriptions)
    relationship.grants = list(DelegatedAdminGrant.objects.filter(partner_id=partner_id, customer_id=customer_id)
                               .order_by("-requested_at", "-pk"))
    relationship.user_count = DirectoryUser.objects.filter(customer_id=customer_id).count()
    access: set[str] = set()
    for roles in AccessAssignment.objects.filter(
        grant__partner_id=partner_id, grant__customer_id=customer_id, grant__status=GrantStatus.ACTIVE,
        grant__ends_at__gt=timezone.now(), partner_role__in=list(membership.roles),
    ).values_list("roles", flat=True):
        access |= set(roles)
    # The acceptance of the newest version, not the latest-dated one: an attestation is dated at noon
    # of the day the customer signed, which can be before an acceptance of an earlier version (issue 21, item 4).
    relationship.agreement = (AgreementAcceptance.objects.filter(customer_id=customer_id).select_related("agreement")
                              .order_by("-agreement__effective_at", "-accepted_at", "-pk").first())
    relationship.service_requests = list(ServiceRequest.objects.filter(partner_id=partner_id, customer_id=customer_id)
                                         .order_by("-created_at", "-id"))
    current_version = (AgreementVersion.objects.filter(effective_at__lte=timezone.now()).order_by("-effective_at")
                       .values_list("version", flat=True).first())
    relationship.agreement_current = bool(relationship.agreement and relationship.agreement.agreement.version == current_version)
    licensable = [s for s in subscriptions if s.licensable]
    relationship.licenses_used = sum(s.assigned for s in licensable)
    relationship.licenses_total = sum(s.quantity for s in licensable)
    relationship.support_contacts = [s for s in subscriptions if getattr(s, "support_contact", None)]
    relationship.directory_access = frozenset(access)
    relationship.can_read_directory = bool(relationship.directory_access & USER_READ_ROLES)
    return relationship


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

# Directory roles that let a partner user see a customer's users.
USER_READ_ROLES = frozenset({
    "62e90394-69f5-4237-9190-012177145e10",  # Global Administrator
    "fe930be7-5e62-47db-91af-98c3a49a38b1",  # User Administrator
    "729827e3-9c14-49f7-bb1b-9608f156bbb8",  # Helpdesk Administrator
    "f2ef992c-3afb-46b9-b7cf-a126ee74c451",  # Global Reader
    "88d8e3e3-8f55-4a1e-953a-9b9898b8876b",  # Directory Readers
    "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",  # Privileged Authentication Administrator
    "4d6ac14f-3453-41d0-bef9-a3e0c569773a",  # License Administrator
})


@dataclass(frozen=True)
class CustomerAccess:
    """What a partner user may do in a customer's tenant right now, and why not when refused."""

    directory_roles: frozenset[str]
    reason: str = ""

    def allows_any(self, needed: frozenset[str]) -> bool:
        return bool(self.directory_roles & needed)


def effective_access(*, membership: PartnerMembership, customer: Customer) -> CustomerAccess:
    """The user's partner roles ∩ the roles of the partner's active grants assigned to those roles.

    Computed from the database on every call (no cache): removing roles takes effect on the very
    next request. One query.
    """
    now = timezone.now()
    assignments = list(
        AccessAssignment.objects.filter(
            grant__partner_id=membership.partner_id,
            grant__customer=customer,
            grant__status=GrantStatus.ACTIVE,
            grant__ends_at__gt=now,
            partner_role__in=list(membership.roles),
        ).values_list("roles", flat=True)
    )
    roles = frozenset(role for assigned in assignments for role in assigned)
    if roles:
        return CustomerAccess(directory_roles=roles)
    has_active = DelegatedAdminGrant.objects.filter(
        partner_id=membership.partner_id, customer=customer, status=GrantStatus.ACTIVE, ends_at__gt=now
    ).exists()
    if has_active:
        reason = _("None of the admin roles %(customer)s granted are assigned to your partner roles (%(roles)s).") % {
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


def grant_list_for_partner(*, partner: Partner, status: str = "") -> QuerySet[DelegatedAdminGrant]:
    queryset = DelegatedAdminGrant.objects.filter(partner=partner).select_related("customer").order_by("-requested_at", "-pk")
    if status in GrantStatus.values:
        queryset = queryset.filter(status=status)
    return queryset


def grant_get_for_partner(*, partner: Partner, grant_pk: int) -> DelegatedAdminGrant:
    try:
        return DelegatedAdminGrant.objects.select_related("customer", "partner").get(partner=partner, pk=grant_pk)
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
