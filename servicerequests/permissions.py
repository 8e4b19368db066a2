"""Who may file and work on service requests for a customer, and why not when refused.

The rule (documented in docs/service-requests.md and on the pages):

* The partner must have an **active relationship** with the customer. Nothing else is needed
  for an `admin_agent`: as the source page says, the partner "can file service requests on the
  customer's behalf" even after the customer removed its admin roles, because the partner still
  owes support under its agreement while it is the reseller.
* A `helpdesk_agent` needs, in addition, an effective permission (relationships.selectors.
  effective_access: an active grant assigned to helpdesk agents) that includes Service Support
  Administrator or Helpdesk Administrator.
* Other partner roles (account admin, sales agent, billing admin) may read, not file.

Services authorise with partners.authz.authorize(membership, Permission.FILE_SERVICE_REQUEST,
customer); the condition registered below is filing_decision. Computed from the database on every call, so a removed grant or an ended relationship takes
effect on the very next request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from partnercenter.directory_roles import HELPDESK_ADMINISTRATOR, SERVICE_SUPPORT_ADMINISTRATOR
from partners.authz import Actor, Permission, register_condition
from partners.choices import PartnerRole
from relationships.choices import RelationshipStatus
from relationships.models import Relationship
from relationships.selectors import effective_access

if TYPE_CHECKING:
    from customers.models import Customer
    from partners.models import PartnerMembership

SERVICE_REQUEST_DIRECTORY_ROLES = frozenset({SERVICE_SUPPORT_ADMINISTRATOR, HELPDESK_ADMINISTRATOR})


@dataclass(frozen=True)
class FilingDecision:
    allowed: bool
    reason: str = ""
    has_relationship: bool = True


def filing_decision(*, membership: PartnerMembership, customer: Customer) -> FilingDecision:
    """May this partner user file (and update, and add notes to) service requests for `customer`?"""
    if not Relationship.objects.filter(partner_id=membership.partner_id, customer=customer,
                                       status=RelationshipStatus.ACTIVE).exists():
        return FilingDecision(False, _("Your organisation no longer has a relationship with %(customer)s.")
                              % {"customer": customer.company_name}, has_relationship=False)
    roles = set(membership.roles)
    if PartnerRole.ADMIN_AGENT in roles:
        return FilingDecision(True)
    if PartnerRole.HELPDESK_AGENT in roles:
        access = effective_access(membership=membership, customer=customer)
        if access.allows_any(SERVICE_REQUEST_DIRECTORY_ROLES):
            return FilingDecision(True)
        reason = access.reason or _("None of your admin roles for %(customer)s allow service requests.") % {
            "customer": customer.company_name}
        return FilingDecision(False, reason + " " + _(
            "Helpdesk agents need the Service Support Administrator or Helpdesk Administrator role; an admin agent can file it."))
    return FilingDecision(False, _("Only admin agents, and helpdesk agents holding the Service Support Administrator or "
                                   "Helpdesk Administrator role, can file service requests."))


def _filing_condition(actor: Actor, customer: Customer) -> str | None:
    if actor.membership is None:  # only partner members and API keys file
        return _("Your roles do not allow this action.")
    decision = filing_decision(membership=actor.membership, customer=customer)
    return None if decision.allowed else decision.reason


register_condition(Permission.FILE_SERVICE_REQUEST, _filing_condition)
