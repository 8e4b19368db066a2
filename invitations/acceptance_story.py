"""What accepting an invitation really does, so pages and emails tell that and nothing else (issue 21, item 8).

- A plain reseller invitation to a customer whose reseller the partner already is would change
  nothing: it is refused before anything is written (no acceptance, no emails); the customer may
  decline it instead.
- A request for admin roles (or a reseller invitation with admin roles, to an existing customer)
  creates a grant request, not a relationship: the pages and emails say so (`new_reseller` False).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from invitations.choices import InvitationKind
from invitations.rules import RuleViolation
from relationships.choices import RelationshipStatus
from relationships.models import Relationship

if TYPE_CHECKING:
    from customers.models import Customer
    from invitations.models import Invitation


def nothing_to_accept(*, invitation: Invitation, customer: Customer) -> RuleViolation | None:
    """The refusal when accepting would create nothing: a reseller invitation without admin roles,
    to a customer whose reseller the partner already is."""
    if invitation.kind != InvitationKind.RESELLER or invitation.include_delegated_admin or customer.pk is None:
        return None
    if not Relationship.objects.filter(partner=invitation.partner, customer=customer, status=RelationshipStatus.ACTIVE).exists():
        return None
    return RuleViolation("already_reseller", _(
        "%(partner)s is already the reseller of %(customer)s: accepting would change nothing. You can decline this invitation."
    ) % {"partner": invitation.partner.name, "customer": customer.company_name})
