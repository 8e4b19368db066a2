"""The Graph-compatible flow: drafts, lockForApproval, the terminate request, changes after approval."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actions import AuditAction
from audit.services import audit_record
from notifications.choices import NotificationAudience, NotificationKind
from partnercenter.directory_roles import GLOBAL_ADMINISTRATOR
from partnercenter.links import absolute_url
from partners.authz import Permission, authorize
from relationships.choices import GrantStatus, RelationshipStatus
from relationships.errors import GrantError
from relationships.graph_ids import grant_graph_id
from relationships.models import AccessAssignment, DelegatedAdminGrant, GrantActionRequest, GrantOperation, Relationship
from relationships.services import (
    customer_contacts,
    grant_context,
    grant_terminate,
    locked_grant,
    notify,
    validate_grant_request,
)

if TYPE_CHECKING:
    from customers.models import Customer
    from partners.models import Partner, PartnerMembership


# --- Drafts, lockForApproval and changes after approval (the Graph-compatible surface) -------
#
# Graph's granular delegated admin flow: the partner creates a relationship in `created` (a
# draft only it sees), edits or deletes it, then locks it for approval; the customer's global
# admins are emailed a link and approve in the customer admin center (grant_approve). After
# approval only auto-extend may change, and Global Administrator may be removed.

GRAPH_DISPLAY_NAME_MAX = 50
DRAFT_FIELDS = ("display_name", "roles", "duration_days", "auto_extend", "customer", "customer_display_name")


def _clean_display_name(*, partner: Partner, display_name: str, exclude_pk: int | None = None) -> str:
    name = (display_name or "").strip()
    if not name or len(name) > GRAPH_DISPLAY_NAME_MAX:
        raise GrantError("invalid_display_name", _("The display name must have 1 to 50 characters."), field="display_name")
    taken = DelegatedAdminGrant.objects.filter(partner=partner, display_name=name)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise GrantError("name_exists", _("Another admin relationship already has this display name."), field="display_name")
    return name


def _check_active_relationship(partner: Partner, customer: Customer) -> None:
    if not Relationship.objects.filter(partner=partner, customer=customer, status=RelationshipStatus.ACTIVE).exists():
        raise GrantError("no_relationship", _("Choose one of your customers."), field="customer")


def _draft_snapshot(grant: DelegatedAdminGrant) -> dict:
    snapshot = {"display_name": grant.display_name, "roles": list(grant.roles), "duration_days": grant.duration_days,
                "auto_extend": grant.auto_extend, "customer": str(grant.customer.tenant_id) if grant.customer else ""}
    if grant.customer_display_name:
        snapshot["customer_display_name"] = grant.customer_display_name
    return snapshot


@transaction.atomic
def grant_draft_create(
    *, membership: PartnerMembership, customer: Customer | None, display_name: str, roles: list[str], duration_days: int,
    auto_extend: bool, customer_display_name: str = "",
) -> DelegatedAdminGrant:
    """A delegated admin request in `created`: only the partner sees it until grant_lock_for_approval.

    Pre: the member may request delegated admin; the customer is the partner's (active
    relationship); the display name is free (1-50 characters); roles, duration and auto-extend
    pass validate_grant_request. Post: the draft and a `grant.drafted` audit event. Nobody is emailed.
    """
    authorize(membership, Permission.REQUEST_DELEGATED_ADMIN, message=_("You may not request or change admin roles."))
    partner = membership.partner
    name = _clean_display_name(partner=partner, display_name=display_name)
    ordered = validate_grant_request(roles=roles, duration_days=duration_days, auto_extend=auto_extend)
    if customer is not None:  # a draft may name its customer later (required by grant_lock_for_approval)
        _check_active_relationship(partner, customer)
    now = timezone.now()
    try:
        with transaction.atomic():
            grant = DelegatedAdminGrant.objects.create(
                partner=partner, customer=customer, display_name=name, roles=ordered, duration_days=duration_days,
                auto_extend=auto_extend, status=GrantStatus.CREATED, customer_display_name=customer_display_name[:256],
                requested_at=now, modified_at=now,
                request_expires_at=now + timedelta(days=settings.GRANT_REQUEST_VALIDITY_DAYS),
            )
    except IntegrityError as exc:  # a concurrent create took the name between the check and the insert
        raise GrantError("name_exists", _("Another admin relationship already has this display name."), field="display_name") from exc
    audit_record(action=AuditAction.GRANT_DRAFTED, actor=membership.user, partner=partner, customer=customer, target=grant,
                 after=_draft_snapshot(grant))
    return grant


def _locked_for_partner(grant: DelegatedAdminGrant, membership: PartnerMembership) -> DelegatedAdminGrant:
    locked = locked_grant(grant)
    if locked.partner_id != membership.partner_id:
        raise GrantError("not_found", _("Unknown grant."))
    return locked


@transaction.atomic
def grant_draft_update(*, grant: DelegatedAdminGrant, membership: PartnerMembership, changes: dict) -> DelegatedAdminGrant:
    """Change a draft: any of DRAFT_FIELDS (`customer` is a Customer). Only while `created`.

    Post: the row changed by a conditional update on `created`, one `grant.draft_updated` event
    with before/after (none when nothing changed).
    """
    authorize(membership, Permission.REQUEST_DELEGATED_ADMIN, message=_("You may not request or change admin roles."))
    locked = _locked_for_partner(grant, membership)
    if locked.status != GrantStatus.CREATED:
        raise GrantError("not_editable", _("Only a relationship in created status can be changed this way."))
    unknown = set(changes) - set(DRAFT_FIELDS)
    if unknown:
        raise GrantError("read_only", _("These properties cannot be changed: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    before = _draft_snapshot(locked)
    values = {
        "display_name": locked.display_name, "roles": list(locked.roles), "duration_days": locked.duration_days,
        "auto_extend": locked.auto_extend, "customer": locked.customer,
        "customer_display_name": locked.customer_display_name, **changes,
    }
    if values["display_name"] != locked.display_name:
        values["display_name"] = _clean_display_name(partner=locked.partner, display_name=values["display_name"], exclude_pk=locked.pk)
    values["roles"] = validate_grant_request(roles=list(values["roles"]), duration_days=values["duration_days"],
                                             auto_extend=values["auto_extend"])
    if values["customer"] is not None and values["customer"].pk != locked.customer_id:
        _check_active_relationship(locked.partner, values["customer"])
    for field, value in values.items():
        setattr(locked, field, value)
    after = _draft_snapshot(locked)
    if after == before:
        return locked
    now = timezone.now()
    updated = DelegatedAdminGrant.objects.filter(pk=locked.pk, status=GrantStatus.CREATED).update(
        display_name=values["display_name"], roles=values["roles"], duration_days=values["duration_days"],
        auto_extend=values["auto_extend"], customer=values["customer"], customer_display_name=values["customer_display_name"][:256],
        modified_at=now,
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
    authorize(membership, Permission.REQUEST_DELEGATED_ADMIN, message=_("You may not request or change admin roles."))
    locked = _locked_for_partner(grant, membership)
    if locked.status != GrantStatus.CREATED:
        raise GrantError("not_deletable", _("Only a relationship in created status can be deleted."))
    audit_record(action=AuditAction.GRANT_DRAFT_DELETED, actor=membership.user, partner=locked.partner, customer=locked.customer,
                 target=locked, before=_draft_snapshot(locked))
    DelegatedAdminGrant.objects.filter(pk=locked.pk, status=GrantStatus.CREATED).delete()


def grant_approval_url(grant: DelegatedAdminGrant) -> str:
    """Where the customer's global admins approve: /c/<tenant>/granularAdminRelationships/<graph id>."""

    return absolute_url("granular_admin_relationship", tenant_id=grant.customer_required.tenant_id, relationship_id=grant_graph_id(grant))


