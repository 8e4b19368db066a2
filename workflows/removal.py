"""What in other apps stands in the way of removing a relationship (PRODUCT.md §5, Removal).

Registered with relationships.removal in WorkflowsConfig.ready(): relationships sits below
subscriptions, so it asks its registered sources instead of importing them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext as _

from relationships.removal import RemovalBlocker
from subscriptions.selectors import active_subscriptions_of

if TYPE_CHECKING:
    from customers.models import Customer
    from partners.models import Partner


def subscription_removal_blockers(*, partner: Partner, customer: Customer) -> list[RemovalBlocker]:
    """The partner's active subscriptions for the customer (one query), each with its page."""
    url = reverse("subscriptions:list", kwargs={"partner_id": partner.partner_id, "tenant_id": customer.tenant_id})
    return [
        RemovalBlocker(kind="active_subscription", object_id=subscription.pk,
                       label=_("%(product)s, quantity %(quantity)s (active)") % {"product": subscription.product_name,
                                                                         "quantity": subscription.quantity},
                       url=f"{url}#subscription-{subscription.pk}")
        for subscription in active_subscriptions_of(partner=partner, customer=customer)
    ]
