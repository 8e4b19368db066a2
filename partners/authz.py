"""The one permission mechanism: may this actor do this to that target?

Every business action is authorised in its service by one call,

    authorize(actor, Permission.X, target)

whatever surface called the service (partner console, customer admin center, /api/v1 with an API
key, the Graph-compatible surface, the staff console, a Celery task). Surfaces build the actor
(`Actor.for_membership`, `Actor.customer_user`, `Actor.staff`, `Actor.system`) and pass it, or the
membership it wraps, to the service; they never decide themselves.

The answer, in this order:

1. Tenancy: a target carrying `partner_id` (or, for a customer user, `customer_id`) that belongs
   to another tenant raises `TargetNotFoundError` (code `not_found`: 404 on every surface), so an
   actor never learns that another tenant's object exists.
2. Kind and roles: `RULES[permission][actor.kind]` is either a set of roles (the actor needs one of
   them) or `ANY_ROLE`. Partner members and API keys hold partner roles (a key's roles come from
   its scopes: partners.permissions.roles_for_scopes); customer users hold their customer role;
   staff are users with `is_staff`. A kind missing from the rule is refused.
3. Conditions: a higher app may register one target condition per permission
   (`register_condition`): the effective delegated admin access for directory writes, the
   active relationship and admin roles for filing service requests. It returns the reason for a
   refusal, or None.

Every refusal is one error type: `partnercenter.errors.PermissionDeniedError` with code
`forbidden` (403 problem on the API and Graph, the message on a page). Nothing was written.

This module sits at the partners layer: it imports only partners' own roles and the platform, and
knows the customer side only by role value (`CUSTOMER_GLOBAL_ADMIN`, checked against
customers.choices.CustomerRole by tests/access).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from partnercenter.errors import DomainError, PermissionDeniedError
from partners.choices import PartnerRole
from partners.permissions import ALL_ROLES, ROLES_WITH_PERMISSION, PartnerPermission

if TYPE_CHECKING:
    from accounts.models import User
    from partners.models import PartnerMembership

Permission = PartnerPermission
"""The actions an actor may be allowed (partners.permissions.PartnerPermission, one enum)."""

CUSTOMER_GLOBAL_ADMIN = "global_admin"  # customers.choices.CustomerRole.GLOBAL_ADMIN


class ActorKind(StrEnum):
    PARTNER_MEMBER = "partner_member"
    API_KEY = "api_key"
    CUSTOMER_USER = "customer_user"
    STAFF = "staff"
    SYSTEM = "system"


PARTNER_KINDS = frozenset({ActorKind.PARTNER_MEMBER, ActorKind.API_KEY})


class TargetNotFoundError(DomainError):
    """The target belongs to another tenant: answered as if it did not exist (404)."""


@dataclass(frozen=True)
class Actor:
    """Who acts. `roles` are partner roles for partner kinds, the customer role for customer users."""

    kind: ActorKind
    user: User | None = None
    partner_id: int | None = None
    customer_id: int | None = None
    roles: frozenset[str] = frozenset()
    membership: PartnerMembership | None = field(default=None, compare=False)

    @classmethod
    def for_membership(cls, membership: PartnerMembership) -> Actor:
        """A partner user, or an API key (its unsaved membership: partners.api_key_services.api_key_actor)."""
        kind = ActorKind.PARTNER_MEMBER if membership.pk else ActorKind.API_KEY
        return cls(kind=kind, user=membership.user, partner_id=membership.partner_id,
                   roles=frozenset(membership.roles), membership=membership)

    @classmethod
    def customer_user(cls, *, user: User, customer_id: int, roles: frozenset[str] | set[str]) -> Actor:
        """A user of the customer's tenant with their role there (customers.selectors.customer_actor)."""
        return cls(kind=ActorKind.CUSTOMER_USER, user=user, customer_id=customer_id, roles=frozenset(roles))

    @classmethod
    def staff(cls, user: User) -> Actor:
        """A user of the staff console; allowed only while `is_staff` holds."""
        return cls(kind=ActorKind.STAFF, user=user)

    @classmethod
    def system(cls) -> Actor:
        """Celery beat and other work nobody asked for (expiries, reminders)."""
        return cls(kind=ActorKind.SYSTEM)


ANY_ROLE: frozenset[str] = frozenset({"*"})
Rule = dict[ActorKind, frozenset[str]]


def _partner(permission: PartnerPermission, **others: frozenset[str]) -> Rule:
    roles = ROLES_WITH_PERMISSION[permission]
    rule: Rule = {ActorKind.PARTNER_MEMBER: roles, ActorKind.API_KEY: roles}
    rule.update({ActorKind(kind): value for kind, value in others.items()})
    return rule


GLOBAL_ADMIN = frozenset({CUSTOMER_GLOBAL_ADMIN})

