"""What stands in the way of a partner removing its relationship with a customer.

Rule (PRODUCT.md §5, Removal): the partner's active subscriptions for that customer must be
suspended first. Grants are not blockers: removal ends them. Each blocker names the object and
where to resolve it, for the removal page (links) and the API's problem response (a list).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.translation import gettext as _

from relationships.errors import RelationshipError

if TYPE_CHECKING:
    from customers.models import Customer
    from partners.models import Partner


@dataclass(frozen=True)
class RemovalBlocker:
    kind: str  # "active_subscription"
    object_id: int
    label: str
    url: str  # where the partner resolves it (console page)

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.object_id, "label": self.label, "url": self.url}


class RemovalBlockedError(RelationshipError):
    """Removal refused: `blockers` lists what must be resolved first."""

    def __init__(self, blockers: list[RemovalBlocker]) -> None:
        super().__init__("removal_blocked", _("Suspend the active subscriptions of this customer before removing the relationship: "
                                              "%(list)s.") % {"list": ", ".join(b.label for b in blockers)})
        self.blockers = blockers


def removal_blockers(*, partner: Partner, customer: Customer) -> list[RemovalBlocker]:
    """The partner's active subscriptions for the customer (one query), each with its page."""
    from subscriptions.selectors import active_subscriptions_of

    url = reverse("subscriptions:list", kwargs={"partner_id": partner.partner_id, "tenant_id": customer.tenant_id})
    return [
        RemovalBlocker(kind="active_subscription", object_id=subscription.pk,
                       label=_("%(product)s, quantity %(quantity)s (active)") % {"product": subscription.product_name,
                                                                         "quantity": subscription.quantity},
                       url=f"{url}#subscription-{subscription.pk}")
        for subscription in active_subscriptions_of(partner=partner, customer=customer)
    ]
