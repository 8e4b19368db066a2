"""Duplicate and existing-customer detection before a reseller invitation is created (issue 10, item 2).

Three findings, by target domain (case-insensitive, IDNA-normalised), by the tenant behind it and by
the recipient email (the tenants the recipient is a member of):

- `already_customer`: the tenant already has an active relationship with this partner (blocking;
  the finding carries the customer so pages can link to it);
- `pending_invitation`: this partner already has a pending, unexpired invitation to that address or
  domain (blocking; resend that one instead);
- `other_partners`: the tenant has active relationships with other partners (information only:
  a customer may have many partners). Other partners' names are never revealed.

Single invitations (page and API, through `invitation_create`) and bulk invitations use this one
function; bulk calls `duplicate_index` to answer for thousands of rows in a few queries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Count, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Customer, CustomerMembership
from customers.services import CustomerError, normalise_domain
from invitations.choices import InvitationStatus
from invitations.models import Invitation
from partnercenter.compiled_queries import CompiledQuery
from relationships.choices import RelationshipStatus
from relationships.models import Relationship

if TYPE_CHECKING:
    from partners.models import Partner

ALREADY_CUSTOMER = "already_customer"
PENDING_INVITATION = "pending_invitation"
OTHER_PARTNERS = "other_partners"
BLOCKING_CODES = frozenset({ALREADY_CUSTOMER, PENDING_INVITATION})


@dataclass(frozen=True)
class DuplicateFinding:
    code: str
    message: str
    customer: Customer | None = None
    invitation: Invitation | None = None
    params: dict[str, str | int] = field(default_factory=dict, compare=False)  # what `finding_words` puts into words

    @property
    def blocking(self) -> bool:
        return self.code in BLOCKING_CODES


def finding_words(code: str, params: dict[str, str | int]) -> str:
    """A finding in the active language, from its code and `params` (as stored with a bulk row)."""
    if code == ALREADY_CUSTOMER:
        return _("%(customer)s (%(domain)s) is already your customer.") % params
    if code == PENDING_INVITATION:
        return _("A pending invitation from you already exists for %(target)s (#%(id)s, expires %(expires)s): resend it instead.") % params
    # Named by what the partner typed: the tenant is not its customer (issue 21, item 10).
    return _("The organisation at %(target)s already works with %(count)s other partner(s). That is allowed: a customer may have several partners.") % params


def _finding(code: str, params: dict[str, str | int], *, customer: Customer | None = None,
             invitation: Invitation | None = None) -> DuplicateFinding:
    return DuplicateFinding(code, finding_words(code, params), customer=customer, invitation=invitation, params=params)


def clean_domain(value: str) -> str:
    """The normalised form used for comparisons; a malformed domain compares as lower-cased text."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        return normalise_domain(value)
    except CustomerError:
        return value.rstrip(".").lower()


@dataclass
class DuplicateIndex:
    """What the database knows about a set of domains and emails, for one partner, loaded at once."""

    partner: Partner
    tenants_by_domain: dict[str, list[Customer]] = field(default_factory=dict)
    tenants_by_email: dict[str, list[Customer]] = field(default_factory=dict)
    own_customer_ids: set[int] = field(default_factory=set)
    other_partner_counts: dict[int, int] = field(default_factory=dict)
    pending_by_email: dict[str, Invitation] = field(default_factory=dict)
    pending_by_domain: dict[str, Invitation] = field(default_factory=dict)

    def findings(self, *, recipient_email: str = "", target_domain: str = "") -> list[DuplicateFinding]:
        email = (recipient_email or "").strip().lower()
        domain = clean_domain(target_domain)
        tenants: dict[int, Customer] = {}
        for customer in self.tenants_by_domain.get(domain, []) if domain else []:
            tenants[customer.pk] = customer
        for customer in self.tenants_by_email.get(email, []) if email else []:
            tenants[customer.pk] = customer
        found: list[DuplicateFinding] = []
        for customer in sorted(tenants.values(), key=lambda c: c.pk):
            if customer.pk in self.own_customer_ids:
                found.append(_finding(ALREADY_CUSTOMER, {"customer": customer.company_name, "domain": customer.primary_domain},
                                      customer=customer))
        pending = (self.pending_by_email.get(email) if email else None) or (self.pending_by_domain.get(domain) if domain else None)
        if pending is not None:
            found.append(_finding(PENDING_INVITATION, {
                "target": pending.recipient_email or pending.sent_to or pending.target_domain, "id": pending.pk,
                "expires": timezone.localtime(pending.expires_at).date().isoformat()}, invitation=pending))
        for customer in sorted(tenants.values(), key=lambda c: c.pk):
            others = self.other_partner_counts.get(customer.pk, 0)
            if others:
                found.append(_finding(OTHER_PARTNERS, {"target": target_domain.strip() or email, "count": others}, customer=customer))
        return found