@transaction.atomic
def grant_lock_for_approval(*, grant: DelegatedAdminGrant, membership: PartnerMembership) -> GrantActionRequest:
    """Send a draft to the customer: `created` → `approval_pending` (valid for GRANT_REQUEST_VALIDITY_DAYS).

    Post: a `lockForApproval` request row (succeeded), the `grant.requested` audit event (and
    its webhook) as for requests carried by invitations, and an email with the approval link to
    each global admin of the customer.
    """
    authorize(membership, Permission.REQUEST_DELEGATED_ADMIN, message=_("You may not request or change admin roles."))
    locked = _locked_for_partner(grant, membership)
    if locked.status != GrantStatus.CREATED:
        raise GrantError("not_created", _("Only a relationship in created status can be locked for approval."))
    if locked.customer is None:
        raise GrantError("no_customer", _("Choose the customer before locking the relationship for approval."), field="customer")
    _check_active_relationship(locked.partner, locked.customer)
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
    notify(users=customer_contacts(locked.customer), template="relationships/email/grant_approval_request",
            context={**grant_context(locked, event="approval_request"), "duration_days": locked.duration_days,
                     "approval_url": grant_approval_url(locked), "expires_on": expires.date().isoformat()},
            key=f"grant:{locked.pk}:approval_request", partner=locked.partner, customer=locked.customer, topic=f"grant:{locked.pk}",
            kind=NotificationKind.GRANT_REQUESTED, audience=NotificationAudience.CUSTOMER)
    return request


@transaction.atomic
def grant_terminate_by_request(*, grant: DelegatedAdminGrant, membership: PartnerMembership, reason: str = "") -> GrantActionRequest:
    """The partner's `terminate` request (Graph): grant_terminate, plus the request row that records it."""
    grant_terminate(grant=grant, actor=membership, reason=reason)
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
    authorize(membership, Permission.REQUEST_DELEGATED_ADMIN, message=_("You may not request or change admin roles."))
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
