"""Relationship and delegated admin actions (the grant lifecycle grows here)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actions import AuditAction
from audit.services import audit_record
from customers.selectors import customer_global_admins, is_global_admin
from notifications.services import email_enqueue
from partnercenter.links import absolute_url
from partners.choices import PartnerRole
from partners.permissions import PartnerPermission, roles_allow
from partners.selectors import partner_users_with_roles
from relationships.choices import GrantStatus, RelationshipStatus, RelationshipType
from relationships.errors import GrantError, RelationshipError
from relationships.models import AccessAssignment, DelegatedAdminGrant, GrantActionRequest, GrantOperation, Relationship
from relationships.roles import BY_ID, CATALOG, GLOBAL_ADMINISTRATOR, MAX_DURATION_DAYS, MIN_DURATION_DAYS, role_labels

if TYPE_CHECKING:
    from accounts.models import User
    from customers.models import Customer
    from invitations.models import Invitation
    from partners.models import Partner, PartnerMembership


def relationship_establish(
    *, partner: Partner, customer: Customer, invitation: Invitation | None, actor: User | None,
    relationship_type: str = RelationshipType.RESELLER, indirect_provider: Partner | None = None,
    webhook_subscriptions_seen: dict | None = None,
) -> tuple[Relationship, bool]:
    """The active relationship between partner and customer, created if there is none.

    Returns (relationship, created). Must run inside the caller's transaction. Inserts first: the
    partial unique constraint answers "is there one already?" (the usual answer at acceptance is
    no, so no SELECT beforehand), and settles a race between two different invitations too (the
    loser reuses the winner's row). `webhook_subscriptions_seen`: the caller's per-transaction
    dict (see audit_record).
    """
    try:
        with transaction.atomic():
            relationship = Relationship.objects.create(
                partner=partner, customer=customer, established_by=invitation, relationship_type=relationship_type,
                indirect_provider=indirect_provider,
            )
    except IntegrityError:
        return Relationship.objects.get(partner=partner, customer=customer, status=RelationshipStatus.ACTIVE), False
    audit_record(action=AuditAction.RELATIONSHIP_ESTABLISHED, actor=actor, partner=partner, customer=customer,
                 target=relationship, after={"type": relationship_type, "invitation_id": invitation.pk if invitation else None},
                 webhook_subscriptions_seen=webhook_subscriptions_seen)
    return relationship, True


def grant_display_name(*, partner: Partner, customer: Customer) -> str:
    base = f"{customer.company_name[:60]} {timezone.now():%Y-%m-%d}"
    name, n = base, 1
    while DelegatedAdminGrant.objects.filter(partner=partner, display_name=name).exists():
        n += 1
        name = f"{base} ({n})"
    return name


def grant_request_from_invitation(
    *, invitation: Invitation, customer: Customer, actor: User | None, webhook_subscriptions_seen: dict | None = None,
) -> DelegatedAdminGrant:
    """The delegated admin request carried by an accepted invitation, waiting for approval.

    `webhook_subscriptions_seen`: the caller's per-transaction dict (see audit_record)."""
    grant = DelegatedAdminGrant.objects.create(
        partner=invitation.partner,
        customer=customer,
        display_name=grant_display_name(partner=invitation.partner, customer=customer),
        roles=list(invitation.requested_roles),
        duration_days=invitation.grant_duration_days or 730,
        auto_extend=invitation.grant_auto_extend,
        requested_by_invitation=invitation,
        request_expires_at=timezone.now() + timedelta(days=settings.GRANT_REQUEST_VALIDITY_DAYS),
        status=GrantStatus.APPROVAL_PENDING,
    )
    audit_record(action=AuditAction.GRANT_REQUESTED, actor=actor, partner=invitation.partner, customer=customer,
                 target=grant, after={"roles": grant.roles, "duration_days": grant.duration_days, "invitation_id": invitation.pk},
                 webhook_subscriptions_seen=webhook_subscriptions_seen)
    return grant


# --- Validation shared by requests ------------------------------------------------------------

AUTO_EXTEND_DAYS = 180
REMINDER_DAYS = (30, 7, 1)


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
    return [role.id for role in CATALOG if role.id in roles]


# --- Who hears about it ------------------------------------------------------------------------


def _partner_contacts(partner: Partner) -> list[User]:
    return partner_users_with_roles(partner=partner, roles={PartnerRole.ADMIN_AGENT, PartnerRole.ACCOUNT_ADMIN})


def _customer_contacts(customer: Customer) -> list[User]:
    return customer_global_admins(customer=customer)


def _notify(*, users: list[User], template: str, context: dict, key: str, partner: Partner, customer: Customer, topic: str) -> None:
    for user in users:
        email_enqueue(to=user.email, template=template, context=context, language=user.preferred_language, partner=partner,
                      customer=customer, idempotency_key=f"{key}:{user.pk}", topic=topic)


def _grant_context(grant: DelegatedAdminGrant, *, event: str, reason: str = "", days_left: int | None = None) -> dict:
    return {
        "event": event,
        "partner_name": grant.partner.name,
        "customer_name": grant.customer.company_name,
        "display_name": grant.display_name,
        "roles": role_labels(grant.roles),  # lazy: email_render names them in each recipient's language
        "ends_on": grant.ends_at.date().isoformat() if grant.ends_at else "",
        "reason": reason,
        "days_left": days_left,
        "partner_url": absolute_url("relationships:grants", partner_id=grant.partner.partner_id),
        "customer_url": absolute_url("customers:partners", tenant_id=grant.customer.tenant_id),
    }


def _tell_partner(grant: DelegatedAdminGrant, event: str, reason: str = "") -> None:
    _notify(users=_partner_contacts(grant.partner), template="relationships/email/grant_event",
            context={**_grant_context(grant, event=event, reason=reason), "audience": "partner"},
            key=f"grant:{grant.pk}:{event}:{grant.ends_at.isoformat() if grant.ends_at else ''}",
            partner=grant.partner, customer=grant.customer, topic=f"grant:{grant.pk}")


def _tell_customer(grant: DelegatedAdminGrant, event: str, reason: str = "") -> None:
    _notify(users=_customer_contacts(grant.customer), template="relationships/email/grant_event",
            context={**_grant_context(grant, event=event, reason=reason), "audience": "customer"},
            key=f"grant:{grant.pk}:{event}:{grant.ends_at.isoformat() if grant.ends_at else ''}",
            partner=grant.partner, customer=grant.customer, topic=f"grant:{grant.pk}")


# --- Grant transitions -----------------------------------------------------------------------


def _locked_grant(grant: DelegatedAdminGrant) -> DelegatedAdminGrant:
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

    locked = _locked_grant(grant)
    if not is_global_admin(customer=locked.customer, user=user):
        raise GrantError("not_global_admin", _("Only a global admin of the customer can approve admin roles."))
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
    _tell_partner(locked, "approved")
    return locked


@transaction.atomic
def grant_reject(*, grant: DelegatedAdminGrant, user: User, reason: str = "") -> DelegatedAdminGrant:

    locked = _locked_grant(grant)
    if not is_global_admin(customer=locked.customer, user=user):
        raise GrantError("not_global_admin", _("Only a global admin of the customer can reject admin roles."))
    updated = DelegatedAdminGrant.objects.filter(pk=locked.pk, status=GrantStatus.APPROVAL_PENDING).update(
        status=GrantStatus.REJECTED, terminated_at=timezone.now(), terminated_by=user, termination_reason=reason.strip()[:2000]
    )
    if updated != 1:
        raise GrantError("not_pending", _("This request is no longer waiting for approval."))
    locked.status = GrantStatus.REJECTED
    audit_record(action=AuditAction.GRANT_REJECTED, actor=user, partner=locked.partner, customer=locked.customer, target=locked,
                 before={"status": "approval_pending"}, after={"status": "rejected"}, data={"reason": reason.strip()})
    _tell_partner(locked, "rejected", reason)
    return locked


def _terminate_locked(locked: DelegatedAdminGrant, *, actor: User | None, reason: str, by: str) -> None:
    updated = DelegatedAdminGrant.objects.filter(pk=locked.pk, status=GrantStatus.ACTIVE).update(
        status=GrantStatus.TERMINATED, terminated_at=timezone.now(), terminated_by=actor, termination_reason=reason.strip()[:2000]
    )
    if updated != 1:
        raise GrantError("not_active", _("Only active admin roles can be removed."))
    locked.status = GrantStatus.TERMINATED
    audit_record(action=AuditAction.GRANT_TERMINATED, actor=actor, partner=locked.partner, customer=locked.customer, target=locked,
                 before={"status": "active"}, after={"status": "terminated"}, data={"reason": reason.strip(), "by": by})
    if by == "customer":
        _tell_partner(locked, "terminated", reason)
    elif by == "partner":
        _tell_customer(locked, "terminated", reason)
    else:
        _tell_partner(locked, "terminated", reason)
        _tell_customer(locked, "terminated", reason)


@transaction.atomic
def grant_terminate(*, grant: DelegatedAdminGrant, actor: User, reason: str, by: str) -> DelegatedAdminGrant:
    """Remove an active grant's roles at once (the relationship stays).

    `by` is "customer" (a global admin of the customer), "partner" (an admin agent or account
    admin of the partner) or "staff" (platform staff, reason required). Takes effect on the very
    next request: permissions are computed from the grant's status on every request.
    """
    from partners.models import PartnerMembership

    locked = _locked_grant(grant)
    if by == "customer":
        allowed = is_global_admin(customer=locked.customer, user=actor)
    elif by == "partner":
        membership = PartnerMembership.objects.filter(partner=locked.partner, user=actor).first()
        allowed = membership is not None and bool({PartnerRole.ADMIN_AGENT, PartnerRole.ACCOUNT_ADMIN} & set(membership.roles))
    else:
        allowed = bool(actor.is_staff)
        if not reason.strip():
            raise GrantError("reason_required", _("Give a reason: it goes into the audit log."), field="reason")
    if not allowed:
        raise GrantError("forbidden", _("You may not remove these admin roles."))
    _terminate_locked(locked, actor=actor, reason=reason, by=by)
    return locked


@transaction.atomic
def grant_terminate_for_partner(*, grant: DelegatedAdminGrant, membership: PartnerMembership, reason: str) -> DelegatedAdminGrant:
    """The partner removes an active grant's roles at once (the relationship stays).

    Pre: the member may request delegated admin (admin agent or account admin) and the grant is
    this partner's and active. Post: terminated, audited, the customer's global admins emailed.
    """
    if not roles_allow(membership.roles, PartnerPermission.REQUEST_DELEGATED_ADMIN):
        raise GrantError("forbidden", _("You may not remove these admin roles."))
    locked = _locked_grant(grant)
    if locked.partner_id != membership.partner_id:
        raise GrantError("not_found", _("Unknown grant."))
    _terminate_locked(locked, actor=membership.user, reason=reason, by="partner")
    return locked


@transaction.atomic
def access_assignments_set(*, grant: DelegatedAdminGrant, actor: PartnerMembership, assignments: dict[str, list[str]]) -> None:
    """An account admin decides which partner roles receive which of the grant's roles."""

    if PartnerRole.ACCOUNT_ADMIN not in actor.roles:
        raise GrantError("forbidden", _("Only an account admin can edit access assignments."))
    locked = _locked_grant(grant)
    if locked.partner_id != actor.partner_id:
        raise GrantError("not_found", _("Unknown grant."))
    if locked.status != GrantStatus.ACTIVE:
        raise GrantError("not_active", _("Access can be assigned only while the grant is active."))
    before = {a.partner_role: a.roles for a in locked.access_assignments.all()}
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
    locked.access_assignments.exclude(partner_role__in=list(cleaned)).delete()
    for partner_role, roles in cleaned.items():
        AccessAssignment.objects.update_or_create(grant=locked, partner_role=partner_role, defaults={"roles": roles, "updated_at": now})
    audit_record(action=AuditAction.ACCESS_ASSIGNMENTS_CHANGED, actor=actor.user, partner=locked.partner, customer=locked.customer,
                 target=locked, before=before, after=cleaned)


# --- Ending a relationship -------------------------------------------------------------------


@transaction.atomic
def relationship_terminate(*, relationship: Relationship, actor: User, reason: str, by: str) -> Relationship:
    """End the relationship; that partner's active grants end with it and pending requests are rejected.

    `by` is "customer" (a global admin) or "staff" (reason required). The partner-side removal,
    with its subscription preconditions, comes with customer management.
    """

    locked = Relationship.objects.select_for_update(of=("self",)).select_related("partner", "customer").get(pk=relationship.pk)
    if by == "customer":
        if not is_global_admin(customer=locked.customer, user=actor):
            raise RelationshipError("forbidden", _("Only a global admin of the customer can end a relationship."))
    elif by == "staff":
        if not actor.is_staff:
            raise RelationshipError("forbidden", _("Only platform staff can do this."))
        if not reason.strip():
            raise RelationshipError("reason_required", _("Give a reason: it goes into the audit log."), field="reason")
    else:
        raise RelationshipError("forbidden", _("This side cannot end the relationship here."))
    now = timezone.now()
    updated = Relationship.objects.filter(pk=locked.pk, status=RelationshipStatus.ACTIVE).update(
        status=RelationshipStatus.TERMINATED, terminated_at=now, terminated_by=actor, termination_reason=reason.strip()[:2000]
    )
    if updated != 1:
        raise RelationshipError("not_active", _("This relationship has already ended."))
    locked.status = RelationshipStatus.TERMINATED
    grants = DelegatedAdminGrant.objects.select_for_update(of=("self",)).select_related("partner", "customer").filter(
        partner=locked.partner, customer=locked.customer, status__in=[GrantStatus.ACTIVE, GrantStatus.APPROVAL_PENDING]
    ).order_by("pk")
    for grant in grants:
        if grant.status == GrantStatus.ACTIVE:
            _terminate_locked(grant, actor=actor, reason=_("The relationship ended."), by=by)
        else:
            DelegatedAdminGrant.objects.filter(pk=grant.pk, status=GrantStatus.APPROVAL_PENDING).update(
                status=GrantStatus.REJECTED, terminated_at=now, terminated_by=actor, termination_reason=_("The relationship ended.")
            )
            audit_record(action=AuditAction.GRANT_REJECTED, actor=actor, partner=grant.partner, customer=grant.customer,
                         target=grant, before={"status": "approval_pending"}, after={"status": "rejected"},
                         data={"reason": "relationship ended"})
    audit_record(action=AuditAction.RELATIONSHIP_TERMINATED, actor=actor, partner=locked.partner, customer=locked.customer,
                 target=locked, before={"status": "active"}, after={"status": "terminated"}, data={"reason": reason.strip(), "by": by})
    _notify(users=_partner_contacts(locked.partner) + (_customer_contacts(locked.customer) if by == "staff" else []),
            template="relationships/email/relationship_ended",
            context={"partner_name": locked.partner.name, "customer_name": locked.customer.company_name, "reason": reason.strip(),
                     "url": absolute_url("relationships:customers", partner_id=locked.partner.partner_id)},
            key=f"relationship:{locked.pk}:ended", partner=locked.partner, customer=locked.customer, topic=f"relationship:{locked.pk}")
    return locked


# --- Lifecycle (Celery beat) -----------------------------------------------------------------


@transaction.atomic
def grants_expire_and_extend(*, limit: int = 500) -> dict[str, int]:
    """Active grants at their end expire, or extend by 180 days when auto-extend is on (never with
    Global Administrator); requests unanswered for 90 days expire. Idempotent: each row is moved by
    a conditional update from the state it was read in."""
    now = timezone.now()
    counts = {"expired": 0, "extended": 0, "requests_expired": 0}
    ending = list(DelegatedAdminGrant.objects.select_for_update(skip_locked=True, of=("self",)).select_related("partner", "customer")
                  .filter(status=GrantStatus.ACTIVE, ends_at__lte=now).order_by("pk")[:limit])
    for grant in ending:
        if grant.auto_extend and GLOBAL_ADMINISTRATOR not in grant.roles:
            new_end = grant.ends_at + timedelta(days=AUTO_EXTEND_DAYS)
            if DelegatedAdminGrant.objects.filter(pk=grant.pk, status=GrantStatus.ACTIVE, ends_at=grant.ends_at).update(ends_at=new_end):
                audit_record(action=AuditAction.GRANT_EXTENDED, actor=None, partner=grant.partner, customer=grant.customer, target=grant,
                             before={"ends_at": grant.ends_at.isoformat()}, after={"ends_at": new_end.isoformat()})
                grant.ends_at = new_end
                _tell_partner(grant, "extended")
                _tell_customer(grant, "extended")
                counts["extended"] += 1
        elif DelegatedAdminGrant.objects.filter(pk=grant.pk, status=GrantStatus.ACTIVE).update(status=GrantStatus.EXPIRED):
            audit_record(action=AuditAction.GRANT_EXPIRED, actor=None, partner=grant.partner, customer=grant.customer, target=grant,
                         before={"status": "active"}, after={"status": "expired"})
            _tell_partner(grant, "expired")
            _tell_customer(grant, "expired")
            counts["expired"] += 1
    stale = list(DelegatedAdminGrant.objects.select_for_update(skip_locked=True, of=("self",)).select_related("partner", "customer")
                 .filter(status=GrantStatus.APPROVAL_PENDING, request_expires_at__lte=now).order_by("pk")[:limit])
    for grant in stale:
        if DelegatedAdminGrant.objects.filter(pk=grant.pk, status=GrantStatus.APPROVAL_PENDING).update(status=GrantStatus.EXPIRED):
            audit_record(action=AuditAction.GRANT_EXPIRED, actor=None, partner=grant.partner, customer=grant.customer, target=grant,
                         before={"status": "approval_pending"}, after={"status": "expired"})
            _tell_partner(grant, "request_expired")
            counts["requests_expired"] += 1
    return counts


@transaction.atomic
def grant_reminders_send() -> int:
    """Remind both sides 30, 7 and 1 days before an active grant ends, once per grant, end date and threshold.

    Grants that will auto-extend are not reminded. The idempotency key of each email makes a re-run
    of the beat task send nothing twice.
    """
    from notifications.models import OutboxMessage

    now = timezone.now()
    sent = 0
    upcoming = (DelegatedAdminGrant.objects.select_related("partner", "customer")
                .filter(status=GrantStatus.ACTIVE, ends_at__gt=now, ends_at__lte=now + timedelta(days=max(REMINDER_DAYS)))
                .order_by("pk"))
    for grant in upcoming:
        if grant.auto_extend and GLOBAL_ADMINISTRATOR not in grant.roles:
            continue
        remaining = grant.ends_at - now
        threshold = min(d for d in REMINDER_DAYS if remaining <= timedelta(days=d))
        key = f"grant:{grant.pk}:reminder:{threshold}:{grant.ends_at.isoformat()}"
        if OutboxMessage.objects.filter(idempotency_key__startswith=f"{key}:").exists():
            continue
        context = _grant_context(grant, event="reminder", days_left=max(remaining.days, 0) or 1)
        _notify(users=_partner_contacts(grant.partner), template="relationships/email/grant_event",
                context={**context, "audience": "partner"}, key=key, partner=grant.partner, customer=grant.customer,
                topic=f"grant:{grant.pk}")
        _notify(users=_customer_contacts(grant.customer), template="relationships/email/grant_event",
                context={**context, "audience": "customer"}, key=key, partner=grant.partner, customer=grant.customer,
                topic=f"grant:{grant.pk}")
        audit_record(action=AuditAction.GRANT_REMINDED, actor=None, partner=grant.partner, customer=grant.customer, target=grant,
                     data={"days_before": threshold})
        sent += 1
    return sent


# --- Drafts, lockForApproval and changes after approval (the Graph-compatible surface) -------
#
# Graph's granular delegated admin flow: the partner creates a relationship in `created` (a
# draft only it sees), edits or deletes it, then locks it for approval; the customer's global
# admins are emailed a link and approve in the customer admin center (grant_approve). After
# approval only auto-extend may change, and Global Administrator may be removed.

GRAPH_DISPLAY_NAME_MAX = 50
DRAFT_FIELDS = ("display_name", "roles", "duration_days", "auto_extend", "customer")


def _require_grant_writer(membership: PartnerMembership) -> None:
    if not roles_allow(membership.roles, PartnerPermission.REQUEST_DELEGATED_ADMIN):
        raise GrantError("forbidden", _("You may not request or change admin roles."))


def _clean_display_name(*, partner: Partner, display_name: str, exclude_pk: int | None = None) -> str:
    name = (display_name or "").strip()
    if not name or len(name) > GRAPH_DISPLAY_NAME_MAX:
        raise GrantError("invalid_display_name", _("The display name must have 1 to 50 characters."), field="display_name")
    taken = DelegatedAdminGrant.objects.filter(partner=partner, display_name=name).exclude(pk=exclude_pk)
    if taken.exists():
        raise GrantError("name_exists", _("Another admin relationship already has this display name."), field="display_name")
    return name


def _require_active_relationship(partner: Partner, customer: Customer) -> None:
    if not Relationship.objects.filter(partner=partner, customer=customer, status=RelationshipStatus.ACTIVE).exists():
        raise GrantError("no_relationship", _("Choose one of your customers."), field="customer")


def _draft_snapshot(grant: DelegatedAdminGrant) -> dict:
    return {"display_name": grant.display_name, "roles": list(grant.roles), "duration_days": grant.duration_days,
            "auto_extend": grant.auto_extend, "customer": str(grant.customer.tenant_id)}


@transaction.atomic
def grant_draft_create(
    *, membership: PartnerMembership, customer: Customer, display_name: str, roles: list[str], duration_days: int,
    auto_extend: bool,
) -> DelegatedAdminGrant:
    """A delegated admin request in `created`: only the partner sees it until grant_lock_for_approval.

    Pre: the member may request delegated admin; the customer is the partner's (active
    relationship); the display name is free (1-50 characters); roles, duration and auto-extend
    pass validate_grant_request. Post: the draft and a `grant.drafted` audit event. Nobody is emailed.
    """
    _require_grant_writer(membership)
    partner = membership.partner
    name = _clean_display_name(partner=partner, display_name=display_name)
    ordered = validate_grant_request(roles=roles, duration_days=duration_days, auto_extend=auto_extend)
    _require_active_relationship(partner, customer)
    now = timezone.now()
    try:
        with transaction.atomic():
            grant = DelegatedAdminGrant.objects.create(
                partner=partner, customer=customer, display_name=name, roles=ordered, duration_days=duration_days,
                auto_extend=auto_extend, status=GrantStatus.CREATED, requested_at=now, modified_at=now,
                request_expires_at=now + timedelta(days=settings.GRANT_REQUEST_VALIDITY_DAYS),
            )
    except IntegrityError as exc:  # a concurrent create took the name between the check and the insert
        raise GrantError("name_exists", _("Another admin relationship already has this display name."), field="display_name") from exc
    audit_record(action=AuditAction.GRANT_DRAFTED, actor=membership.user, partner=partner, customer=customer, target=grant,
                 after=_draft_snapshot(grant))
    return grant


def _locked_for_partner(grant: DelegatedAdminGrant, membership: PartnerMembership) -> DelegatedAdminGrant:
    locked = _locked_grant(grant)
    if locked.partner_id != membership.partner_id:
        raise GrantError("not_found", _("Unknown grant."))
    return locked


@transaction.atomic
def grant_draft_update(*, grant: DelegatedAdminGrant, membership: PartnerMembership, changes: dict) -> DelegatedAdminGrant:
    """Change a draft: any of DRAFT_FIELDS (`customer` is a Customer). Only while `created`.

    Post: the row changed by a conditional update on `created`, one `grant.draft_updated` event
    with before/after (none when nothing changed).
    """
    _require_grant_writer(membership)
    locked = _locked_for_partner(grant, membership)
    if locked.status != GrantStatus.CREATED:
        raise GrantError("not_editable", _("Only a relationship in created status can be changed this way."))
    unknown = set(changes) - set(DRAFT_FIELDS)
    if unknown:
        raise GrantError("read_only", _("These properties cannot be changed: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    before = _draft_snapshot(locked)
    values = {
        "display_name": locked.display_name, "roles": list(locked.roles), "duration_days": locked.duration_days,
        "auto_extend": locked.auto_extend, "customer": locked.customer, **changes,
    }
    if values["display_name"] != locked.display_name:
        values["display_name"] = _clean_display_name(partner=locked.partner, display_name=values["display_name"], exclude_pk=locked.pk)
    values["roles"] = validate_grant_request(roles=list(values["roles"]), duration_days=values["duration_days"],
                                             auto_extend=values["auto_extend"])
    if values["customer"].pk != locked.customer_id:
        _require_active_relationship(locked.partner, values["customer"])
    for field, value in values.items():
        setattr(locked, field, value)
    after = _draft_snapshot(locked)
    if after == before:
        return locked
    now = timezone.now()
    updated = DelegatedAdminGrant.objects.filter(pk=locked.pk, status=GrantStatus.CREATED).update(
        display_name=values["display_name"], roles=values["roles"], duration_days=values["duration_days"],
        auto_extend=values["auto_extend"], customer=values["customer"], modified_at=now,
    )
    if updated != 1:
        raise GrantError("not_editable", _("Only a relationship in created status can be changed this way."))
    locked.modified_at = now
    audit_record(action=AuditAction.GRANT_DRAFT_UPDATED, actor=membership.user, partner=locked.partner, customer=locked.customer,
                 target=locked, before=before, after=after)
    return locked


@transaction.atomic
def grant_draft_delete(*, grant: DelegatedAdminGrant, membership: PartnerMembership) -> None:
    """Delete a draft (only `created`: anything the customer has seen stays as history)."""
    _require_grant_writer(membership)
    locked = _locked_for_partner(grant, membership)
    if locked.status != GrantStatus.CREATED:
        raise GrantError("not_deletable", _("Only a relationship in created status can be deleted."))
    audit_record(action=AuditAction.GRANT_DRAFT_DELETED, actor=membership.user, partner=locked.partner, customer=locked.customer,
                 target=locked, before=_draft_snapshot(locked))
    DelegatedAdminGrant.objects.filter(pk=locked.pk, status=GrantStatus.CREATED).delete()


def grant_approval_url(grant: DelegatedAdminGrant) -> str:
    """Where the customer's global admins approve: /c/<tenant>/granularAdminRelationships/<graph id>."""
    from relationships.graph_ids import grant_graph_id

    return absolute_url("granular_admin_relationship", tenant_id=grant.customer.tenant_id, relationship_id=grant_graph_id(grant))


@transaction.atomic
def grant_lock_for_approval(*, grant: DelegatedAdminGrant, membership: PartnerMembership) -> GrantActionRequest:
    """Send a draft to the customer: `created` → `approval_pending` (valid for GRANT_REQUEST_VALIDITY_DAYS).

    Post: a `lockForApproval` request row (succeeded), the `grant.requested` audit event (and
    its webhook) as for requests carried by invitations, and an email with the approval link to
    each global admin of the customer.
    """
    _require_grant_writer(membership)
    locked = _locked_for_partner(grant, membership)
    if locked.status != GrantStatus.CREATED:
        raise GrantError("not_created", _("Only a relationship in created status can be locked for approval."))
    _require_active_relationship(locked.partner, locked.customer)
    now = timezone.now()
    expires = now + timedelta(days=settings.GRANT_REQUEST_VALIDITY_DAYS)
    updated = DelegatedAdminGrant.objects.filter(pk=locked.pk, status=GrantStatus.CREATED).update(
        status=GrantStatus.APPROVAL_PENDING, request_expires_at=expires, modified_at=now,
    )
    if updated != 1:
        raise GrantError("not_created", _("Only a relationship in created status can be locked for approval."))
    locked.status, locked.request_expires_at, locked.modified_at = GrantStatus.APPROVAL_PENDING, expires, now
    request = GrantActionRequest.objects.create(grant=locked, action="lockForApproval", status="succeeded",
                                                requested_by=membership.user, created_at=now, modified_at=now)
    audit_record(action=AuditAction.GRANT_REQUESTED, actor=membership.user, partner=locked.partner, customer=locked.customer,
                 target=locked, before={"status": "created"},
                 after={"status": "approval_pending", "roles": locked.roles, "duration_days": locked.duration_days})
    _notify(users=_customer_contacts(locked.customer), template="relationships/email/grant_approval_request",
            context={**_grant_context(locked, event="approval_request"), "duration_days": locked.duration_days,
                     "approval_url": grant_approval_url(locked), "expires_on": expires.date().isoformat()},
            key=f"grant:{locked.pk}:approval_request", partner=locked.partner, customer=locked.customer, topic=f"grant:{locked.pk}")
    return request


@transaction.atomic
def grant_terminate_by_request(*, grant: DelegatedAdminGrant, membership: PartnerMembership, reason: str = "") -> GrantActionRequest:
    """The partner's `terminate` request: grant_terminate_for_partner, plus the request row that records it."""
    grant_terminate_for_partner(grant=grant, membership=membership, reason=reason)
    now = timezone.now()
    DelegatedAdminGrant.objects.filter(pk=grant.pk).update(modified_at=now)
    return GrantActionRequest.objects.create(grant=grant, action="terminate", status="succeeded", requested_by=membership.user,
                                             created_at=now, modified_at=now)


@transaction.atomic
def grant_update_active(
    *, grant: DelegatedAdminGrant, membership: PartnerMembership, roles: list[str] | None = None,
    auto_extend: bool | None = None, request_data: dict | None = None,
) -> tuple[DelegatedAdminGrant, GrantOperation | None]:
    """What may change after approval: auto-extend (never with Global Administrator), and removing
    Global Administrator (every other role unchanged).

    Removing Global Administrator also takes it out of every access assignment and records a
    `delegatedAdminRelationshipUpdate` operation (done at once: `succeeded`). One `grant.updated`
    audit event with before/after; none when nothing changed.
    """
    _require_grant_writer(membership)
    locked = _locked_for_partner(grant, membership)
    if locked.status != GrantStatus.ACTIVE:
        raise GrantError("not_editable", _("Only auto-extend can change after approval, and only while the relationship is active."))
    new_roles = list(locked.roles)
    removing_global_admin = False
    if roles is not None and set(roles) != set(locked.roles):
        if GLOBAL_ADMINISTRATOR not in locked.roles or set(roles) != set(locked.roles) - {GLOBAL_ADMINISTRATOR} or not roles:
            raise GrantError("roles_locked", _("After approval the only role change allowed is removing Global Administrator."),
                             field="roles")
        new_roles = [role for role in locked.roles if role != GLOBAL_ADMINISTRATOR]
        removing_global_admin = True
    new_auto_extend = locked.auto_extend if auto_extend is None else auto_extend
    validate_grant_request(roles=new_roles, duration_days=locked.duration_days, auto_extend=new_auto_extend)
    if new_roles == locked.roles and new_auto_extend == locked.auto_extend:
        return locked, None
    before = {"roles": list(locked.roles), "auto_extend": locked.auto_extend}
    now = timezone.now()
    updated = DelegatedAdminGrant.objects.filter(pk=locked.pk, status=GrantStatus.ACTIVE).update(
        roles=new_roles, auto_extend=new_auto_extend, modified_at=now)
    if updated != 1:
        raise GrantError("not_active", _("Only active admin roles can be changed."))
    locked.roles, locked.auto_extend, locked.modified_at = new_roles, new_auto_extend, now
    operation = None
    if removing_global_admin:
        for assignment in locked.access_assignments.select_for_update().order_by("pk"):
            remaining = [role for role in assignment.roles if role != GLOBAL_ADMINISTRATOR]
            if not remaining:
                assignment.delete()
            elif remaining != assignment.roles:
                AccessAssignment.objects.filter(pk=assignment.pk).update(roles=remaining, updated_at=now)
        operation = GrantOperation.objects.create(grant=locked, operation_type="delegatedAdminRelationshipUpdate",
                                                  status="succeeded", data=request_data or {}, created_at=now, modified_at=now)
    audit_record(action=AuditAction.GRANT_UPDATED, actor=membership.user, partner=locked.partner, customer=locked.customer,
                 target=locked, before=before, after={"roles": new_roles, "auto_extend": new_auto_extend})
    return locked, operation

# --- Partner-side removal (issue 6) ------------------------------------------------------------


@transaction.atomic
def relationship_terminate_for_partner(*, relationship: Relationship, membership: PartnerMembership, reason: str = "") -> Relationship:
    """The partner removes its relationship with the customer.

    Pre: the member may remove relationships (admin agent, account admin); the relationship is
    this partner's and active; the partner has no active subscription for the customer
    (relationships.removal.removal_blockers; RemovalBlockedError lists them otherwise).
    Post: terminated; the partner's active grants terminated and pending requests rejected (one
    audit event each, no email per grant); `relationship.terminated` audited (webhook event);
    one email to each global admin of the customer, through the outbox.
    """
    from relationships.removal import RemovalBlockedError, removal_blockers

    if not roles_allow(membership.roles, PartnerPermission.REMOVE_RELATIONSHIP):
        raise RelationshipError("forbidden", _("Your partner roles do not allow removing a relationship."))
    locked = (Relationship.objects.select_for_update(of=("self",)).select_related("partner", "customer")
              .filter(pk=relationship.pk, partner_id=membership.partner_id).first())
    if locked is None:
        raise RelationshipError("not_found", _("Unknown relationship."))
    if locked.status != RelationshipStatus.ACTIVE:
        raise RelationshipError("not_active", _("This relationship has already ended."))
    # Subscriptions are provisioned only under an active relationship, which is locked above, so
    # no new active subscription can appear between this check and the update.
    blockers = removal_blockers(partner=locked.partner, customer=locked.customer)
    if blockers:
        raise RemovalBlockedError(blockers)
    actor = membership.user
    now = timezone.now()
    updated = Relationship.objects.filter(pk=locked.pk, status=RelationshipStatus.ACTIVE).update(
        status=RelationshipStatus.TERMINATED, terminated_at=now, terminated_by=actor, termination_reason=reason.strip()[:2000]
    )
    if updated != 1:
        raise RelationshipError("not_active", _("This relationship has already ended."))
    locked.status, locked.terminated_at = RelationshipStatus.TERMINATED, now
    grants = DelegatedAdminGrant.objects.select_for_update(of=("self",)).select_related("partner", "customer").filter(
        partner=locked.partner, customer=locked.customer, status__in=[GrantStatus.ACTIVE, GrantStatus.APPROVAL_PENDING]
    ).order_by("pk")
    ended = _("The relationship ended.")
    for grant in grants:
        before = grant.status
        after = GrantStatus.TERMINATED if before == GrantStatus.ACTIVE else GrantStatus.REJECTED
        if DelegatedAdminGrant.objects.filter(pk=grant.pk, status=before).update(
            status=after, terminated_at=now, terminated_by=actor, termination_reason=ended
        ):
            audit_record(action=AuditAction.GRANT_TERMINATED if after == GrantStatus.TERMINATED else AuditAction.GRANT_REJECTED,
                         actor=actor, partner=grant.partner, customer=grant.customer, target=grant,
                         before={"status": before}, after={"status": after}, data={"reason": "relationship ended", "by": "partner"})
    audit_record(action=AuditAction.RELATIONSHIP_TERMINATED, actor=actor, partner=locked.partner, customer=locked.customer,
                 target=locked, before={"status": "active"}, after={"status": "terminated"},
                 data={"reason": reason.strip(), "by": "partner"})
    _notify(users=_customer_contacts(locked.customer), template="relationships/email/relationship_removed_by_partner",
            context={"partner_name": locked.partner.name, "customer_name": locked.customer.company_name, "reason": reason.strip(),
                     "url": absolute_url("customers:partners", tenant_id=locked.customer.tenant_id)},
            key=f"relationship:{locked.pk}:removed", partner=locked.partner, customer=locked.customer, topic=f"relationship:{locked.pk}")
    return locked
