"""Partner security groups (issue 23): created, renamed, deleted and filled by account admins.

A group is the access container of delegated admin access assignments (relationships.AccessAssignment):
its members receive the roles a customer's grant assigns to it. Every action is authorised by
`partners.authz.authorize(actor, Permission.MANAGE_USERS, group)` (another partner's group is
`not_found`), runs in one transaction and records an audit event. Members are the partner's own
users (memberships); an API key's technical user is never one.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actions import AuditAction
from audit.services import audit_record
from partnercenter.errors import DomainError
from partners.authz import Actor, Permission, authorize
from partners.models import Partner, PartnerMembership, PartnerSecurityGroup

if TYPE_CHECKING:
    from accounts.models import User

MAX_NAME = 120
MAX_DESCRIPTION = 500


class SecurityGroupError(DomainError):
    pass


def _actor(actor: Actor | PartnerMembership) -> Actor:
    return actor if isinstance(actor, Actor) else Actor.for_membership(actor)


def _clean_name(name: object) -> str:
    cleaned = " ".join(str(name or "").split())
    if not cleaned or len(cleaned) > MAX_NAME or "\x00" in cleaned:
        raise SecurityGroupError("name_required", _("Give the group a name of up to 120 characters."), field="name")
    return cleaned


def _clean_description(description: object) -> str:
    cleaned = str(description or "").strip()
    if len(cleaned) > MAX_DESCRIPTION or "\x00" in cleaned:
        raise SecurityGroupError("invalid_description", _("The description may have up to 500 characters."), field="description")
    return cleaned


def _snapshot(group: PartnerSecurityGroup) -> dict:
    return {"name": group.name, "description": group.description, "object_id": str(group.object_id)}


def _event_data(group: PartnerSecurityGroup) -> dict[str, str]:
    """In every group event: how the API and Graph name the group (webhooks address it by object id)."""
    return {"object_id": str(group.object_id), "security_group": group.name}


def _locked(group: PartnerSecurityGroup) -> PartnerSecurityGroup:
    return PartnerSecurityGroup.objects.select_for_update().select_related("partner").get(pk=group.pk)


@transaction.atomic
def security_group_create(*, actor: Actor | PartnerMembership, partner: Partner, name: str, description: str = "",
                          object_id: uuid.UUID | str | None = None) -> PartnerSecurityGroup:
    """A new group of the partner. `object_id` (a GUID) may be given, e.g. to keep an Entra group's id; unique."""
    resolved = _actor(actor)
    authorize(resolved, Permission.MANAGE_USERS, partner_target(partner), message=_("Only an account admin can manage security groups."))
    cleaned = _clean_name(name)
    if object_id is None or object_id == "":
        guid = uuid.uuid4()
    else:
        try:
            guid = object_id if isinstance(object_id, uuid.UUID) else uuid.UUID(str(object_id))
        except ValueError as exc:
            raise SecurityGroupError("invalid_object_id", _("The object ID must be a GUID."), field="object_id") from exc
    if PartnerSecurityGroup.objects.filter(object_id=guid).exists():
        raise SecurityGroupError("object_id_taken", _("A security group with this object ID already exists."), field="object_id")
    if PartnerSecurityGroup.objects.filter(partner=partner, name=cleaned).exists():
        raise SecurityGroupError("name_taken", _("A security group with this name already exists."), field="name")
    try:
        with transaction.atomic():
            group = PartnerSecurityGroup.objects.create(partner=partner, name=cleaned, description=_clean_description(description),
                                                        object_id=guid)
    except IntegrityError as exc:
        raise SecurityGroupError("name_taken", _("A security group with this name already exists."), field="name") from exc
    audit_record(action=AuditAction.SECURITY_GROUP_CREATED, actor=resolved.user, partner=partner, target=group, after=_snapshot(group),
                 data=_event_data(group))
    return group


@transaction.atomic
def security_group_update(*, actor: Actor | PartnerMembership, group: PartnerSecurityGroup, name: str | None = None,
                          description: str | None = None) -> PartnerSecurityGroup:
    """Rename the group or change its description (the object id never changes)."""
    resolved = _actor(actor)
    authorize(resolved, Permission.MANAGE_USERS, group, message=_("Only an account admin can manage security groups."))
    locked = _locked(group)
    before = _snapshot(locked)
    if name is not None:
        cleaned = _clean_name(name)
        if cleaned != locked.name and PartnerSecurityGroup.objects.filter(partner_id=locked.partner_id, name=cleaned).exists():
            raise SecurityGroupError("name_taken", _("A security group with this name already exists."), field="name")
        locked.name = cleaned
    if description is not None:
        locked.description = _clean_description(description)
    if _snapshot(locked) != before:
        locked.updated_at = timezone.now()
        locked.save(update_fields=["name", "description", "updated_at"])
        audit_record(action=AuditAction.SECURITY_GROUP_CHANGED, actor=resolved.user, partner=locked.partner, target=locked,
                     before=before, after=_snapshot(locked), data=_event_data(locked))
    return locked