RULES: dict[PartnerPermission, Rule] = {permission: _partner(permission) for permission in PartnerPermission}
# Ending a grant or a relationship: the partner (its roles), the customer's global admins, staff.
RULES[Permission.TERMINATE_GRANT] = _partner(Permission.TERMINATE_GRANT, customer_user=GLOBAL_ADMIN, staff=ANY_ROLE)
RULES[Permission.REMOVE_RELATIONSHIP] = _partner(Permission.REMOVE_RELATIONSHIP, customer_user=GLOBAL_ADMIN, staff=ANY_ROLE)
RULES[Permission.APPROVE_GRANT] = {ActorKind.CUSTOMER_USER: GLOBAL_ADMIN}
RULES[Permission.ANSWER_SERVICE_REQUEST] = {ActorKind.CUSTOMER_USER: GLOBAL_ADMIN}
# Staff may disable partner users and redeliver webhooks from the staff console.
RULES[Permission.MANAGE_USERS] = _partner(Permission.MANAGE_USERS, staff=ANY_ROLE)
RULES[Permission.MANAGE_INTEGRATIONS] = _partner(Permission.MANAGE_INTEGRATIONS, staff=ANY_ROLE)

REFUSALS: dict[ActorKind, str] = {  # translated when raised
    ActorKind.PARTNER_MEMBER: gettext_noop("Your roles do not allow this action."),
    ActorKind.API_KEY: gettext_noop("Your roles do not allow this action."),
    ActorKind.CUSTOMER_USER: gettext_noop("Only a global admin of the customer can do this."),
    ActorKind.STAFF: gettext_noop("Only platform staff can do this."),
    ActorKind.SYSTEM: gettext_noop("Your roles do not allow this action."),
}

Condition = Callable[[Actor, Any], "str | None"]
_CONDITIONS: dict[PartnerPermission, Condition] = {}


def register_condition(permission: PartnerPermission, condition: Condition) -> None:
    """A higher app's target condition for `permission`: returns a refusal reason or None.

    Registered when the app's permissions module is imported (its services import it), so the
    condition holds wherever the service runs. One condition per permission.
    """
    _CONDITIONS[permission] = condition


def _other_tenant(actor: Actor, target: object) -> bool:
    if target is None:
        return False
    if actor.kind in PARTNER_KINDS:
        partner_id = getattr(target, "partner_id", None)
        return partner_id is not None and partner_id != actor.partner_id
    if actor.kind == ActorKind.CUSTOMER_USER:
        customer_id = getattr(target, "customer_id", None)
        return customer_id is not None and customer_id != actor.customer_id
    return False


def _holds(actor: Actor, permission: PartnerPermission) -> bool:
    needed = RULES[permission].get(actor.kind)
    if needed is None:
        return False
    if actor.kind == ActorKind.STAFF:
        return bool(actor.user is not None and actor.user.is_staff and actor.user.is_active)
    return needed is ANY_ROLE or bool(actor.roles & needed)


def refusal(actor: Actor, permission: PartnerPermission, target: object = None, *, message: str = "") -> str | None:
    """Why `actor` may not do `permission` to `target` (None: allowed). Raises TargetNotFoundError.

    `message` replaces the generic refusal of a missing role and heads a condition's reason.
    """
    if _other_tenant(actor, target):
        raise TargetNotFoundError("not_found", _("Not found."))
    if not _holds(actor, permission):
        return message or _(REFUSALS[actor.kind])
    condition = _CONDITIONS.get(permission)
    reason = condition(actor, target) if condition is not None else None
    if reason is None:
        return None
    return f"{message} {reason}" if message else reason


def authorize(actor: Actor | PartnerMembership, permission: PartnerPermission, target: object = None, *,
              message: str = "") -> Actor:
    """Allow, or raise PermissionDeniedError("forbidden"); another tenant's target raises TargetNotFoundError.

    `actor` may be a PartnerMembership (a partner user, or an API key's actor). `message` is the
    action's own refusal (e.g. "You may not create users here."). Returns the resolved actor.
    """
    resolved = actor if isinstance(actor, Actor) else Actor.for_membership(actor)
    reason = refusal(resolved, permission, target, message=message)
    if reason is not None:
        raise PermissionDeniedError("forbidden", reason)
    return resolved


def can(actor: Actor | PartnerMembership, permission: PartnerPermission, target: object = None) -> bool:
    """The same question without raising (pages deciding which buttons to show)."""
    resolved = actor if isinstance(actor, Actor) else Actor.for_membership(actor)
    try:
        return refusal(resolved, permission, target) is None
    except TargetNotFoundError:
        return False


__all__ = [
    "ALL_ROLES",
    "ANY_ROLE",
    "Actor",
    "ActorKind",
    "PartnerRole",
    "Permission",
    "TargetNotFoundError",
    "authorize",
    "can",
    "refusal",
    "register_condition",
]