# The tenants whose members have these addresses, in one cloud (values: the addresses, lower case, then the
# cloud): every create's read, compiled once per process and number of addresses (partnercenter.compiled_queries).
_MEMBERSHIPS_BY_EMAIL = CompiledQuery(lambda values: (
    CustomerMembership.objects.annotate(email_lower=Lower("user__email"))
    .filter(email_lower__in=values[:-1], customer__cloud=values[-1])
    .select_related("customer", "user").order_by("customer_id")
))


def duplicate_index(*, partner: Partner, emails: Iterable[str], domains: Iterable[str],
                    domain_tenants: list[Customer] | None = None, with_pending: bool = True) -> DuplicateIndex:
    """Load, in a constant number of queries, what `findings` needs for these emails and domains.

    `domain_tenants`: the partner's-cloud tenants with these domains, when the caller has read them.
    `with_pending=False`: leave the partner's pending invitations out, for a caller that loads them
    later with `duplicate_index_add_pending` (under its partner lock: they are what the lock serialises).
    """
    emails, domains = list(emails), list(domains)
    email_set = {e.strip().lower() for e in emails if e and e.strip()}
    domain_set = {clean_domain(d) for d in domains if d and d.strip()}
    index = DuplicateIndex(partner=partner)
    if domain_tenants is not None:
        for customer in sorted(domain_tenants, key=lambda c: c.pk):
            if customer.primary_domain.lower() in domain_set:
                index.tenants_by_domain.setdefault(customer.primary_domain.lower(), []).append(customer)
    elif domain_set:
        for customer in Customer.objects.filter(primary_domain__in=domain_set, cloud=partner.cloud).order_by("pk"):
            index.tenants_by_domain.setdefault(customer.primary_domain.lower(), []).append(customer)
    if email_set:
        by_email: dict[str, list[Customer]] = defaultdict(list)
        for membership in _MEMBERSHIPS_BY_EMAIL.fetch([*sorted(email_set), partner.cloud]):
            by_email[membership.user.email.lower()].append(membership.customer)
        index.tenants_by_email = dict(by_email)
    customer_ids = {c.pk for cs in index.tenants_by_domain.values() for c in cs} | {c.pk for cs in index.tenants_by_email.values() for c in cs}
    if customer_ids:
        active = Relationship.objects.filter(customer_id__in=customer_ids, status=RelationshipStatus.ACTIVE)
        index.own_customer_ids = set(active.filter(partner=partner).values_list("customer_id", flat=True))
        index.other_partner_counts = dict(
            active.exclude(partner=partner).values("customer_id").annotate(n=Count("partner_id", distinct=True)).values_list("customer_id", "n")
        )
    if with_pending:
        duplicate_index_add_pending(index, emails=emails, domains=domains)
    return index


def duplicate_index_add_pending(index: DuplicateIndex, *, emails: Iterable[str], domains: Iterable[str]) -> None:
    """Load the partner's pending invitations to these emails and domains into `index` (one query at most)."""
    email_set = {e.strip().lower() for e in emails if e and e.strip()}
    domain_set = {clean_domain(d) for d in domains if d and d.strip()}
    partner, now = index.partner, timezone.now()
    if email_set or domain_set:
        pending_q = Q()
        if email_set:
            pending_q |= Q(recipient_email__in=email_set) | Q(sent_to__in=email_set)
        if domain_set:
            pending_q |= Q(target_domain__in=domain_set)
        pending = Invitation.objects.filter(pending_q, partner=partner, status=InvitationStatus.PENDING, expires_at__gt=now).order_by("pk")
        for invitation in pending:
            for email in (invitation.recipient_email.lower(), invitation.sent_to.lower()):
                if email in email_set:
                    index.pending_by_email.setdefault(email, invitation)
            if invitation.target_domain and invitation.target_domain.lower() in domain_set:
                index.pending_by_domain.setdefault(invitation.target_domain.lower(), invitation)


def duplicate_findings(*, partner: Partner, recipient_email: str = "", target_domain: str = "",
                       domain_tenants: list[Customer] | None = None) -> list[DuplicateFinding]:
    """Every finding for one would-be invitation, blocking ones first in the order listed above."""
    index = duplicate_index(partner=partner, emails=[recipient_email], domains=[target_domain], domain_tenants=domain_tenants)
    return index.findings(recipient_email=recipient_email, target_domain=target_domain)
