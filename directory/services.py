"""Directory users and license assignments, done by a partner user on the customer's behalf.

Gated by the effective permission (relationships.selectors.effective_access) computed on every
call, so removing roles takes effect at once; which roles allow what is in directory.permissions.
Seats: `license_assign` locks the subscription row (`select_for_update`) before counting its
assignments, and `subscription_change_quantity` locks the same row, so two concurrent assignments
can never exceed the purchased quantity (tests/directory/test_seat_race.py races them on PostgreSQL).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actions import AuditAction
from audit.services import audit_record
from directory.choices import DirectoryUserStatus
from directory.errors import DirectoryError
from directory.models import DirectoryUser, LicenseAssignment
from directory.permissions import LICENSE_WRITE_ROLES, USER_WRITE_ROLES
from relationships.choices import RelationshipStatus
from relationships.models import Relationship
from relationships.selectors import effective_access
from subscriptions.choices import SubscriptionStatus
from subscriptions.models import Subscription

if TYPE_CHECKING:
    from customers.models import Customer
    from partners.models import PartnerMembership


def _require(membership: PartnerMembership, customer: Customer, needed: frozenset[str], what: str) -> None:
    if not Relationship.objects.filter(partner_id=membership.partner_id, customer=customer, status=RelationshipStatus.ACTIVE).exists():
        raise DirectoryError("not_found", _("Unknown customer."))
    access = effective_access(membership=membership, customer=customer)
    if not access.allows_any(needed):
        reason = access.reason or _("Your admin roles in this tenant do not include one that allows this.")
        raise DirectoryError("forbidden", f"{what} {reason}")


@transaction.atomic
def directory_user_create(*, membership: PartnerMembership, customer: Customer, display_name: str,
                          user_principal_name: str) -> DirectoryUser:
    """Create an active user in the customer's directory.

    Pre: the member's effective roles include User Administrator or Global Administrator; a display
    name; a user principal name in one of the tenant's domains, not used yet (case-insensitive).
    """
    _require(membership, customer, USER_WRITE_ROLES, _("You may not create users here."))
    display_name = display_name.strip()
    upn = user_principal_name.strip().lower()
    if not display_name:
        raise DirectoryError("display_name_required", _("Enter a display name."), field="display_name")
    if "@" not in upn or upn.rsplit("@", 1)[1] != customer.primary_domain.lower():
        raise DirectoryError("wrong_domain", _("The user principal name must end in @%(domain)s.") % {"domain": customer.primary_domain},
                             field="user_principal_name")
    if DirectoryUser.objects.filter(customer=customer, user_principal_name__iexact=upn).exists():
        raise DirectoryError("upn_taken", _("This tenant already has a user with this user principal name."), field="user_principal_name")
    try:
        with transaction.atomic():
            user = DirectoryUser.objects.create(customer=customer, display_name=display_name[:200], user_principal_name=upn,
                                                created_by=membership.user)
    except IntegrityError as exc:  # a concurrent create with the same name won
        raise DirectoryError("upn_taken", _("This tenant already has a user with this user principal name."),
                             field="user_principal_name") from exc
    audit_record(action=AuditAction.DIRECTORY_USER_CREATED, actor=membership.user, partner=membership.partner, customer=customer,
                 target=user, after={"user_principal_name": upn, "display_name": user.display_name})
    return user


@transaction.atomic
def directory_user_disable(*, membership: PartnerMembership, user: DirectoryUser) -> DirectoryUser:
    """Disable a user (sign-in blocked in the tenant). Their licenses of this partner's
    subscriptions are released, each audited, so the seats can be reused."""
    _require(membership, user.customer, USER_WRITE_ROLES, _("You may not disable users here."))
    updated = DirectoryUser.objects.filter(pk=user.pk, status=DirectoryUserStatus.ACTIVE).update(
        status=DirectoryUserStatus.DISABLED, disabled_at=timezone.now())
    if updated != 1:
        raise DirectoryError("not_active", _("This user is already disabled."))
    user.status = DirectoryUserStatus.DISABLED
    audit_record(action=AuditAction.DIRECTORY_USER_DISABLED, actor=membership.user, partner=membership.partner, customer=user.customer,
                 target=user, before={"status": "active"}, after={"status": "disabled"})
    for assignment in (LicenseAssignment.objects.select_related("subscription__partner", "subscription__customer")
                       .filter(directory_user=user, subscription__partner_id=membership.partner_id).order_by("pk")):
        _remove_assignment(assignment, membership)
    return user


def _locked_subscription(membership: PartnerMembership, subscription: Subscription) -> Subscription:
    locked = (Subscription.objects.select_for_update(of=("self",)).select_related("partner", "customer")
              .filter(pk=subscription.pk, partner_id=membership.partner_id).first())
    if locked is None:
        raise DirectoryError("not_found", _("Unknown subscription."))
    return locked


@transaction.atomic
def license_assign(*, membership: PartnerMembership, subscription: Subscription, user: DirectoryUser) -> LicenseAssignment:
    """Give the user one seat of the partner's subscription.

    Pre: License/User/Global Administrator among the effective roles; the subscription is this
    partner's, active, licensable and of the user's tenant; the user is active and has no seat
    of it yet; a seat is free. The subscription row is locked first, so concurrent assignments
    are serialised and the count below is exact.
    """
    _require(membership, user.customer, LICENSE_WRITE_ROLES, _("You may not assign licenses here."))
    locked = _locked_subscription(membership, subscription)
    if locked.customer_id != user.customer_id:
        raise DirectoryError("not_found", _("Unknown subscription."))
    if not locked.licensable:
        raise DirectoryError("not_licensable", _("%(product)s has no user licenses.") % {"product": locked.product_name})
    if locked.status != SubscriptionStatus.ACTIVE:
        raise DirectoryError("subscription_suspended", _("%(product)s is suspended: reactivate it to assign licenses.")
                             % {"product": locked.product_name})
    if DirectoryUser.objects.filter(pk=user.pk, status=DirectoryUserStatus.ACTIVE).count() != 1:
        raise DirectoryError("user_disabled", _("%(user)s is disabled.") % {"user": user.user_principal_name})
    if LicenseAssignment.objects.filter(subscription=locked, directory_user=user).exists():
        raise DirectoryError("already_assigned", _("%(user)s already has a %(product)s license.")
                             % {"user": user.user_principal_name, "product": locked.product_name})
    used = LicenseAssignment.objects.filter(subscription=locked).count()
    if used >= locked.quantity:
        raise DirectoryError("out_of_seats", _("All %(quantity)s licenses of %(product)s are assigned: raise the quantity or remove a "
                                               "license first.") % {"quantity": locked.quantity, "product": locked.product_name})
    assignment = LicenseAssignment.objects.create(subscription=locked, directory_user=user, assigned_by=membership.user)
    audit_record(action=AuditAction.LICENSE_ASSIGNED, actor=membership.user, partner=locked.partner, customer=locked.customer,
                 target=assignment, after={"subscription_id": locked.pk, "product": locked.product_sku,
                                           "user_principal_name": user.user_principal_name, "seats_used": used + 1,
                                           "quantity": locked.quantity})
    return assignment


def _remove_assignment(assignment: LicenseAssignment, membership: PartnerMembership) -> None:
    subscription = assignment.subscription
    data = {"subscription_id": subscription.pk, "product": subscription.product_sku,
            "user_principal_name": assignment.directory_user.user_principal_name}
    audit_record(action=AuditAction.LICENSE_REMOVED, actor=membership.user, partner=subscription.partner,
                 customer=subscription.customer, target=assignment, before=data)
    assignment.delete()


@transaction.atomic
def license_remove(*, membership: PartnerMembership, assignment: LicenseAssignment) -> None:
    """Free the seat. Pre: license write roles; the assignment is of this partner's subscription."""
    assignment = (LicenseAssignment.objects.select_related("subscription__partner", "subscription__customer", "directory_user")
                  .filter(pk=assignment.pk, subscription__partner_id=membership.partner_id).first())
    if assignment is None:
        raise DirectoryError("not_found", _("This license is no longer assigned."))
    _require(membership, assignment.subscription.customer, LICENSE_WRITE_ROLES, _("You may not remove licenses here."))
    _locked_subscription(membership, assignment.subscription)
    _remove_assignment(assignment, membership)
