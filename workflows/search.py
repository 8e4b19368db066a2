"""The console's one search box (issue 24, item 4): a partner's customers, invitations, delegated
admin grants and service requests matching a text, grouped by kind.

Tenancy is structural: every query starts from the partner (`partner_id = …`); another partner's
rows cannot match. Each kind is one query with a LIMIT (`SEARCH_LIMIT` rows, plus one to say
"more"), so a search is four queries whatever the partner's size, and each is an indexed lookup:

- exact identifiers use their unique or primary-key indexes: a tenant id (`customers_customer.tenant_id`
  unique), an invitation number (`#123` or `123`: primary key), a service request number (`SR-45`
  or `45`: primary key);
- text (customer name and domain, invitation recipient, grant display name, request title) is a
  case-insensitive substring match, served by trigram GIN indexes on `UPPER(column)` (pg_trgm;
  migrations `*_exports` in customers, invitations, relationships and servicerequests), which is
  the expression Django's `icontains` compares on PostgreSQL;
- the partner filter uses each table's existing (partner, …) index; PostgreSQL combines the two
  (bitmap AND) or walks the partner's newest rows until the LIMIT is met.

Texts shorter than `MIN_TEXT_LENGTH` characters search identifiers only (a trigram index cannot
narrow one or two letters).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Q

from invitations.models import Invitation
from relationships.choices import RelationshipStatus
from relationships.models import DelegatedAdminGrant, Relationship
from servicerequests.models import ServiceRequest

if TYPE_CHECKING:
    from partners.models import Partner

SEARCH_LIMIT = 8
MIN_TEXT_LENGTH = 3
MAX_QUERY_LENGTH = 100
NUMBER = re.compile(r"^(?:#|sr-?)?\s*(\d{1,18})$", re.IGNORECASE)


@dataclass
class SearchGroup:
    kind: str
    results: list[Any] = field(default_factory=list)
    more: bool = False


@dataclass
class SearchResults:
    q: str
    customers: SearchGroup
    invitations: SearchGroup
    grants: SearchGroup
    service_requests: SearchGroup

    @property
    def groups(self) -> list[SearchGroup]:
        return [self.customers, self.invitations, self.grants, self.service_requests]

    @property
    def total(self) -> int:
        return sum(len(group.results) for group in self.groups)


def _bounded(kind: str, queryset: Any, limit: int) -> SearchGroup:
    rows = list(queryset[: limit + 1])
    return SearchGroup(kind=kind, results=rows[:limit], more=len(rows) > limit)


def _number(q: str) -> int | None:
    match = NUMBER.match(q)
    if match is None:
        return None
    value = int(match.group(1))
    return value if value <= 2**63 - 1 else None


def _tenant_id(q: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(q)
    except ValueError:
        return None


def partner_search(*, partner: Partner, q: str, limit: int = SEARCH_LIMIT) -> SearchResults:
    """What matches `q` among the partner's own rows: at most `limit` of each kind, four queries."""
    q = " ".join(q.split())[:MAX_QUERY_LENGTH]
    text = len(q) >= MIN_TEXT_LENGTH
    number = _number(q)
    tenant_id = _tenant_id(q)
    nothing = Q(pk__in=[])

    customer_match = nothing
    if tenant_id is not None:
        customer_match = Q(customer__tenant_id=tenant_id)
    elif text:
        customer_match = Q(customer__company_name__icontains=q) | Q(customer__primary_domain__icontains=q)
    customers = (Relationship.objects.filter(customer_match, partner=partner, status=RelationshipStatus.ACTIVE)
                 .select_related("customer").order_by("customer__company_name", "pk"))

    invitation_match = Q(pk=number) if number is not None else nothing
    if text:
        invitation_match |= Q(recipient_email__icontains=q) | Q(sent_to__icontains=q)
    invitations = (Invitation.objects.filter(invitation_match, partner=partner)
                   .select_related("customer").order_by("-created_at", "-id"))

    grant_match = Q(display_name__icontains=q) if text else nothing
    grants = (DelegatedAdminGrant.objects.filter(grant_match, partner=partner, customer__isnull=False)
              .select_related("customer").order_by("-requested_at", "-pk"))

    request_match = Q(pk=number) if number is not None else nothing
    if text:
        request_match |= Q(title__icontains=q)
    service_requests = (ServiceRequest.objects.filter(request_match, partner=partner)
                        .select_related("customer").order_by("-created_at", "-id"))

    if not q:
        empty = SearchGroup
        return SearchResults(q=q, customers=empty("customers"), invitations=empty("invitations"),
                             grants=empty("grants"), service_requests=empty("service_requests"))
    return SearchResults(
        q=q,
        customers=_bounded("customers", customers, limit),
        invitations=_bounded("invitations", invitations, limit),
        grants=_bounded("grants", grants, limit),
        service_requests=_bounded("service_requests", service_requests, limit),
    )
