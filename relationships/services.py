"""Delegated admin grants: establishing a relationship, requests, approval, termination, access assignments.

Split by what they hold: relationships.grant_drafts (the Graph-compatible draft flow),
relationships.grant_lifecycle (expiry, extension, reminders: Celery beat), relationships.ending
(ending a relationship, from either side or staff). Every action is authorised by
partners.authz.authorize.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import connections, models, router, transaction
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actions import AuditAction
from audit.services import audit_record
from customers.selectors import customer_actor, customer_global_admins
from notifications.choices import NotificationAudience
from notifications.inbox import EmailSpec, notify_user
from notifications.services import email_enqueue
from partnercenter.compiled_queries import CompiledQuery
from partnercenter.directory_roles import (
    ALL_ROLES,
    BY_ID,
    GLOBAL_ADMINISTRATOR,
    MAX_DURATION_DAYS,
    MIN_DURATION_DAYS,
    role_labels,
)
from partnercenter.links import absolute_url
from partners.authz import PARTNER_KINDS, Actor, ActorKind, Permission, authorize
from partners.choices import PartnerRole
from partners.security_group_selectors import security_group_by_object_id
from partners.selectors import partner_users_with_roles
from relationships.choices import GrantStatus, RelationshipStatus, RelationshipType
from relationships.errors import GrantError
from relationships.models import AccessAssignment, DelegatedAdminGrant, GrantOperation, Relationship

if TYPE_CHECKING:
    from accounts.models import User
    from customers.models import Customer
    from partners.models import Partner, PartnerMembership, PartnerSecurityGroup


def relationship_establish(
    *, partner: Partner, customer: Customer, invitation: models.Model | None, actor: User | None,
    relationship_type: str = RelationshipType.RESELLER, indirect_provider: Partner | None = None,
) -> tuple[Relationship, bool]:
    """The active relationship between partner and customer, created if there is none.

    Returns (relationship, created). Must run inside the caller's transaction. Inserts first: the
    partial unique constraint answers "is there one already?" (the usual answer at acceptance is
    no, so no SELECT beforehand), and settles a race between two different invitations too (the
    loser reuses the winner's row).
    """
    relationship = Relationship(
        # `invitation` is a `Model`: Invitation sits above relationships (import-linter layers).
        partner=partner, customer=customer, established_by=invitation,  # type: ignore[misc]
        relationship_type=relationship_type,
        indirect_provider=indirect_provider,
    )
    if not _insert_unless_conflict(relationship):
        return Relationship.objects.get(partner=partner, customer=customer, status=RelationshipStatus.ACTIVE), False
    audit_record(action=AuditAction.RELATIONSHIP_ESTABLISHED, actor=actor, partner=partner, customer=customer,
                 target=relationship, after={"type": relationship_type, "invitation_id": invitation.pk if invitation else None})
    return relationship, True


def _insert_unless_conflict(obj: models.Model) -> bool:
    """INSERT … ON CONFLICT DO NOTHING RETURNING id: whether the row went in (False: a unique constraint
    found a row already, e.g. an active relationship of this partner and customer). One statement where a
    savepoint around a plain INSERT took three, and a lost race still leaves the transaction usable.
    For models without save() hooks or signals (the row is written as save() would, fields' pre_save included)."""
    model = type(obj)
    using = router.db_for_write(model)
    fields = [field for field in model._meta.local_concrete_fields if not field.primary_key]
    query = InsertQuery(model, on_conflict=OnConflict.IGNORE)
    query.insert_values(fields, [obj])
    compiler = query.get_compiler(using=using)
    ((sql, params),) = compiler.as_sql()
    pk = model._meta.pk
    assert pk is not None
    with connections[using].cursor() as cursor:
        cursor.execute(f"{sql} RETURNING {compiler.quote_name_unless_alias(pk.column)}", params)
        row = cursor.fetchone()
    if row is None:
        return False
    obj.pk = row[0]
    obj._state.adding, obj._state.db = False, using
    return True


# Whether the partner (values: its primary key, then a name) has a grant of that name: every grant request's
# read, compiled once per process (partnercenter.compiled_queries; issue 25).
_GRANT_NAMED = CompiledQuery(lambda values: DelegatedAdminGrant.objects.filter(partner_id=values[0], display_name=values[1])
                             .only("pk").order_by()[:1])


def _grant_display_name_base(customer: Customer) -> str:
    return f"{customer.company_name[:60]} {timezone.now():%Y-%m-%d}"


def grant_display_name(*, partner: Partner, customer: Customer) -> str:
    base = _grant_display_name_base(customer)
    name, n = base, 1
    while _GRANT_NAMED.fetch([partner.pk, name]):
        n += 1
        name = f"{base} ({n})"
    return name


def grant_insert_named(grant: DelegatedAdminGrant) -> DelegatedAdminGrant:
    """Insert a new grant (partner and customer set) under the name `grant_display_name` gives: the
    usual first choice, "<company> <date>", in one statement (INSERT … ON CONFLICT DO NOTHING: the
    partner's unique display names answer "is it taken?"); only when it is taken (a second grant of the
    day), the name check and a plain INSERT. Inside the caller's transaction."""
    assert grant.customer is not None
    grant.display_name = _grant_display_name_base(grant.customer)
    if not _insert_unless_conflict(grant):
        grant.display_name = grant_display_name(partner=grant.partner, customer=grant.customer)
        grant.save(force_insert=True)
    return grant


# --- Validation shared by requests ------------------------------------------------------------



def validate_grant_request(*, roles: list[str], duration_days: int, auto_extend: bool) -> list[str]:
    """Known roles (in catalog order), a duration of 1-730 days, no auto-extend with Global Administrator."""
    unknown = [role for role in roles if role not in BY_ID]
    if unknown or not roles:
        raise GrantError("roles_required" if not roles else "unknown_role", _("Choose at least one role from the catalog."), field="roles")
    if not MIN_DURATION_DAYS <= duration_days <= MAX_DURATION_DAYS:
        raise GrantError("invalid_duration", _("The duration must be between 1 and 730 days."), field="duration_days")
    if auto_extend and GLOBAL_ADMINISTRATOR in roles:
        raise GrantError(
            "auto_extend_global_admin",
            _("Auto-extend is not allowed while Global Administrator is among the roles."),
            field="auto_extend",
        )
    return [role.id for role in ALL_ROLES if role.id in roles]


# --- Who hears about it ------------------------------------------------------------------------


def partner_contacts(partner: Partner) -> list[User]:
    return partner_users_with_roles(partner=partner, roles={PartnerRole.ADMIN_AGENT, PartnerRole.ACCOUNT_ADMIN})


def customer_contacts(customer: Customer) -> list[User]:
    return customer_global_admins(customer=customer)


def notify(*, users: list[User], template: str, context: dict, key: str, partner: Partner, customer: Customer, topic: str,
           kind: str = "", audience: str = "") -> None:
    """Email each user; with a `kind` (and `audience`: partner or customer), through the person's
    notification preference instead (in-app, and the email right away, in the digest or not at all)."""
    for user in users:
        if not kind:
            email_enqueue(to=user.email, template=template, context=context, language=user.preferred_language, partner=partner,
                          customer=customer, idempotency_key=f"{key}:{user.pk}", topic=topic)
            continue
        for_partner = audience == NotificationAudience.PARTNER
        notify_user(
            user=user, kind=kind, audience=audience, partner_id=partner.pk if for_partner else None,
            customer_id=None if for_partner else customer.pk,
            params={"customer": customer.company_name, "partner": partner.name,
                    "display_name": context.get("display_name", ""), "days": context.get("days_left") or ""},
            url=(reverse("relationships:grants", kwargs={"partner_id": partner.partner_id}) if for_partner
                 else reverse("customers:partners", kwargs={"tenant_id": customer.tenant_id})),
            email=EmailSpec(template=template, context=context, idempotency_key=f"{key}:{user.pk}", topic=topic,
                            partner=partner, customer=customer),
        )


def grant_context(grant: DelegatedAdminGrant, *, event: str, reason: str = "", days_left: int | None = None) -> dict:
    return {
        "event": event,
        "partner_name": grant.partner.name,
        "customer_name": grant.customer_required.company_name,
        "display_name": grant.display_name,
        "roles": role_labels(grant.roles),  # lazy: email_render names them in each recipient's language
        "ends_on": grant.ends_at.date().isoformat() if grant.ends_at else "",
        "reason": reason,
        "days_left": days_left,
        "partner_url": absolute_url("relationships:grants", partner_id=grant.partner.partner_id),
        "customer_url": absolute_url("customers:partners", tenant_id=grant.customer_required.tenant_id),
    }


def tell_partner(grant: DelegatedAdminGrant, event: str, reason: str = "") -> None:
    notify(users=partner_contacts(grant.partner), template="relationships/email/grant_event",
            context={**grant_context(grant, event=event, reason=reason), "audience": "partner"},
            key=f"grant:{grant.pk}:{event}:{grant.ends_at.isoformat() if grant.ends_at else ''}",
            partner=grant.partner, customer=grant.customer_required, topic=f"grant:{grant.pk}")


def tell_customer(grant: DelegatedAdminGrant, event: str, reason: str = "") -> None:
    customer = grant.customer_required
    notify(users=customer_contacts(customer), template="relationships/email/grant_event",
            context={**grant_context(grant, event=event, reason=reason), "audience": "customer"},
            key=f"grant:{grant.pk}:{event}:{grant.ends_at.isoformat() if grant.ends_at else ''}",
            partner=grant.partner, customer=customer, topic=f"grant:{grant.pk}")


# --- Grant transitions -----------------------------------------------------------------------


def locked_grant(grant: DelegatedAdminGrant) -> DelegatedAdminGrant:
    return DelegatedAdminGrant.objects.select_for_update(of=("self",)).select_related("partner", "customer").get(pk=grant.pk)


def default_access_assignments(grant: DelegatedAdminGrant) -> dict[str, list[str]]:
    """Admin agents get every granted role; helpdesk agents the helpdesk/support roles among them."""

    helpdesk = [role for role in grant.roles if BY_ID[role].helpdesk]
    assignments = {PartnerRole.ADMIN_AGENT.value: list(grant.roles)}
    if helpdesk:
        assignments[PartnerRole.HELPDESK_AGENT.value] = helpdesk
    return assignments


@transaction.atomic
def grant_approve(*, grant: DelegatedAdminGrant, user: User) -> DelegatedAdminGrant:
    """A customer global admin approves: the grant becomes active now for its duration; defaults assigned."""

    locked = locked_grant(grant)
    authorize(customer_actor(user=user, customer=locked.customer_required), Permission.APPROVE_GRANT, locked,
              message=_("Only a global admin of the customer can approve admin roles."))
    now = timezone.now()
    if locked.status != GrantStatus.APPROVAL_PENDING or locked.request_expires_at <= now:
        raise GrantError("not_pending", _("This request is no longer waiting for approval."))
    if not Relationship.objects.filter(partner=locked.partner, customer=locked.customer, status=RelationshipStatus.ACTIVE).exists():
        raise GrantError("no_relationship", _("%(partner)s is no longer your reseller.") % {"partner": locked.partner.name})
    ends_at = now + timedelta(days=locked.duration_days)
    updated = DelegatedAdminGrant.objects.filter(pk=locked.pk, status=GrantStatus.APPROVAL_PENDING).update(
        status=GrantStatus.ACTIVE, starts_at=now, ends_at=ends_at, approved_by=user
    )
    if updated != 1:
        raise GrantError("not_pending", _("This request is no longer waiting for approval."))
    locked.status, locked.starts_at, locked.ends_at, locked.approved_by = GrantStatus.ACTIVE, now, ends_at, user
    for partner_role, roles in default_access_assignments(locked).items():
        AccessAssignment.objects.update_or_create(grant=locked, partner_role=partner_role, defaults={"roles": roles, "updated_at": now})
    audit_record(action=AuditAction.GRANT_APPROVED, actor=user, partner=locked.partner, customer=locked.customer, target=locked,
                 before={"status": "approval_pending"},
                 after={"status": "active", "ends_at": ends_at.isoformat(), "assignments": default_access_assignments(locked)})
    tell_partner(locked, "approved")
    return locked


@transaction.atomic
def grant_reject(*, grant: DelegatedAdminGrant, user: User, reason: str = "") -> DelegatedAdminGrant:

    locked = locked_grant(grant)
    authorize(customer_actor(user=user, customer=locked.customer_required), Permission.APPROVE_GRANT, locked,
              message=_("Only a global admin of the customer can reject admin roles."))
    updated = DelegatedAdminGrant.objects.filter(pk=locked.pk, status=GrantStatus.APPROVAL_PENDING).update(
        status=GrantStatus.REJECTED, terminated_at=timezone.now(), terminated_by=user, termination_reason=reason.strip()[:2000]
    )
    if updated != 1:
        raise GrantError("not_pending", _("This request is no longer waiting for approval."))
    locked.status = GrantStatus.REJECTED
    audit_record(action=AuditAction.GRANT_REJECTED, actor=user, partner=locked.partner, customer=locked.customer, target=locked,
                 before={"status": "approval_pending"}, after={"status": "rejected"}, data={"reason": reason.strip()})
    tell_partner(locked, "rejected", reason)
    return locked


def terminate_locked(locked: DelegatedAdminGrant, *, actor: User | None, reason: str, by: str) -> None:
    updated = DelegatedAdminGrant.objects.filter(pk=locked.pk, status=GrantStatus.ACTIVE).update(
        status=GrantStatus.TERMINATED, terminated_at=timezone.now(), terminated_by=actor, termination_reason=reason.strip()[:2000]
    )
    if updated != 1:
        raise GrantError("not_active", _("Only active admin roles can be removed."))
    locked.status = GrantStatus.TERMINATED
    audit_record(action=AuditAction.GRANT_TERMINATED, actor=actor, partner=locked.partner, customer=locked.customer, target=locked,
                 before={"status": "active"}, after={"status": "terminated"}, data={"reason": reason.strip(), "by": by})
    if by == "customer":
        tell_partner(locked, "terminated", reason)
    elif by == "partner":
        tell_customer(locked, "terminated", reason)
    else:
        tell_partner(locked, "terminated", reason)
        tell_customer(locked, "terminated", reason)


# Who ended it, as recorded in the audit event and deciding who is told.
SIDE_OF_KIND = {ActorKind.PARTNER_MEMBER: "partner", ActorKind.API_KEY: "partner", ActorKind.CUSTOMER_USER: "customer",
         ActorKind.STAFF: "staff"}


@transaction.atomic
def grant_terminate(*, grant: DelegatedAdminGrant, actor: Actor | PartnerMembership, reason: str) -> DelegatedAdminGrant:
    """Remove an active grant's roles at once (the relationship stays), from any surface.

    Pre: authorize(actor, TERMINATE_GRANT, grant): a partner member or API key whose roles allow it
    (admin agent, account admin; another partner's grant is `not_found`), a global admin of the
    grant's customer (customers.selectors.customer_actor), or staff with a reason. Post:
    terminated, audited with the side that ended it; the other side (both, for staff) emailed.
    Takes effect on the very next request: permissions are computed from the grant's status.
    """
    resolved = actor if isinstance(actor, Actor) else Actor.for_membership(actor)
    locked = locked_grant(grant)
    if resolved.kind in PARTNER_KINDS and locked.partner_id != resolved.partner_id:
        raise GrantError("not_found", _("Unknown grant."))
    authorize(resolved, Permission.TERMINATE_GRANT, locked, message=_("You may not remove these admin roles."))
    if resolved.kind == ActorKind.STAFF and not reason.strip():
        raise GrantError("reason_required", _("Give a reason: it goes into the audit log."), field="reason")
    terminate_locked(locked, actor=resolved.user, reason=reason, by=SIDE_OF_KIND[resolved.kind])
    return locked


@transaction.atomic
def access_assignments_set(*, grant: DelegatedAdminGrant, actor: PartnerMembership, assignments: dict[str, list[str]],
                           operation_data: dict | None = None) -> GrantOperation | None:
    """An account admin decides which partner roles receive which of the grant's roles.

    With `operation_data` (an update through the Graph surface) the change is also recorded as a
    `delegatedAdminAccessAssignmentUpdate` operation (done at once: `succeeded`), which is returned.
    """

    authorize(actor, Permission.MANAGE_ACCESS_ASSIGNMENTS, message=_("Only an account admin can edit access assignments."))
    locked = locked_grant(grant)
    if locked.partner_id != actor.partner_id:
        raise GrantError("not_found", _("Unknown grant."))
    if locked.status != GrantStatus.ACTIVE:
        raise GrantError("not_active", _("Access can be assigned only while the grant is active."))
    by_role = locked.access_assignments.exclude(partner_role="")  # assignments to a group only: access_assignment_for_group_set
    before = {a.partner_role: a.roles for a in by_role}
    cleaned: dict[str, list[str]] = {}
    for partner_role, roles in assignments.items():
        if partner_role not in PartnerRole.values:
            raise GrantError("unknown_partner_role", _("Unknown partner role."))
        extra = set(roles) - set(locked.roles)
        if extra:
            raise GrantError("not_granted", _("A partner role can only receive roles the customer granted."))
        ordered = [role for role in locked.roles if role in roles]
        if ordered:
            cleaned[partner_role] = ordered
    now = timezone.now()
    by_role.exclude(partner_role__in=list(cleaned)).delete()
    for partner_role, roles in cleaned.items():
        AccessAssignment.objects.update_or_create(grant=locked, partner_role=partner_role, defaults={"roles": roles, "updated_at": now})
    audit_record(action=AuditAction.ACCESS_ASSIGNMENTS_CHANGED, actor=actor.user, partner=locked.partner, customer=locked.customer,
                 target=locked, before=before, after=cleaned)
    if operation_data is None:
        return None
    DelegatedAdminGrant.objects.filter(pk=locked.pk).update(modified_at=now)
    return GrantOperation.objects.create(grant=locked, operation_type="delegatedAdminAccessAssignmentUpdate", status="succeeded",
                                         data=operation_data, created_at=now, modified_at=now)


# --- Access assignments to partner security groups (issue 23) ---------------------------------


def _group_data(group: PartnerSecurityGroup) -> dict[str, str]:
    return {"security_group": group.name, "object_id": str(group.object_id)}


def _assignable(*, grant: DelegatedAdminGrant, actor: PartnerMembership | Actor, group: PartnerSecurityGroup) -> DelegatedAdminGrant:
    authorize(actor, Permission.MANAGE_ACCESS_ASSIGNMENTS, grant, message=_("Only an account admin can edit access assignments."))
    locked = locked_grant(grant)
    if group.partner_id != locked.partner_id:
        raise GrantError("unknown_security_group", _("Unknown security group."), field="security_group")
    if locked.status != GrantStatus.ACTIVE:
        raise GrantError("not_active", _("Access can be assigned only while the grant is active."))
    return locked


@transaction.atomic
def access_assignment_for_group_set(*, grant: DelegatedAdminGrant, actor: PartnerMembership | Actor, group: PartnerSecurityGroup,
                                    roles: list[str], operation_data: dict | None = None,
                                    ) -> tuple[AccessAssignment, GrantOperation | None]:
    """The roles of the grant the group's members receive (created or replaced; at least one role).

    Pre: an account admin (or a key with grants:write) of the grant's partner; the group is the same
    partner's; the grant is active; only roles the customer granted. Post: the assignment, an audit
    event; with `operation_data` (a Graph update) also a `delegatedAdminAccessAssignmentUpdate`
    operation, `succeeded`, which is returned with it.
    """
    locked = _assignable(grant=grant, actor=actor, group=group)
    if not roles:
        raise GrantError("roles_required", _("Choose at least one of the granted roles."), field="roles")
    if set(roles) - set(locked.roles):
        raise GrantError("not_granted", _("A security group can only receive roles the customer granted."), field="roles")
    ordered = [role for role in locked.roles if role in roles]
    now = timezone.now()
    existing = locked.access_assignments.filter(security_group=group).first()
    before = {"roles": list(existing.roles)} if existing is not None else {}
    if existing is None:
        assignment = AccessAssignment.objects.create(grant=locked, security_group=group, roles=ordered, updated_at=now, created_at=now)
    else:
        AccessAssignment.objects.filter(pk=existing.pk).update(roles=ordered, updated_at=now)
        existing.roles, existing.updated_at = ordered, now
        assignment = existing
    audit_record(action=AuditAction.ACCESS_ASSIGNMENTS_CHANGED, actor=_user_of(actor), partner=locked.partner, customer=locked.customer,
                 target=locked, before=before, after={"roles": ordered}, data=_group_data(group))
    if operation_data is None:
        return assignment, None
    DelegatedAdminGrant.objects.filter(pk=locked.pk).update(modified_at=now)
    operation = GrantOperation.objects.create(grant=locked, operation_type="delegatedAdminAccessAssignmentUpdate", status="succeeded",
                                              data=operation_data, created_at=now, modified_at=now)
    return assignment, operation


@transaction.atomic
def access_assignment_for_group_remove(*, grant: DelegatedAdminGrant, actor: PartnerMembership | Actor,
                                       group: PartnerSecurityGroup) -> None:
    """The group's members stop receiving the grant's roles (from the next request)."""
    locked = _assignable(grant=grant, actor=actor, group=group)
    existing = locked.access_assignments.filter(security_group=group).first()
    if existing is None:
        return
    existing.delete()
    DelegatedAdminGrant.objects.filter(pk=locked.pk).update(modified_at=timezone.now())
    audit_record(action=AuditAction.ACCESS_ASSIGNMENTS_CHANGED, actor=_user_of(actor), partner=locked.partner, customer=locked.customer,
                 target=locked, before={"roles": list(existing.roles)}, after={}, data=_group_data(group))


def _user_of(actor: PartnerMembership | Actor) -> User | None:
    return actor.user


@transaction.atomic
def access_assignments_replace(*, grant: DelegatedAdminGrant, actor: PartnerMembership,
                               by_role: dict[str, list[str]] | None = None,
                               by_group: dict[str, list[str]] | None = None) -> None:
    """Replace a grant's access assignments as `/api/v1/grants/{id}/access-assignments` sends them.

    `by_role` (partner role → roles) replaces the assignments by partner role (access_assignments_set);
    `by_group` (a security group's object id → roles) replaces the assignments to groups only: a
    group named gets those roles (access_assignment_for_group_set; an empty list removes its
    assignment), a group left out loses its assignment (access_assignment_for_group_remove). `None`
    leaves that kind untouched. The services the console and the Graph surface call do the work, so
    the permission is checked where it always is. Every object id is resolved among the grant's
    partner's groups before anything is written: one that is not the partner's (another partner's
    included) is GrantError `unknown_security_group`, and nothing changes.
    """
    locked = locked_grant(grant)
    groups: dict[str, tuple[PartnerSecurityGroup, list[str]]] = {}
    for object_id, roles in (by_group or {}).items():
        group = security_group_by_object_id(partner=locked.partner, object_id=object_id)
        if group is None:
            raise GrantError("unknown_security_group",
                             _("Unknown security group %(id)s: name one of your organisation's groups by its object ID.") % {"id": object_id},
                             field="security_groups")
        groups[str(group.object_id)] = (group, list(roles))
    if by_role is not None:
        access_assignments_set(grant=locked, actor=actor, assignments=by_role)
    if by_group is None:
        return
    for assignment in locked.access_assignments.filter(partner_role="").select_related("security_group").order_by("pk"):
        if assignment.security_group is not None and str(assignment.security_group.object_id) not in groups:
            access_assignment_for_group_remove(grant=locked, actor=actor, group=assignment.security_group)
    for group, roles in groups.values():
        if roles:
            access_assignment_for_group_set(grant=locked, actor=actor, group=group, roles=roles)
        else:
            access_assignment_for_group_remove(grant=locked, actor=actor, group=group)


# --- Renewals (issue 24 item 2) ----------------------------------------------------------------


def access_assignments_carry_over(*, source: DelegatedAdminGrant, target: DelegatedAdminGrant) -> list[AccessAssignment]:
    """The renewal of `source` was approved as `target`: each security group `source` assigned keeps receiving
    the same roles on `target` (those `target` carries), so nobody's access changes with the renewal.

    A system action in the caller's transaction (the approval's: invitation_batches hears of it); a group
    that already has an assignment on `target` is left as it is. Post: one audit event per group carried over.
    """
    created = []
    now = timezone.now()
    taken = set(target.access_assignments.filter(security_group__isnull=False).values_list("security_group_id", flat=True))
    for assignment in source.access_assignments.filter(security_group__isnull=False).select_related("security_group").order_by("pk"):
        group = assignment.security_group
        roles = [role for role in target.roles if role in assignment.roles]
        if group is None or not roles or group.pk in taken:
            continue
        created.append(AccessAssignment.objects.create(grant=target, security_group=group, roles=roles, updated_at=now, created_at=now))
        audit_record(action=AuditAction.ACCESS_ASSIGNMENTS_CHANGED, actor=None, partner_id=target.partner_id, customer_id=target.customer_id,
                     target=target, before={}, after={"roles": roles}, data={**_group_data(group), "carried_over_from_grant": source.pk})
    return created
