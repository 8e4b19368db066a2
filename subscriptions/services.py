"""Subscriptions the partner places for a customer, and the support contact of each.

Every action: one transaction, the subscription row locked (`select_for_update`) before it moves,
a conditional UPDATE on the expected state, one audit event (which raises the webhook event).
Who may act: partner users with MANAGE_CUSTOMERS (admin agents, sales agents), for a customer
with which their partner has an active relationship.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actions import AuditAction
from audit.services import audit_record
from partners.authz import Permission, authorize
from partners.models import PartnerMembership
from relationships.choices import RelationshipStatus
from relationships.models import Relationship
from subscriptions.catalog import product_for
from subscriptions.choices import SubscriptionStatus
from subscriptions.errors import SubscriptionError
from subscriptions.models import Subscription, SupportContact

if TYPE_CHECKING:
    from accounts.models import User
    from customers.models import Customer


def _lock_active_relationship(membership: PartnerMembership, customer: Customer) -> None:
    # Lock the active relationship row: a concurrent partner-side removal (which locks it too and
    # then checks for active subscriptions) cannot end it under a subscription being provisioned.
    relationship = (Relationship.objects.select_for_update(of=("self",))
                    .filter(partner_id=membership.partner_id, customer=customer, status=RelationshipStatus.ACTIVE).first())
    if relationship is None:
        raise SubscriptionError("no_relationship", _("Your organisation has no active reseller relationship with this customer."))


def _locked(subscription: Subscription, membership: PartnerMembership) -> Subscription:
    """Lock the partner's subscription row; another partner's answers not_found."""
    locked = (Subscription.objects.select_for_update(of=("self",)).select_related("partner", "customer")
              .filter(pk=subscription.pk, partner_id=membership.partner_id).first())
    if locked is None:
        raise SubscriptionError("not_found", _("Unknown subscription."))
    return locked


def _check_quantity(product_sku: str, quantity: int) -> None:
    product = product_for(product_sku)
    if product is None:
        raise SubscriptionError("unknown_product", _("Choose a product from the catalog."), field="product")
    if quantity < 1 or quantity > product.max_quantity:
        raise SubscriptionError(
            "invalid_quantity",
            _("The quantity of %(product)s must be between 1 and %(max)s.") % {"product": product.name, "max": product.max_quantity},
            field="quantity",
        )


@transaction.atomic
def subscription_provision(*, membership: PartnerMembership, customer: Customer, product_sku: str, quantity: int) -> Subscription:
    """Place a new active subscription for the customer in the member's partner's name.

    Pre: MANAGE_CUSTOMERS; an active relationship with the customer; a catalog product; a
    quantity within the product's bounds (always 1 for a product without licenses).
    Post: the subscription, audited `subscription.provisioned` (webhook event too).
    """
    authorize(membership, Permission.MANAGE_CUSTOMERS,
              message=_("Your partner roles do not allow managing this customer's subscriptions."))
    _check_quantity(product_sku, quantity)
    _lock_active_relationship(membership, customer)
    subscription = Subscription.objects.create(partner_id=membership.partner_id, customer=customer, product_sku=product_sku,
                                               quantity=quantity, created_by=membership.user)
    audit_record(action=AuditAction.SUBSCRIPTION_PROVISIONED, actor=membership.user, partner=membership.partner, customer=customer,
                 target=subscription, after={"product": product_sku, "quantity": quantity, "status": SubscriptionStatus.ACTIVE})
    return subscription


@transaction.atomic
def subscription_change_quantity(*, subscription: Subscription, membership: PartnerMembership, quantity: int) -> Subscription:
    """Buy or release seats. Never below the licenses assigned now (remove licenses first).

    The subscription row is locked, and license assignment locks the same row, so a concurrent
    assignment cannot slip in between the count and the update.
    """
    authorize(membership, Permission.MANAGE_CUSTOMERS,
              message=_("Your partner roles do not allow managing this customer's subscriptions."))
    locked = _locked(subscription, membership)
    if locked.status != SubscriptionStatus.ACTIVE:
        raise SubscriptionError("not_active", _("Reactivate the subscription before changing its quantity."))
    _check_quantity(locked.product_sku, quantity)
    assigned = locked.license_assignments.count()
    if quantity < assigned:
        raise SubscriptionError(
            "below_assigned",
            _("%(count)s licenses are assigned: remove some before lowering the quantity to %(quantity)s.")
            % {"count": assigned, "quantity": quantity},
            field="quantity",
        )
    if quantity == locked.quantity:
        return locked
    before = locked.quantity
    Subscription.objects.filter(pk=locked.pk, status=SubscriptionStatus.ACTIVE).update(quantity=quantity, updated_at=timezone.now())
    locked.quantity = quantity
    audit_record(action=AuditAction.SUBSCRIPTION_QUANTITY_CHANGED, actor=membership.user, partner=locked.partner,
                 customer=locked.customer, target=locked, before={"quantity": before}, after={"quantity": quantity})
    return locked


def _transition(subscription: Subscription, membership: PartnerMembership, *, to: str) -> Subscription:
    authorize(membership, Permission.MANAGE_CUSTOMERS,
              message=_("Your partner roles do not allow managing this customer's subscriptions."))
    locked = _locked(subscription, membership)
    source = SubscriptionStatus.ACTIVE if to == SubscriptionStatus.SUSPENDED else SubscriptionStatus.SUSPENDED
    now = timezone.now()
    changes: dict[str, Any] = {"status": to, "updated_at": now, "suspended_at": now if to == SubscriptionStatus.SUSPENDED else None}
    if to == SubscriptionStatus.ACTIVE:
        _lock_active_relationship(membership, locked.customer)
    updated = Subscription.objects.filter(pk=locked.pk, status=source).update(**changes)
    if updated != 1:
        if to == SubscriptionStatus.SUSPENDED:
            raise SubscriptionError("not_active", _("This subscription is already suspended."))
        raise SubscriptionError("not_suspended", _("This subscription is already active."))
    locked.status, locked.suspended_at = to, changes["suspended_at"]
    action = AuditAction.SUBSCRIPTION_SUSPENDED if to == SubscriptionStatus.SUSPENDED else AuditAction.SUBSCRIPTION_REACTIVATED
    audit_record(action=action, actor=membership.user, partner=locked.partner, customer=locked.customer, target=locked,
                 before={"status": source}, after={"status": to})
    return locked


@transaction.atomic
def subscription_suspend(*, subscription: Subscription, membership: PartnerMembership) -> Subscription:
    """Suspend an active subscription: its licenses stay assigned but no new ones can be added,
    and it no longer blocks removing the relationship. A second suspend is refused (not_active)."""
    return _transition(subscription, membership, to=SubscriptionStatus.SUSPENDED)


@transaction.atomic
def subscription_reactivate(*, subscription: Subscription, membership: PartnerMembership) -> Subscription:
    """Reactivate a suspended subscription (needs the relationship to be still active)."""
    return _transition(subscription, membership, to=SubscriptionStatus.ACTIVE)


@transaction.atomic
def support_contact_set(*, subscription: Subscription, membership: PartnerMembership, contact: User | None) -> SupportContact | None:
    """Designate a user of the same partner as the subscription's support contact (None clears it).

    Pre: MANAGE_CUSTOMERS; the contact is a member of the subscription's partner. Post: one audit
    event (assigned or removed); nothing when the contact does not change.
    """
    authorize(membership, Permission.MANAGE_CUSTOMERS,
              message=_("Your partner roles do not allow managing this customer's subscriptions."))
    locked = _locked(subscription, membership)
    current = SupportContact.objects.filter(subscription=locked).select_related("user").first()
    if contact is None:
        if current is None:
            return None
        current.delete()
        audit_record(action=AuditAction.SUPPORT_CONTACT_REMOVED, actor=membership.user, partner=locked.partner,
                     customer=locked.customer, target=locked, before={"contact": current.user.email})
        return None
    if not PartnerMembership.objects.filter(partner_id=locked.partner_id, user=contact).exists():
        raise SubscriptionError("not_partner_user", _("The support contact must be a user of your partner organisation."), field="contact")
    if current is not None and current.user_id == contact.pk:
        return current
    before = {"contact": current.user.email} if current else {"contact": None}
    support, _created = SupportContact.objects.update_or_create(
        subscription=locked, defaults={"user": contact, "assigned_by": membership.user, "assigned_at": timezone.now()}
    )
    audit_record(action=AuditAction.SUPPORT_CONTACT_ASSIGNED, actor=membership.user, partner=locked.partner,
                 customer=locked.customer, target=locked, before=before, after={"contact": contact.email})
    return support
