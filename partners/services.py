"""Partner actions: creating partners and managing who works for them, with which roles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.actions import AuditAction
from audit.services import audit_record
from notifications.services import email_enqueue
from partnercenter.errors import DomainError
from partnercenter.links import absolute_url
from partnercenter.tokens import new_token, token_hash
from partners.authz import Actor, Permission, authorize
from partners.choices import Cloud, PartnerRole, PartnerType, PartnerUserInvitationStatus
from partners.markets import market_region_for
from partners.models import Partner, PartnerMembership, PartnerUserInvitation
from partners.security_group_services import security_groups_follow_roles
from partners.signals import partner_created

if TYPE_CHECKING:
    from accounts.models import User


class PartnerUserError(DomainError):
    pass


def clean_roles(roles: list[str] | tuple[str, ...] | set[str]) -> list[str]:
    """Validate and order a role list; at least one known role is required."""
    unknown = set(roles) - set(PartnerRole.values)
    if unknown:
        raise PartnerUserError(
            "unknown_role", _("Unknown role: %(roles)s.") % {"roles": ", ".join(sorted(unknown))}, field="roles"
        )
    ordered = [role for role in PartnerRole.values if role in roles]
    if not ordered:
        raise PartnerUserError("roles_required", _("Choose at least one role."), field="roles")
    return ordered


@transaction.atomic
def partner_create(
    *,
    name: str,
    country: str,
    cloud: str,
    partner_type: str,
    verified_domain: str,
    actor: User | None,
    partner_id: str | None = None,
    mfa_required: bool | None = None,
) -> Partner:
    """Create a partner; its market region is derived from its country.

    `mfa_required` (every user must sign in with a second factor) defaults to the
    PARTNER_MFA_REQUIRED_DEFAULT setting: on in production. Sends `partners.signals.partner_created`
    in the same transaction (invitations makes the partner's reusable link).
    """
    if cloud not in Cloud.values:
        raise DomainError("invalid_cloud", _("Unknown cloud."), field="cloud")
    if partner_type not in PartnerType.values:
        raise DomainError("invalid_partner_type", _("Unknown partner type."), field="partner_type")
    partner = Partner(
        name=name.strip(),
        country=country.upper(),
        market_region=market_region_for(country),
        cloud=cloud,
        partner_type=partner_type,
        verified_domain=verified_domain.strip().lower(),
        mfa_required=settings.PARTNER_MFA_REQUIRED_DEFAULT if mfa_required is None else mfa_required,
    )
    if partner_id:
        partner.partner_id = partner_id
    partner.full_clean()
    partner.save()
    audit_record(
        action=AuditAction.PARTNER_CREATED,
        actor=actor,
        partner=partner,
        target=partner,
        after={"name": partner.name, "country": str(partner.country), "cloud": partner.cloud,
               "mfa_required": partner.mfa_required},
    )
    partner_created.send(sender=Partner, partner=partner, actor=actor)
    return partner


@transaction.atomic
def partner_membership_add(*, partner: Partner, user: User, roles: list[str], actor: User | None) -> PartnerMembership:
    """Add an existing user to a partner directly (demo data, staff). Invitations are the normal path."""
    roles = clean_roles(roles)
    membership, created = PartnerMembership.objects.get_or_create(partner=partner, user=user, defaults={"roles": roles})
    if not created:
        raise PartnerUserError(
            "already_member", _("%(email)s is already a user of this partner.") % {"email": user.email}
        )
    audit_record(
        action=AuditAction.PARTNER_USER_JOINED,
        actor=actor,
        partner=partner,
        target=membership,
        after={"email": user.email, "roles": roles},
    )
    security_groups_follow_roles(membership=membership, before=[], after=roles, actor=actor)
    return membership


@dataclass(frozen=True)
class IssuedPartnerUserInvitation:
    invitation: PartnerUserInvitation
    token: str

    @property
    def path(self) -> str:

        return reverse("partner_user_invitation_open", kwargs={"token": self.token})


def _send_partner_user_invitation(invitation: PartnerUserInvitation, token: str) -> None:

    existing = User.objects.filter(email__iexact=invitation.email).only("preferred_language").first()
    # The recipient's own language when we know it, else the one the admin chose for them.
    language = existing.preferred_language if existing else invitation.language
    link = absolute_url("partner_user_invitation_open", token=token)
    email_enqueue(
        to=invitation.email,
        template="partners/email/partner_user_invitation",
        context={
            "partner_name": invitation.partner.name,
            "partner_id": invitation.partner.partner_id,
            "verified_domain": invitation.partner.verified_domain,
            "inviter": invitation.invited_by.display_name if invitation.invited_by else "",
            # lazy labels: email_render names the roles in the email's language (issue 21, item 3)
            "roles": [PartnerRole(role).label for role in PartnerRole.values if role in invitation.roles],
            "role_codes": invitation.roles,
            "link": link,
            "expires_at": invitation.expires_at.isoformat(),
            "has_account": existing is not None,
        },
        language=language,
        partner=invitation.partner,
        idempotency_key=f"partner_user_invitation:{invitation.pk}:{invitation.sent_at.isoformat()}",
    )


@transaction.atomic
def partner_user_invite(
    *, partner: Partner, email: str, roles: list[str], invited_by: PartnerMembership, language: str = "en"
) -> IssuedPartnerUserInvitation:
    """Invite `email` to join `partner` with `roles`, and queue the invitation email.

    Pre: `invited_by` is an account admin of `partner`; the email is not already a member and
    has no pending invitation. Post: a pending invitation (token stored as a hash), an audit
    event and an outbox email, all in one transaction.
    """
    authorize(invited_by, Permission.MANAGE_USERS)
    roles = clean_roles(roles)
    email = email.strip().lower()
    # Lock the partner row: concurrent invitations for the same email serialise here.
    Partner.objects.select_for_update().get(pk=partner.pk)
    if PartnerMembership.objects.filter(partner=partner, user__email__iexact=email).exists():
        raise PartnerUserError(
            "already_member", _("%(email)s is already a user of this partner.") % {"email": email}, field="email"
        )
    if PartnerUserInvitation.objects.filter(
        partner=partner, email__iexact=email, status=PartnerUserInvitationStatus.PENDING
    ).exists():
        raise PartnerUserError(
            "already_invited",
            _("%(email)s already has a pending invitation: resend it instead.") % {"email": email},
            field="email",
        )
    token = new_token()
    now = timezone.now()
    invitation = PartnerUserInvitation.objects.create(
        partner=partner,
        email=email,
        roles=roles,
        language=language if language in dict(settings.LANGUAGES) else "en",
        token_hash=token_hash(token),
        invited_by=invited_by.user,
        created_at=now,
        sent_at=now,
        expires_at=now + timedelta(days=settings.PARTNER_USER_INVITATION_DAYS),
    )
    audit_record(
        action=AuditAction.PARTNER_USER_INVITED,
        actor=invited_by.user,
        partner=partner,
        target=invitation,
        after={"email": email, "roles": roles, "expires_at": invitation.expires_at.isoformat()},
    )
    _send_partner_user_invitation(invitation, token)
    return IssuedPartnerUserInvitation(invitation=invitation, token=token)


@transaction.atomic
def partner_user_invitation_resend(
    *, invitation: PartnerUserInvitation, actor: PartnerMembership
) -> IssuedPartnerUserInvitation:
    """Rotate the token (the old link stops working), extend the expiry and send again."""
    authorize(actor, Permission.MANAGE_USERS, invitation)
    token = new_token()
    now = timezone.now()
    expires_at = now + timedelta(days=settings.PARTNER_USER_INVITATION_DAYS)
    updated = PartnerUserInvitation.objects.filter(
        pk=invitation.pk, partner=actor.partner, status=PartnerUserInvitationStatus.PENDING
    ).update(token_hash=token_hash(token), sent_at=now, expires_at=expires_at)
    if updated != 1:
        raise PartnerUserError("not_pending", _("This invitation is no longer pending."))
    invitation.refresh_from_db()
    audit_record(
        action=AuditAction.PARTNER_USER_INVITATION_RESENT,
        actor=actor.user,
        partner=actor.partner,
        target=invitation,
        after={"expires_at": expires_at.isoformat()},
    )
    _send_partner_user_invitation(invitation, token)
    return IssuedPartnerUserInvitation(invitation=invitation, token=token)


@transaction.atomic
def partner_user_invitation_cancel(*, invitation: PartnerUserInvitation, actor: PartnerMembership) -> None:
    authorize(actor, Permission.MANAGE_USERS, invitation)
    updated = PartnerUserInvitation.objects.filter(
        pk=invitation.pk, partner=actor.partner, status=PartnerUserInvitationStatus.PENDING
    ).update(status=PartnerUserInvitationStatus.CANCELLED, cancelled_at=timezone.now())
    if updated != 1:
        raise PartnerUserError("not_pending", _("This invitation is no longer pending."))
    audit_record(
        action=AuditAction.PARTNER_USER_INVITATION_CANCELLED,
        actor=actor.user,
        partner=actor.partner,
        target=invitation,
        before={"status": "pending"},
        after={"status": "cancelled"},
    )


@transaction.atomic
def partner_user_invitation_accept(*, invitation: PartnerUserInvitation, user: User) -> PartnerMembership:
    """The invitee joins the partner.

    Pre: the invitation is pending and unexpired, and `user`'s email is the invited one and
    verified (the view guarantees sign-in through allauth). Post: the invitation is accepted
    (conditional update: a double submit is a detectable no-op) and the membership exists.
    """

    if user.email.lower() != invitation.email.lower():
        raise PartnerUserError(
            "wrong_account",
            _("This invitation is for %(email)s; you are signed in as %(current)s.")
            % {"email": invitation.email, "current": user.email},
        )
    if not EmailAddress.objects.filter(user=user, email__iexact=invitation.email, verified=True).exists():
        raise PartnerUserError("email_not_verified", _("Verify your email address first."))
    now = timezone.now()
    updated = PartnerUserInvitation.objects.filter(
        pk=invitation.pk, status=PartnerUserInvitationStatus.PENDING, expires_at__gt=now
    ).update(status=PartnerUserInvitationStatus.ACCEPTED, accepted_at=now, accepted_by=user)
    if updated != 1:
        raise PartnerUserError("invalid_invitation", _("This invitation link is not valid."))
    membership, created = PartnerMembership.objects.get_or_create(
        partner=invitation.partner, user=user, defaults={"roles": invitation.roles}
    )
    held_before: list[str] = []
    if not created:
        held_before = list(membership.roles)
        merged = clean_roles(set(membership.roles) | set(invitation.roles))
        PartnerMembership.objects.filter(pk=membership.pk).update(roles=merged)
        membership.roles = merged
    audit_record(
        action=AuditAction.PARTNER_USER_JOINED,
        actor=user,
        partner=invitation.partner,
        target=membership,
        after={"email": user.email, "roles": membership.roles, "invitation_id": invitation.pk},
    )
    security_groups_follow_roles(membership=membership, before=held_before, after=membership.roles, actor=user)
    return membership


def _ensure_an_account_admin_remains(partner: Partner, *, excluding: PartnerMembership) -> None:
    others = PartnerMembership.objects.filter(partner=partner).exclude(pk=excluding.pk)
    if not any(PartnerRole.ACCOUNT_ADMIN in m.roles for m in others.only("roles")):
        raise PartnerUserError(
            "last_account_admin",
            _("A partner needs at least one account admin: give the role to someone else first."),
            field="roles",
        )


@transaction.atomic
def partner_membership_set_roles(
    *, membership: PartnerMembership, roles: list[str], actor: PartnerMembership
) -> PartnerMembership:
    """Replace a partner user's roles. The partner always keeps at least one account admin."""
    authorize(actor, Permission.MANAGE_USERS, membership)
    roles = clean_roles(roles)
    Partner.objects.select_for_update().get(pk=actor.partner_id)
    locked = PartnerMembership.objects.select_for_update().get(pk=membership.pk, partner=actor.partner)
    before = list(locked.roles)
    if before == roles:
        return locked
    if PartnerRole.ACCOUNT_ADMIN in before and PartnerRole.ACCOUNT_ADMIN not in roles:
        _ensure_an_account_admin_remains(locked.partner, excluding=locked)
    locked.roles = roles
    locked.save(update_fields=["roles"])
    audit_record(
        action=AuditAction.PARTNER_USER_ROLES_CHANGED,
        actor=actor.user,
        partner=locked.partner,
        target=locked,
        before={"roles": before},
        after={"roles": roles},
    )
    security_groups_follow_roles(membership=locked, before=before, after=roles, actor=actor.user)
    return locked


@transaction.atomic
def partner_membership_remove(*, membership: PartnerMembership, actor: PartnerMembership) -> None:
    """Remove a user from the partner (their account stays). The last account admin cannot go."""
    authorize(actor, Permission.MANAGE_USERS, membership)
    Partner.objects.select_for_update().get(pk=actor.partner_id)
    locked = PartnerMembership.objects.select_for_update().get(pk=membership.pk, partner=actor.partner)
    if PartnerRole.ACCOUNT_ADMIN in locked.roles:
        _ensure_an_account_admin_remains(locked.partner, excluding=locked)
    audit_record(
        action=AuditAction.PARTNER_USER_REMOVED,
        actor=actor.user,
        partner=locked.partner,
        target=locked,
        before={"email": locked.user.email, "roles": locked.roles},
    )
    locked.delete()


@transaction.atomic
def partner_user_invitations_expire() -> int:
    """Mark pending invitations past their expiry as expired (Celery beat). Returns how many."""
    now = timezone.now()
    expired = list(
        PartnerUserInvitation.objects.select_for_update(skip_locked=True)
        .filter(status=PartnerUserInvitationStatus.PENDING, expires_at__lte=now)
        .order_by("pk")[:500]
    )
    for invitation in expired:
        updated = PartnerUserInvitation.objects.filter(
            pk=invitation.pk, status=PartnerUserInvitationStatus.PENDING
        ).update(status=PartnerUserInvitationStatus.EXPIRED, expired_at=now)
        if updated:
            audit_record(
                action=AuditAction.PARTNER_USER_INVITATION_EXPIRED,
                actor=None,
                partner_id=invitation.partner_id,
                target=invitation,
                before={"status": "pending"},
                after={"status": "expired"},
            )
    return len(expired)


@transaction.atomic
def partner_membership_remove_by_staff(*, membership: PartnerMembership, staff_user: User, reason: str) -> None:
    """Platform staff disable a partner user (remove the membership) from Django admin, with a reason."""
    authorize(Actor.staff(staff_user), Permission.MANAGE_USERS, membership)
    if not reason.strip():
        raise PartnerUserError("reason_required", _("Give a reason: it goes into the audit log."), field="reason")
    Partner.objects.select_for_update().get(pk=membership.partner_id)
    locked = PartnerMembership.objects.select_for_update().select_related("user", "partner").get(pk=membership.pk)
    if PartnerRole.ACCOUNT_ADMIN in locked.roles:
        _ensure_an_account_admin_remains(locked.partner, excluding=locked)
    audit_record(action=AuditAction.PARTNER_USER_REMOVED, actor=staff_user, partner=locked.partner, target=locked,
                 before={"email": locked.user.email, "roles": locked.roles}, data={"reason": reason.strip(), "by": "staff"})
    locked.delete()