@transaction.atomic
def security_group_delete(*, actor: Actor | PartnerMembership, group: PartnerSecurityGroup) -> None:
    """Delete the group; its access assignments go with it (its members lose what they received through it)."""
    resolved = _actor(actor)
    authorize(resolved, Permission.MANAGE_USERS, group, message=_("Only an account admin can manage security groups."))
    locked = _locked(group)
    audit_record(action=AuditAction.SECURITY_GROUP_DELETED, actor=resolved.user, partner=locked.partner, target=locked,
                 before={**_snapshot(locked), "members": sorted(m.user.email for m in locked.members.select_related("user"))},
                 data=_event_data(locked))
    locked.delete()


def _membership_of(group: PartnerSecurityGroup, membership: PartnerMembership) -> PartnerMembership:
    if membership.pk is None or membership.partner_id != group.partner_id:
        raise SecurityGroupError("not_a_member", _("Only users of your organisation can be members of its groups."), field="member")
    return membership


@transaction.atomic
def security_group_add_member(*, actor: Actor | PartnerMembership, group: PartnerSecurityGroup,
                              membership: PartnerMembership) -> bool:
    """Add one of the partner's users; returns False when they already were a member (nothing recorded)."""
    resolved = _actor(actor)
    authorize(resolved, Permission.MANAGE_USERS, group, message=_("Only an account admin can manage security groups."))
    locked = _locked(group)
    _membership_of(locked, membership)
    if locked.members.filter(pk=membership.pk).exists():
        return False
    locked.members.add(membership)
    audit_record(action=AuditAction.SECURITY_GROUP_MEMBER_ADDED, actor=resolved.user, partner=locked.partner, target=locked,
                 after={"member": membership.user.email}, data={**_event_data(locked), **_stop_following(locked)})
    return True


@transaction.atomic
def security_group_remove_member(*, actor: Actor | PartnerMembership, group: PartnerSecurityGroup,
                                 membership: PartnerMembership) -> bool:
    """Remove a member; takes effect on their next request. False when they were not one."""
    resolved = _actor(actor)
    authorize(resolved, Permission.MANAGE_USERS, group, message=_("Only an account admin can manage security groups."))
    locked = _locked(group)
    _membership_of(locked, membership)
    if not locked.members.filter(pk=membership.pk).exists():
        return False
    locked.members.remove(membership)
    audit_record(action=AuditAction.SECURITY_GROUP_MEMBER_REMOVED, actor=resolved.user, partner=locked.partner, target=locked,
                 before={"member": membership.user.email}, data={**_event_data(locked), **_stop_following(locked)})
    return True


def _stop_following(group: PartnerSecurityGroup) -> dict[str, str]:
    """An account admin edits a migrated group's members by hand: from now on it is an ordinary group.

    Its members no longer follow the partner role, and its access assignments stop being that partner
    role's (their `partner_role` is cleared: they are the group's, listed and edited as group assignments
    in the console, /api/v1 and Graph). Returns what the audit event records (empty for an ordinary group).
    """
    role = group.follows_partner_role
    if not role:
        return {}
    group.follows_partner_role = ""
    group.updated_at = timezone.now()
    group.save(update_fields=["follows_partner_role", "updated_at"])
    group.access_assignments.exclude(partner_role="").update(partner_role="")  # relationships.AccessAssignment rows
    return {"stopped_following_partner_role": role}


def security_groups_follow_roles(*, membership: PartnerMembership, before: list[str] | tuple[str, ...],
                                 after: list[str] | tuple[str, ...], actor: User | None) -> None:
    """A partner user's roles changed from `before` to `after`: the migrated groups that follow a role
    they gained add them, those following a role they lost remove them.

    Called by the partner role services (partners.services) inside their transaction, after their own
    authorization (changing roles is the action; this is part of it). Each membership change is a
    `security_group.member_added` / `member_removed` audit event (and webhook) with `by: partner_role`.
    Groups are locked in primary-key order.
    """
    gained, lost = set(after) - set(before), set(before) - set(after)
    if not gained and not lost:
        return
    groups = (PartnerSecurityGroup.objects.select_for_update().select_related("partner")
              .filter(partner_id=membership.partner_id, follows_partner_role__in=sorted(gained | lost)).order_by("pk"))
    for group in groups:
        is_member = group.members.filter(pk=membership.pk).exists()
        follow = {**_event_data(group), "by": "partner_role", "partner_role": group.follows_partner_role}
        if group.follows_partner_role in gained and not is_member:
            group.members.add(membership)
            audit_record(action=AuditAction.SECURITY_GROUP_MEMBER_ADDED, actor=actor, partner=group.partner, target=group,
                         after={"member": membership.user.email}, data=follow)
        elif group.follows_partner_role in lost and is_member:
            group.members.remove(membership)
            audit_record(action=AuditAction.SECURITY_GROUP_MEMBER_REMOVED, actor=actor, partner=group.partner, target=group,
                         before={"member": membership.user.email}, data=follow)


class _PartnerTarget:
    """authorize's tenancy check reads `partner_id` from the target."""

    def __init__(self, partner: Partner) -> None:
        self.partner_id = partner.pk


def partner_target(partner: Partner) -> _PartnerTarget:
    return _PartnerTarget(partner)
