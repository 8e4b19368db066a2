"""Invitation actions: request a reseller relationship, draft and send it, accept or decline it.

Every transition is a conditional UPDATE from `pending` inside one transaction, with an audit
event and outbox rows, so a double click or a retried task is a detectable no-op.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape, linebreaks
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.actions import AuditAction
from audit.services import audit_record
from customers.choices import CustomerRole
from customers.models import AgreementAcceptance, AgreementVersion, Customer, CustomerMembership
from customers.services import (
    AgreementSignature,
    agreement_accept,
    agreement_current,
    customer_create,
    customer_membership_add,
    customer_needs_agreement,
    normalise_domain,
)
from invitations.acceptance_story import nothing_to_accept
from invitations.choices import InvitationKind, InvitationSource, InvitationStatus, LinkStatus
from invitations.draft_markers import EXPIRY_MARKER, fill_expiry, mark_expiry
from invitations.email_limits import invitation_email_count, partner_invitation_count
from invitations.errors import InvitationError
from invitations.models import Invitation, RelationshipLink
from invitations.rules import RuleViolation, customer_rule_violation, rule_violation, target_rule_violation
from invitations.tokens import derive_token, derived_hash, new_nonce
from invitations.verification_codes import invitation_verification_code
from notifications.models import OutboxMessage
from notifications.services import (
    RenderedEmail,
    email_enqueue_rendered,
    email_enqueue_row,
    email_outbox_row,
    email_render,
)
from partnercenter.links import absolute_url
from partners.choices import SOVEREIGN_CLOUDS, PartnerRole
from partners.clouds import portal_for
from partners.models import Partner, PartnerMembership
from partners.permissions import PartnerPermission, roles_allow
from partners.selectors import partner_users_with_roles
from relationships.choices import RelationshipStatus, RelationshipType
from relationships.models import DelegatedAdminGrant, Relationship
from relationships.roles import role_labels, role_names
from relationships.services import grant_request_from_invitation, relationship_establish

if TYPE_CHECKING:
    from accounts.models import User
    from invitations.duplicates import DuplicateFinding, DuplicateIndex

LINK_MARKER = "[[invitation-link]]"
INVALID_LINK_MESSAGE = gettext_lazy("This link is not valid.")


# --- Links ----------------------------------------------------------------------------------


def _issue_link(obj: Invitation | RelationshipLink, purpose: str) -> None:
    obj.token_nonce = new_nonce()
    obj.token_hash = derived_hash(purpose=purpose, row_id=obj.pk, nonce=obj.token_nonce)


def invitation_url(invitation: Invitation) -> str:
    token = derive_token(
        purpose="invitation", row_id=invitation.pk, nonce=invitation.token_nonce, stored_hash=invitation.token_hash
    )
    return portal_for(invitation.partner.cloud).base_url + reverse("invitation_open", kwargs={"token": token})


def relationship_link_url(link: RelationshipLink) -> str:
    token = derive_token(purpose="link", row_id=link.pk, nonce=link.token_nonce, stored_hash=link.token_hash)
    return portal_for(link.partner.cloud).base_url + reverse("invitation_open", kwargs={"token": token})


def _require(membership: PartnerMembership, permission: PartnerPermission) -> None:
    if not roles_allow(membership.roles, permission):
        raise InvitationError("forbidden", _("Your roles do not allow this action."))


# --- Creating and drafting -----------------------------------------------------------------


def _draft_context(invitation: Invitation) -> dict[str, object]:
    partner = invitation.partner
    return {
        "partner_name": partner.name,
        "partner_id": partner.partner_id,
        "verified_domain": partner.verified_domain,
        "include_delegated_admin": invitation.include_delegated_admin,
        "delegated_admin_only": invitation.kind == InvitationKind.DELEGATED_ADMIN,
        "auto_extend": invitation.grant_auto_extend,
        "roles": role_names(invitation.requested_roles),
        "duration_days": invitation.grant_duration_days,
        "portal_name": portal_for(partner.cloud).name,
        "expires_on": EXPIRY_MARKER,  # filled in when shown or sent: a resend moves it (draft_markers)
        "link": LINK_MARKER,
    }


def _default_draft(invitation: Invitation) -> tuple[str, str]:
    # The draft is a pure function of its context (the link is only a marker), so identical
    # contexts (a batch's rows, an API client's repeated calls) are rendered once per process.
    with translation.override(invitation.language):  # role and portal names in the email's language, not the page's
        context = tuple((name, tuple(value) if isinstance(value, list) else value) for name, value in _draft_context(invitation).items())
    return _rendered_draft(invitation.language, translation.get_language(), context)


@lru_cache(maxsize=512)
def _rendered_draft(language: str, _active_language: str | None, context_items: tuple[tuple[str, object], ...]) -> tuple[str, str]:
    context = dict(context_items)
    with translation.override(language):
        subject = " ".join(render_to_string("invitations/email/draft_subject.txt", context).split())
        body = render_to_string("invitations/email/draft_body.txt", context).strip() + "\n"
    return subject, body


def invitation_draft(invitation: Invitation) -> tuple[str, str]:
    """The editable draft (subject, body) with the live link in place."""
    return (fill_expiry(invitation.message_subject, invitation),
            fill_expiry(invitation.message_body.replace(LINK_MARKER, invitation_url(invitation)), invitation))


def tenants_with_domain(target_domain: str) -> list[Customer]:
    """The tenants (of every cloud) whose primary domain is `target_domain`, case-insensitively (by the domain index)."""
    return list(Customer.objects.alias(domain_lower=Lower("primary_domain")).filter(domain_lower=target_domain.lower()))


def check_target(*, partner: Partner, target_domain: str, kind: str = InvitationKind.RESELLER,
                 tenants: list[Customer] | None = None) -> RuleViolation | None:
    """Before sending, when the target tenant is known: the market and cloud rules and, for an
    indirect reseller, an existing relationship. (A reseller invitation learns that it would go to
    an existing customer from the duplicate check in `invitation_create`, whose finding links to
    the customer: one rule path, one message.)

    `tenants`: `tenants_with_domain(target_domain)` when the caller already has them.
    """
    tenants = tenants_with_domain(target_domain) if tenants is None else tenants
    same_cloud = [t for t in tenants if t.cloud == partner.cloud]
    if same_cloud:
        customer = same_cloud[0]
        violation = target_rule_violation(partner=partner, customer=customer, target=target_domain)  # never names the tenant
        if violation:
            return violation
        if kind == InvitationKind.INDIRECT_RESELLER and Relationship.objects.filter(
            partner=partner, customer=customer, status=RelationshipStatus.ACTIVE
        ).exists():
            return RuleViolation("already_customer", _("%(customer)s is already your customer.") % {"customer": customer.company_name})
    elif tenants:
        return target_rule_violation(partner=partner, customer=tenants[0], target=target_domain)
    return None


@transaction.atomic
def invitation_create(
    *,
    membership: PartnerMembership,
    include_delegated_admin: bool,
    recipient_email: str = "",
    target_domain: str = "",
    language: str = "en",
    kind: str = InvitationKind.RESELLER,
    customer: Customer | None = None,
    roles: list[str] | None = None,
    duration_days: int | None = None,
    auto_extend: bool = False,
    indirect_provider_id: str = "",
    send_email: bool = False,
) -> Invitation:
    """Create a pending invitation with its default draft in `language`.

    `send_email=True` also emails the default draft to `recipient_email` in the same
    transaction (what `invitation_send` does for a fresh invitation, without re-reading it):
    `sent_at`/`sent_to` set, the email in the outbox, an `invitation.sent` audit event.

    Two-tier: an `indirect_reseller` partner's relationship request must name its indirect
    provider (`indirect_provider_id`, the provider's public partner id; an indirect provider in
    the same cloud); the invitation then has kind `indirect_reseller`. Other partners may not
    name one.

    `kind=delegated_admin` asks an existing customer (`customer`, which must have an active
    relationship with the partner) for `roles` for `duration_days`, without a new relationship;
    the invitation is then pinned to that customer's tenant.

    Pre: the member may request relationships; partners in sovereign clouds must include
    delegated admin; a known target tenant passes the market and cloud rules. Post: the
    invitation (link derived from its nonce), an audit event. Nothing is emailed yet.

    Duplicates (reseller invitations): see `_duplicate_check`; what did not block (other partners)
    is returned as the invitation's `duplicate_findings`.
    """
    _require(membership, PartnerPermission.REQUEST_RELATIONSHIP)
    # The partner's settings as the caller loaded them (an API key's actor carries its partner);
    # the lock that serialises the duplicate checks and the daily cap is taken later, only around them.
    partner = membership.partner if PartnerMembership.partner.is_cached(membership) else Partner.objects.get(pk=membership.partner_id)
    if partner.cloud in SOVEREIGN_CLOUDS and not include_delegated_admin:
        raise InvitationError(
            "sovereign_requires_admin",
            _("Partners in the %(cloud)s must include delegated admin privileges: the option without admin permissions is not available in sovereign clouds.")
            % {"cloud": partner.get_cloud_display()},
            field="include_delegated_admin",
        )
    recipient_email = recipient_email.strip().lower()
    if send_email:
        _validate_recipient(recipient_email)
    domain = normalise_domain(target_domain) if target_domain.strip() else ""
    provider, kind = _indirect_provider_for(partner=partner, kind=kind, indirect_provider_id=indirect_provider_id)
    if kind == InvitationKind.DELEGATED_ADMIN:
        _require(membership, PartnerPermission.REQUEST_DELEGATED_ADMIN)
        if customer is None or not Relationship.objects.filter(
            partner=partner, customer=customer, status=RelationshipStatus.ACTIVE
        ).exists():
            raise InvitationError("not_your_customer", _("Choose one of your customers."), field="customer")
        include_delegated_admin = True
        domain = customer.primary_domain
    if include_delegated_admin:
        from relationships.errors import GrantError
        from relationships.services import validate_grant_request

        try:
            roles = validate_grant_request(
                roles=list(roles if roles is not None else partner.default_grant_roles),
                duration_days=duration_days or partner.default_grant_duration_days,
                auto_extend=auto_extend,
            )
        except GrantError as error:
            raise InvitationError(error.code, error.message, field=error.field) from error
    tenants: list[Customer] | None = None
    if domain and kind != InvitationKind.DELEGATED_ADMIN:
        tenants = tenants_with_domain(domain)  # read once, for the rules and for duplicate detection
        violation = check_target(partner=partner, target_domain=domain, kind=kind, tenants=tenants)
        if violation:
            raise InvitationError(violation.code, violation.message, field="target_domain")
    duplicates = None
    if kind == InvitationKind.RESELLER:
        # Issue 10: no second invitation to an existing customer or while one is pending. The
        # tenants and relationships are read here; the pending invitations, which are what
        # concurrent creates of this partner race on, are read under the partner lock below.
        from invitations.duplicates import duplicate_index

        same_cloud = None if tenants is None else [t for t in tenants if t.cloud == partner.cloud]
        duplicates = duplicate_index(partner=partner, emails=[recipient_email], domains=[domain],
                                     domain_tenants=same_cloud, with_pending=False)
    now = timezone.now()
    invitation = Invitation(
        partner=partner,
        created_by=membership.user,
        kind=kind,
        include_delegated_admin=include_delegated_admin,
        requested_roles=list(roles or []) if include_delegated_admin else [],
        grant_duration_days=(duration_days or partner.default_grant_duration_days) if include_delegated_admin else None,
        grant_auto_extend=auto_extend if include_delegated_admin else False,
        recipient_email=recipient_email,
        target_domain=domain,
        indirect_provider=provider,
        language=language if language in dict(settings.LANGUAGES) else "en",
        created_at=now,
        link_issued_at=now,
        expires_at=now + timedelta(days=settings.INVITATION_VALIDITY_DAYS),
    )
    if send_email:
        invitation.sent_at, invitation.sent_to = now, recipient_email
    # On PostgreSQL the id is reserved first, so the link, the draft and the sealed email are built
    # before the partner lock and the invitation is one INSERT under it (an id a refused create
    # reserved is skipped, as a rolled-back insert's would be). Elsewhere: insert, then issue.
    invitation.pk = _reserve_invitation_id()
    email_row = _issue_and_draft(invitation, send_email=send_email) if invitation.pk is not None else None
    # The partner lock serialises what follows: two concurrent creates cannot both pass the
    # pending-invitation check or both take the last place under the daily cap.
    list(Partner.objects.select_for_update().filter(pk=partner.pk).order_by().values_list("pk", flat=True))
    findings = [] if duplicates is None else _duplicate_check(duplicates, recipient_email=recipient_email, domain=domain)
    # The partner's invitations today (a counter of the one limiter, per UTC day; rolls back with a refusal).
    partner_invitation_count(partner_id=partner.pk)
    if invitation.pk is not None:
        invitation.save(force_insert=True)
    else:
        invitation.token_nonce, invitation.token_hash = "-", f"unissued-{new_nonce()}"
        invitation.save(force_insert=True)
        email_row = _issue_and_draft(invitation, send_email=send_email)
        invitation.save(update_fields=["token_nonce", "token_hash", "message_subject", "message_body"])
    webhooks_seen: dict[int, object] = {}  # this transaction's two events read the partner's subscriptions once
    audit_record(action=AuditAction.INVITATION_CREATED, actor=membership.user, partner=partner, target=invitation,
                 webhook_subscriptions_seen=webhooks_seen,
                 after={"kind": kind, "include_delegated_admin": include_delegated_admin, "recipient_email": recipient_email,
                        "indirect_provider_id": provider.partner_id if provider else None,
                        "target_domain": domain, "roles": invitation.requested_roles, "expires_at": invitation.expires_at.isoformat()})
    # What the API shows (invitations.selectors annotates the same two attributes from the outbox).
    invitation.delivery_status, invitation.delivery_id = None, None  # type: ignore[attr-defined]
    # What the duplicate check found that did not block (other partners): information for the page.
    invitation.duplicate_findings = findings  # type: ignore[attr-defined]
    if send_email:
        # A new link: its outbox key cannot exist yet, so no lookup and no savepoint for it.
        assert email_row is not None
        invitation_email_count(invitation=invitation, recipient=recipient_email)
        message = email_enqueue_row(email_row, new_key=True)
        invitation.delivery_status, invitation.delivery_id = message.status, message.pk  # type: ignore[attr-defined]
        audit_record(action=AuditAction.INVITATION_SENT, actor=membership.user, partner=partner, target=invitation,
                     after={"sent_to": recipient_email}, webhook_subscriptions_seen=webhooks_seen)
    return invitation


def _duplicate_check(index: DuplicateIndex, *, recipient_email: str, domain: str) -> list[DuplicateFinding]:
    """The one duplicate check of a create, under the partner lock and before the invitation
    exists, so it never reports the invitation itself. An existing customer or a pending
    invitation to the same address or domain refuses with an `InvitationError` that carries every
    finding (`error.findings`, for links); otherwise the findings, information only, are returned.
    """
    from invitations.duplicates import duplicate_index_add_pending

    duplicate_index_add_pending(index, emails=[recipient_email], domains=[domain])
    findings = index.findings(recipient_email=recipient_email, target_domain=domain)
    blocking = next((finding for finding in findings if finding.blocking), None)
    if blocking is not None:
        raise InvitationError(blocking.code, blocking.message, findings=findings,
                              field="recipient_email" if recipient_email and not domain else "target_domain")
    return findings


def _reserve_invitation_id() -> int | None:
    """A fresh invitation id from its sequence on PostgreSQL; None elsewhere."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [Invitation._meta.db_table])
        return int(cursor.fetchone()[0])


def _issue_and_draft(invitation: Invitation, *, send_email: bool) -> OutboxMessage | None:
    """Issue the link of an invitation whose id is known, put the default draft in it and, with
    `send_email`, build its email (unsaved). No statement."""
    _issue_link(invitation, "invitation")
    invitation.message_subject, invitation.message_body = _default_draft(invitation)
    return _invitation_email_row(invitation, key_suffix=f"send:{invitation.sent_to}") if send_email else None


def _validate_recipient(recipient: str) -> None:
    from django.core.validators import validate_email

    if not recipient:
        raise InvitationError("recipient_required", _("Enter the customer's email address to send from the portal."), field="recipient_email")
    try:
        validate_email(recipient)
    except Exception as exc:
        raise InvitationError("invalid_email", _("Enter a valid email address."), field="recipient_email") from exc


def indirect_providers_for(*, partner: Partner) -> list[Partner]:
    """The indirect providers an indirect reseller may name: those in its own cloud."""
    from partners.choices import PartnerType

    return list(Partner.objects.filter(partner_type=PartnerType.INDIRECT_PROVIDER, cloud=partner.cloud).exclude(pk=partner.pk)
                .order_by("name"))


def _indirect_provider_for(*, partner: Partner, kind: str, indirect_provider_id: str) -> tuple[Partner | None, str]:
    """Two-tier: (provider, kind) for the invitation, or InvitationError on field `indirect_provider_id`."""
    from partners.choices import PartnerType

    indirect_provider_id = indirect_provider_id.strip()
    if partner.partner_type != PartnerType.INDIRECT_RESELLER:
        if indirect_provider_id or kind == InvitationKind.INDIRECT_RESELLER:
            raise InvitationError("not_indirect_reseller", _("Only indirect resellers name an indirect provider."),
                                  field="indirect_provider_id")
        return None, kind
    if kind == InvitationKind.DELEGATED_ADMIN:  # admin roles for an existing customer: no new relationship
        return None, kind
    if not indirect_provider_id:
        raise InvitationError("indirect_provider_required", _(
            "As an indirect reseller, name the indirect provider you buy through: the customer accepts both of you."),
            field="indirect_provider_id")
    provider = next((p for p in indirect_providers_for(partner=partner) if p.partner_id == indirect_provider_id), None)
    if provider is None:
        raise InvitationError("unknown_indirect_provider", _("Choose an indirect provider in your cloud."), field="indirect_provider_id")
    return provider, InvitationKind.INDIRECT_RESELLER


def _store_draft(invitation: Invitation, *, subject: str, body: str) -> tuple[str, str]:
    url = invitation_url(invitation)
    subject = " ".join(subject.split())[:300]
    if not subject:
        raise InvitationError("subject_required", _("The subject cannot be empty."), field="subject")
    if url not in body:
        raise InvitationError(
            "link_required",
            _("The personalised link must stay in the message: it leads your customer straight to your account. Put it back: %(url)s")
            % {"url": url},
            field="body",
        )
    return mark_expiry(subject, invitation), mark_expiry(body.replace(url, LINK_MARKER), invitation)


def _locked_pending(invitation: Invitation, partner: Partner) -> Invitation:
    locked = Invitation.objects.select_for_update(of=("self",)).select_related("partner").filter(pk=invitation.pk, partner=partner).first()
    if locked is None or locked.status != InvitationStatus.PENDING:
        raise InvitationError("not_pending", _("This invitation is no longer pending."))
    return locked


@transaction.atomic
def invitation_draft_save(*, invitation: Invitation, membership: PartnerMembership, subject: str, body: str) -> Invitation:
    """Keep the partner's edits of the draft; the link must stay in it."""
    _require(membership, PartnerPermission.REQUEST_RELATIONSHIP)
    locked = _locked_pending(invitation, membership.partner)
    new_subject, new_body = _store_draft(locked, subject=subject, body=body)
    if (new_subject, new_body) != (locked.message_subject, locked.message_body):
        Invitation.objects.filter(pk=locked.pk).update(message_subject=new_subject, message_body=new_body)
        audit_record(action=AuditAction.INVITATION_DRAFT_EDITED, actor=membership.user, partner=locked.partner, target=locked,
                     after={"subject": new_subject})
        locked.message_subject, locked.message_body = new_subject, new_body
    return locked


def _email_body_html(body: str, url: str) -> str:
    """The draft as HTML with exactly one link, the invitation's: any other URL the partner typed
    stays plain text, so the email carries the one link and nothing to track or mislead."""
    html = linebreaks(escape(body))
    escaped_url = escape(url)
    return mark_safe(html.replace(escaped_url, f'<a href="{escaped_url}">{escaped_url}</a>', 1))  # noqa: S308 — built from escaped text


def _enqueue_invitation_email(invitation: Invitation, *, key_suffix: str, template: str = "", new_link: bool = False,
                              counted: bool = False) -> OutboxMessage | None:
    """Queue the invitation email to its recipient; None when this link was already sent.

    `new_link`: the link was issued in this transaction, so nothing can have been sent for it.
    `counted`: a partner's send, which counts towards the email limits (invitations.email_limits)
    and raises when one is reached; an email already sent for this link is not counted again.
    """
    row = _invitation_email_row(invitation, key_suffix=key_suffix, template=template)
    if not new_link and OutboxMessage.objects.filter(idempotency_key=row.idempotency_key).exists():
        return None
    if counted:
        invitation_email_count(invitation=invitation, recipient=invitation.sent_to)
    return email_enqueue_row(row, new_key=new_link)


def _invitation_email_row(invitation: Invitation, *, key_suffix: str, template: str = "") -> OutboxMessage:
    """The invitation email to its recipient as an unsaved, sealed outbox row (no statement)."""
    subject, body = invitation_draft(invitation)
    if key_suffix.startswith("reminder"):
        with translation.override(invitation.language):
            subject = _("Reminder: %(subject)s") % {"subject": subject}
    partner = invitation.partner
    context = {
        "body_html": _email_body_html(body, invitation_url(invitation)),
        "partner_name": partner.name,
        "verified_domain": partner.verified_domain,
        "domain_verified": partner.domain_is_verified,
        "verification_code": invitation_verification_code(invitation),
        "expires_on": invitation.expires_at.date().isoformat(),
        "subject": subject,
    }
    with translation.override(invitation.language):
        footer = render_to_string("invitations/email/invitation_footer.txt", context).strip()
        html = render_to_string("invitations/email/invitation_body.html", {**context, "footer": footer})
    return email_outbox_row(
        to=invitation.sent_to,
        template=template or "invitations/email/invitation",
        rendered=RenderedEmail(subject=subject, text=f"{body.rstrip()}\n\n-- \n{footer}\n", html=html),
        language=invitation.language,
        partner=partner,
        idempotency_key=f"invitation:{invitation.pk}:{invitation.token_nonce}:{key_suffix}",
        topic=f"invitation:{invitation.pk}",
    )


@transaction.atomic
def invitation_send(
    *, invitation: Invitation, membership: PartnerMembership, subject: str, body: str, recipient_email: str
) -> Invitation:
    """Send the (edited) draft from the portal through the outbox. Sending the same link twice sends once."""
    _require(membership, PartnerPermission.REQUEST_RELATIONSHIP)
    locked = _locked_pending(invitation, membership.partner)
    recipient = (recipient_email or locked.recipient_email).strip().lower()
    if not recipient:
        raise InvitationError("recipient_required", _("Enter the customer's email address to send from the portal."), field="recipient_email")
    if locked.recipient_email and recipient != locked.recipient_email:
        raise InvitationError(
            "recipient_pinned",
            _("This invitation is pinned to %(email)s.") % {"email": locked.recipient_email},
            field="recipient_email",
        )
    from django.core.validators import validate_email

    try:
        validate_email(recipient)
    except Exception as exc:
        raise InvitationError("invalid_email", _("Enter a valid email address."), field="recipient_email") from exc
    subject, stored_body = _store_draft(locked, subject=subject, body=body)
    now = timezone.now()
    Invitation.objects.filter(pk=locked.pk).update(message_subject=subject, message_body=stored_body, sent_at=now, sent_to=recipient)
    locked.message_subject, locked.message_body, locked.sent_at, locked.sent_to = subject, stored_body, now, recipient
    if _enqueue_invitation_email(locked, key_suffix=f"send:{recipient}", counted=True):
        audit_record(action=AuditAction.INVITATION_SENT, actor=membership.user, partner=locked.partner, target=locked,
                     after={"sent_to": recipient})
    return locked


@transaction.atomic
def invitation_resend(*, invitation: Invitation, membership: PartnerMembership) -> Invitation:
    """New link (the old one stops working), new expiry; emailed again when there is a recipient."""
    _require(membership, PartnerPermission.REQUEST_RELATIONSHIP)
    locked = _locked_pending(invitation, membership.partner)
    now = timezone.now()
    _issue_link(locked, "invitation")
    locked.link_issued_at = now
    # A draft stored with the date written out (before draft_markers) follows the new expiry too.
    locked.message_subject, locked.message_body = mark_expiry(locked.message_subject, locked), mark_expiry(locked.message_body, locked)
    locked.expires_at = now + timedelta(days=settings.INVITATION_VALIDITY_DAYS)
    locked.save(update_fields=["token_nonce", "token_hash", "link_issued_at", "expires_at", "message_subject", "message_body"])
    if locked.sent_to:
        Invitation.objects.filter(pk=locked.pk).update(sent_at=now)
        locked.sent_at = now
        _enqueue_invitation_email(locked, key_suffix=f"send:{locked.sent_to}", counted=True)
    audit_record(action=AuditAction.INVITATION_RESENT, actor=membership.user, partner=locked.partner, target=locked,
                 after={"expires_at": locked.expires_at.isoformat(), "emailed_to": locked.sent_to})
    return locked


@transaction.atomic
def invitation_cancel(*, invitation: Invitation, membership: PartnerMembership) -> Invitation:
    _require(membership, PartnerPermission.REQUEST_RELATIONSHIP)
    locked = _locked_pending(invitation, membership.partner)
    now = timezone.now()
    Invitation.objects.filter(pk=locked.pk, status=InvitationStatus.PENDING).update(
        status=InvitationStatus.CANCELLED, cancelled_at=now, cancelled_by=membership.user
    )
    audit_record(action=AuditAction.INVITATION_CANCELLED, actor=membership.user, partner=locked.partner, target=locked,
                 before={"status": "pending"}, after={"status": "cancelled"})
    locked.status, locked.cancelled_at = InvitationStatus.CANCELLED, now
    return locked


@transaction.atomic
def invitation_close_by_staff(*, invitation: Invitation, staff_user: User, reason: str, expire: bool = False) -> Invitation:
    """Platform staff cancel (or expire) a pending invitation from Django admin; the reason is audited."""
    if not reason.strip():
        raise InvitationError("reason_required", _("Give a reason: it goes into the audit log."), field="reason")
    locked = Invitation.objects.select_for_update(of=("self",)).select_related("partner").filter(pk=invitation.pk).first()
    if locked is None or locked.status != InvitationStatus.PENDING:
        raise InvitationError("not_pending", _("This invitation is no longer pending."))
    now = timezone.now()
    if expire:
        fields = {"status": InvitationStatus.EXPIRED, "expired_at": now}
        action = AuditAction.INVITATION_EXPIRED
    else:
        fields = {"status": InvitationStatus.CANCELLED, "cancelled_at": now, "cancelled_by": staff_user}
        action = AuditAction.INVITATION_CANCELLED
    Invitation.objects.filter(pk=locked.pk, status=InvitationStatus.PENDING).update(**fields)
    audit_record(action=action, actor=staff_user, partner=locked.partner, target=locked,
                 before={"status": "pending"}, after={"status": str(fields["status"])}, data={"reason": reason.strip(), "by": "staff"})
    locked.refresh_from_db()
    return locked


# --- The reusable relationship link ----------------------------------------------------------


@transaction.atomic
def relationship_link_rotate(*, membership: PartnerMembership, include_delegated_admin: bool | None = None) -> RelationshipLink:
    """Create the partner's reusable link, or give it a new token (the old link stops working)."""
    _require(membership, PartnerPermission.MANAGE_USERS)
    partner = membership.partner
    link = RelationshipLink.objects.select_for_update().filter(partner=partner).first()
    created = link is None
    if link is None:
        link = RelationshipLink.objects.create(partner=partner, token_nonce="-", token_hash=f"unissued-{new_nonce()}",
                                               include_delegated_admin=partner.cloud in SOVEREIGN_CLOUDS)
    if include_delegated_admin is not None:
        if partner.cloud in SOVEREIGN_CLOUDS and not include_delegated_admin:
            raise InvitationError("sovereign_requires_admin", _("Partners in sovereign clouds must include delegated admin privileges."))
        link.include_delegated_admin = include_delegated_admin
    _issue_link(link, "link")
    link.status, link.rotated_at, link.revoked_at = LinkStatus.ACTIVE, timezone.now(), None
    link.save()
    audit_record(action=AuditAction.RELATIONSHIP_LINK_CREATED if created else AuditAction.RELATIONSHIP_LINK_ROTATED,
                 actor=membership.user, partner=partner, target=link, after={"include_delegated_admin": link.include_delegated_admin})
    return link


@transaction.atomic
def relationship_link_revoke(*, membership: PartnerMembership) -> RelationshipLink:
    _require(membership, PartnerPermission.MANAGE_USERS)
    updated = RelationshipLink.objects.filter(partner=membership.partner, status=LinkStatus.ACTIVE).update(
        status=LinkStatus.REVOKED, revoked_at=timezone.now()
    )
    if updated != 1:
        raise InvitationError("not_active", _("The reusable link is not active."))
    link = RelationshipLink.objects.get(partner=membership.partner)
    audit_record(action=AuditAction.RELATIONSHIP_LINK_REVOKED, actor=membership.user, partner=membership.partner, target=link,
                 before={"status": "active"}, after={"status": "revoked"})
    return link


# --- Accepting and declining -----------------------------------------------------------------


@dataclass(frozen=True)
class NewTenant:
    company_name: str
    primary_domain: str
    country: str


@dataclass(frozen=True)
class AcceptanceAnswer:
    tenant_id: str | None = None
    new_tenant: NewTenant | None = None
    signature: AgreementSignature | None = None


@dataclass(frozen=True)
class AcceptanceResult:
    invitation: Invitation
    relationship: Relationship
    grant: DelegatedAdminGrant | None
    customer: Customer
    relationship_created: bool


def acceptor_refusal(
    *, partner: Partner, recipient_email: str, target_domain: str, user: User, works_for_partner: bool | None = None,
) -> RuleViolation | None:
    """Refusals that depend only on who is signed in (`works_for_partner` when the caller already knows it)."""
    if works_for_partner is None:
        works_for_partner = PartnerMembership.objects.filter(partner=partner, user=user).exists()
    if works_for_partner:
        return RuleViolation("own_invitation", _("You work for %(partner)s: a partner cannot accept its own invitation.") % {"partner": partner.name})
    if recipient_email and user.email.lower() != recipient_email.lower():
        return RuleViolation(
            "wrong_account",
            _("This invitation is for %(email)s, but you are signed in as %(current)s. Sign out and sign in with the invited address.")
            % {"email": recipient_email, "current": user.email},
        )
    return None


def tenant_refusal(*, partner: Partner, target_domain: str, membership: CustomerMembership) -> RuleViolation | None:
    """Refusals for accepting on behalf of this tenant."""
    customer = membership.customer
    if membership.role != CustomerRole.GLOBAL_ADMIN:
        return RuleViolation(
            "not_global_admin",
            _("Only a global admin of %(customer)s can accept a partner's request; your role there is %(role)s.")
            % {"customer": customer.company_name, "role": membership.get_role_display()},
        )
    if target_domain and customer.primary_domain.lower() != target_domain.lower():
        return RuleViolation(
            "wrong_tenant",
            _("This invitation is for the tenant %(domain)s, not %(customer)s.") % {"domain": target_domain, "customer": customer.primary_domain},
        )
    return customer_rule_violation(partner=partner, customer=customer)


def _raise(violation: RuleViolation | None) -> None:
    if violation is not None:
        raise InvitationError(violation.code, violation.message)


def _resolve_tenant(
    *, invitation: Invitation, user: User, answer: AcceptanceAnswer, agreement: AgreementVersion | None,
) -> tuple[Customer, bool]:
    """The tenant accepting, and whether it still has to accept `agreement` (False when None)."""
    partner = invitation.partner
    if invitation.customer_id is not None:
        customer = _join_partner_created_customer(invitation=invitation, user=user)
        return customer, customer_needs_agreement(customer=customer, agreement=agreement)
    if answer.tenant_id:
        memberships = CustomerMembership.objects.select_related("customer").filter(user=user, customer__tenant_id=answer.tenant_id)
        if agreement is not None:  # read with the membership: one statement, not two
            memberships = memberships.annotate(agreement_accepted=Exists(
                AgreementAcceptance.objects.filter(customer=OuterRef("customer"), agreement__version=agreement.version)))
        membership = memberships.first()
        if membership is None:
            raise InvitationError("unknown_tenant", _("Choose one of your tenants."), field="tenant")
        _raise(tenant_refusal(partner=partner, target_domain=invitation.target_domain, membership=membership))
        return membership.customer, agreement is not None and not membership.agreement_accepted
    if answer.new_tenant is None:
        raise InvitationError("tenant_required", _("Choose a tenant or create one."), field="tenant")
    new = answer.new_tenant
    if not new.company_name.strip():
        raise InvitationError("company_required", _("Enter your company name."), field="company_name")
    domain = normalise_domain(new.primary_domain)
    if invitation.target_domain and domain != invitation.target_domain:
        raise InvitationError("wrong_tenant", _("This invitation is for the tenant %(domain)s.") % {"domain": invitation.target_domain}, field="primary_domain")
    _raise(rule_violation(partner=partner, customer_country=new.country.upper(), customer_cloud=partner.cloud, customer_name=new.company_name))
    customer = customer_create(company_name=new.company_name, primary_domain=domain, country=new.country, cloud=partner.cloud,
                               language=user.preferred_language, actor=user)
    customer_membership_add(customer=customer, user=user, role=CustomerRole.GLOBAL_ADMIN, actor=user)
    return customer, agreement is not None  # a new tenant has accepted nothing yet


def _join_partner_created_customer(*, invitation: Invitation, user: User) -> Customer:
    """A pending invitation bound to a customer the partner created (customers.services.
    customer_create_for_partner): its pinned admin joins that tenant as global admin — never a
    second tenant — and the tenant becomes active. The row is locked so two accepts serialise."""
    from customers.services import customer_activate

    customer = Customer.objects.select_for_update().get(pk=invitation.customer_id)
    membership = CustomerMembership.objects.filter(customer=customer, user=user).first()
    if membership is None:
        customer_membership_add(customer=customer, user=user, role=CustomerRole.GLOBAL_ADMIN, actor=user)
    else:
        _raise(tenant_refusal(partner=invitation.partner, target_domain=invitation.target_domain, membership=membership))
    customer_activate(customer=customer)
    return customer


def _acceptor_checks(user: User) -> dict[str, Exists]:
    """What acceptance checks about the user, as annotations for the statement that locks the
    invitation (or link): its email is verified, and it does not work for the inviting partner."""
    from allauth.account.models import EmailAddress

    return {
        "acceptor_verified": Exists(EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True)),
        "acceptor_works_for_partner": Exists(PartnerMembership.objects.filter(partner=OuterRef("partner"), user=user)),
    }


def _creator_is_member() -> Exists:
    """Whether the invitation's creator still works for its partner: an annotation for the
    statement that locks the invitation, so the partner's notice needs no query of its own."""
    return Exists(PartnerMembership.objects.filter(partner=OuterRef("partner"), user=OuterRef("created_by")))


def _partner_recipients(invitation: Invitation, *, creator_is_member: bool | None = None) -> list[User]:
    if invitation.created_by_id and creator_is_member is None:
        creator_is_member = PartnerMembership.objects.filter(partner=invitation.partner, user_id=invitation.created_by_id).exists()
    if invitation.created_by_id and creator_is_member:
        return [invitation.created_by]  # type: ignore[list-item]
    return partner_users_with_roles(partner=invitation.partner, roles={PartnerRole.ACCOUNT_ADMIN})


def _notify_partner(
    invitation: Invitation, *, event: str, customer_name: str, reason: str = "", creator_is_member: bool | None = None,
    new_key: bool = False, new_reseller: bool = True,
) -> None:
    """Email the partner about `event`. `new_key=True` when the caller has just moved the
    invitation into that state in this transaction (the keys cannot exist yet: no lookup, no savepoint)."""
    template = f"invitations/email/partner_{event}"
    for user in _partner_recipients(invitation, creator_is_member=creator_is_member):
        context = {
            "partner_name": invitation.partner.name,
            "customer_name": customer_name,
            "invitation_id": invitation.pk,
            "include_delegated_admin": invitation.include_delegated_admin,
            "new_reseller": new_reseller,  # False: the partner was already the reseller (admin roles only)
            "reason": reason,
            "console_url": absolute_url("invitations:list", partner_id=invitation.partner.partner_id),
        }
        email_enqueue_rendered(
            to=user.email,
            template=template,
            rendered=email_render(template=template, context=context, language=user.preferred_language),
            language=user.preferred_language,
            partner=invitation.partner,
            idempotency_key=f"invitation:{invitation.pk}:{event}:{user.pk}",
            topic=f"invitation:{invitation.pk}",
            new_key=new_key,
        )


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User, answer: AcceptanceAnswer) -> AcceptanceResult:
    """The customer's global admin accepts: one transaction for everything acceptance means.

    Locks the invitation row first (so concurrent accepts serialise and all but one see it is
    no longer pending), then: tenant (chosen, or created with the user as global admin), the
    rules, the agreement if not yet accepted, the conditional update pending → accepted, the
    relationship (at most one active per partner and customer), the pending delegated admin
    grant, audit events, and emails to the partner and the customer (outbox).
    """
    locked = (
        Invitation.objects.select_for_update(of=("self",)).select_related("partner", "created_by")
        .annotate(**_acceptor_checks(user), creator_is_member=_creator_is_member()).filter(pk=invitation.pk).first()
    )
    if locked is None or not locked.is_usable:
        raise InvitationError("invalid", str(INVALID_LINK_MESSAGE))
    return _accept_locked(locked, user=user, answer=answer, verified=locked.acceptor_verified,
                          works_for_partner=locked.acceptor_works_for_partner)


def _accept_locked(
    invitation: Invitation, *, user: User, answer: AcceptanceAnswer, verified: bool, works_for_partner: bool,
    webhooks_seen: dict | None = None,
) -> AcceptanceResult:
    """Everything after the lock; `verified` and `works_for_partner` come from _acceptor_checks.
    `webhooks_seen`: the transaction's dict of webhook subscriptions already read, if the caller has one."""
    if not verified:
        raise InvitationError("email_not_verified", _("Verify your email address before accepting."))
    _raise(acceptor_refusal(partner=invitation.partner, recipient_email=invitation.recipient_email,
                            target_domain=invitation.target_domain, user=user, works_for_partner=works_for_partner))
    agreement = agreement_current(language=user.preferred_language)
    customer, needs_agreement = _resolve_tenant(invitation=invitation, user=user, answer=answer, agreement=agreement)
    if invitation.kind == InvitationKind.DELEGATED_ADMIN and not Relationship.objects.filter(
        partner=invitation.partner, customer=customer, status=RelationshipStatus.ACTIVE
    ).exists():
        raise InvitationError(
            "no_relationship",
            _("%(partner)s is not the reseller of %(customer)s: it must be your reseller before it can be given admin roles.")
            % {"partner": invitation.partner.name, "customer": customer.company_name},
        )
    _raise(nothing_to_accept(invitation=invitation, customer=customer))  # already its reseller, nothing asked besides
    if agreement is not None and needs_agreement:
        if answer.signature is None:
            raise InvitationError("agreement_required", _("Accept the customer agreement to continue."), field="agreement_accepted")
        agreement_accept(customer=customer, agreement=agreement, user=user, signature=answer.signature)
    now = timezone.now()
    updated = Invitation.objects.filter(pk=invitation.pk, status=InvitationStatus.PENDING).update(
        status=InvitationStatus.ACCEPTED, accepted_at=now, accepted_by=user, customer=customer
    )
    if updated != 1:
        raise InvitationError("invalid", str(INVALID_LINK_MESSAGE))
    invitation.status, invitation.accepted_at, invitation.accepted_by, invitation.customer = InvitationStatus.ACCEPTED, now, user, customer
    if webhooks_seen is None:
        webhooks_seen = {}  # the partner's webhook subscriptions, read once for this transaction's events
    if invitation.kind == InvitationKind.DELEGATED_ADMIN:
        # Restoring or requesting admin roles for an existing customer: never a second relationship.
        relationship = Relationship.objects.get(partner=invitation.partner, customer=customer, status=RelationshipStatus.ACTIVE)
        created = False
    elif invitation.kind == InvitationKind.INDIRECT_RESELLER and invitation.indirect_provider_id:
        # Two-tier: the customer accepts the reseller *and* its indirect provider, each with a
        # relationship of type indirect_reseller naming the provider.
        provider = invitation.indirect_provider
        relationship, created = relationship_establish(
            partner=invitation.partner, customer=customer, invitation=invitation, actor=user,
            relationship_type=RelationshipType.INDIRECT_RESELLER, indirect_provider=provider,
            webhook_subscriptions_seen=webhooks_seen)
        relationship_establish(partner=provider, customer=customer, invitation=invitation, actor=user,  # type: ignore[arg-type]
                               relationship_type=RelationshipType.INDIRECT_RESELLER, indirect_provider=provider,
                               webhook_subscriptions_seen=webhooks_seen)
    else:
        relationship, created = relationship_establish(partner=invitation.partner, customer=customer, invitation=invitation, actor=user,
                                                       webhook_subscriptions_seen=webhooks_seen)
    grant = (grant_request_from_invitation(invitation=invitation, customer=customer, actor=user, webhook_subscriptions_seen=webhooks_seen)
             if invitation.include_delegated_admin else None)
    audit_record(action=AuditAction.INVITATION_ACCEPTED, actor=user, partner=invitation.partner, customer=customer, target=invitation,
                 before={"status": "pending"}, after={"status": "accepted", "relationship_id": relationship.pk,
                                                      "grant_id": grant.pk if grant else None},
                 webhook_subscriptions_seen=webhooks_seen)
    # The conditional update above moved this invitation to accepted, once and for all: the two
    # emails' keys cannot exist yet, so they are inserted without a lookup or a savepoint.
    _notify_partner(invitation, event="accepted", customer_name=customer.company_name,
                    creator_is_member=getattr(invitation, "creator_is_member", None), new_key=True,  # None for a reusable link's
                    new_reseller=created)
    template = "invitations/email/customer_accepted"
    context = {
        "partner_name": invitation.partner.name,
        "verified_domain": invitation.partner.verified_domain,
        "customer_name": customer.company_name,
        "include_delegated_admin": invitation.include_delegated_admin,
        "new_reseller": created,  # False: the partner was already the reseller (admin roles only)
        "roles": role_labels(invitation.requested_roles),  # lazy: email_render names them in the email's language
        "duration_days": invitation.grant_duration_days,
        "admin_center_url": absolute_url("customers:partners", tenant_id=customer.tenant_id),
    }
    email_enqueue_rendered(
        to=user.email,
        template=template,
        rendered=email_render(template=template, context=context, language=user.preferred_language),
        language=user.preferred_language,
        customer=customer,
        idempotency_key=f"invitation:{invitation.pk}:customer_accepted",
        topic=f"invitation:{invitation.pk}",
        new_key=True,
    )
    return AcceptanceResult(invitation=invitation, relationship=relationship, grant=grant, customer=customer,
                            relationship_created=created)


@transaction.atomic
def invitation_decline(*, invitation: Invitation, user: User, reason: str = "") -> Invitation:
    """The customer says no; the partner sees it (status, reason, email).

    Pre: as for accepting, the user's address is verified through its mailbox (a decline is an
    answer in the customer's name too) and, when the invitation is pinned, it is the pinned one.
    """
    locked = (
        Invitation.objects.select_for_update(of=("self",)).select_related("partner", "created_by")
        .annotate(**_acceptor_checks(user)).filter(pk=invitation.pk).first()
    )
    if locked is None or not locked.is_usable:
        raise InvitationError("invalid", str(INVALID_LINK_MESSAGE))
    if not locked.acceptor_verified:
        raise InvitationError("email_not_verified", _("Verify your email address before answering."))
    _raise(acceptor_refusal(partner=locked.partner, recipient_email=locked.recipient_email, target_domain=locked.target_domain,
                            user=user, works_for_partner=locked.acceptor_works_for_partner))
    now = timezone.now()
    reason = reason.strip()[:2000]
    Invitation.objects.filter(pk=locked.pk, status=InvitationStatus.PENDING).update(
        status=InvitationStatus.DECLINED, declined_at=now, declined_by=user, decline_reason=reason
    )
    locked.status, locked.declined_at, locked.decline_reason = InvitationStatus.DECLINED, now, reason
    audit_record(action=AuditAction.INVITATION_DECLINED, actor=user, partner=locked.partner, target=locked,
                 before={"status": "pending"}, after={"status": "declined", "reason": reason})
    _notify_partner(locked, event="declined", customer_name=user.email, reason=reason)
    return locked


@transaction.atomic
def relationship_link_accept(*, link: RelationshipLink, user: User, answer: AcceptanceAnswer) -> AcceptanceResult:
    """A tenant accepts the partner's reusable link: recorded as its own accepted invitation."""
    locked = (
        RelationshipLink.objects.select_for_update(of=("self",)).select_related("partner")
        .annotate(**_acceptor_checks(user)).filter(pk=link.pk).first()
    )
    if locked is None or locked.status != LinkStatus.ACTIVE:
        raise InvitationError("invalid", str(INVALID_LINK_MESSAGE))
    partner = locked.partner
    now = timezone.now()
    invitation = Invitation.objects.create(
        partner=partner,
        source=InvitationSource.REUSABLE_LINK,
        include_delegated_admin=locked.include_delegated_admin,
        requested_roles=list(partner.default_grant_roles) if locked.include_delegated_admin else [],
        grant_duration_days=partner.default_grant_duration_days if locked.include_delegated_admin else None,
        language=user.preferred_language,
        token_nonce="-",
        token_hash=f"unissued-{new_nonce()}",
        created_at=now,
        expires_at=now + timedelta(minutes=10),
    )
    _issue_link(invitation, "invitation")
    invitation.save(update_fields=["token_nonce", "token_hash"])
    webhooks_seen: dict = {}  # the partner's webhook subscriptions, read once for this transaction's events
    audit_record(action=AuditAction.INVITATION_CREATED, actor=user, partner=partner, target=invitation,
                 after={"source": "reusable_link", "include_delegated_admin": invitation.include_delegated_admin},
                 webhook_subscriptions_seen=webhooks_seen)
    return _accept_locked(invitation, user=user, answer=answer, verified=locked.acceptor_verified,
                          works_for_partner=locked.acceptor_works_for_partner, webhooks_seen=webhooks_seen)


# --- Lifecycle (Celery beat) -------------------------------------------------------------------


@transaction.atomic
def invitations_expire(*, limit: int = 500) -> int:
    """Pending invitations past their expiry become expired. Returns how many."""
    now = timezone.now()
    due = list(
        Invitation.objects.select_for_update(skip_locked=True)
        .filter(status=InvitationStatus.PENDING, expires_at__lte=now)
        .order_by("pk")[:limit]
    )
    for invitation in due:
        if Invitation.objects.filter(pk=invitation.pk, status=InvitationStatus.PENDING).update(status=InvitationStatus.EXPIRED, expired_at=now):
            audit_record(action=AuditAction.INVITATION_EXPIRED, actor=None, partner_id=invitation.partner_id, target=invitation,
                         before={"status": "pending"}, after={"status": "expired"})
    return len(due)


@transaction.atomic
def invitation_reminders_send() -> int:
    """Remind recipients of invitations sent from the portal, N days before expiry, once per link and N."""
    now = timezone.now()
    days = sorted(settings.INVITATION_REMINDER_DAYS_BEFORE)
    if not days:
        return 0
    candidates = (
        Invitation.objects.select_related("partner")
        .filter(status=InvitationStatus.PENDING, sent_at__isnull=False, expires_at__gt=now,
                expires_at__lte=now + timedelta(days=max(days)))
        .exclude(sent_to="")
        .order_by("pk")
    )
    sent = 0
    for invitation in candidates:
        remaining = invitation.expires_at - now
        threshold = min(d for d in days if remaining <= timedelta(days=d))
        if _enqueue_invitation_email(invitation, key_suffix=f"reminder:{threshold}", template="invitations/email/reminder"):
            audit_record(action=AuditAction.INVITATION_REMINDED, actor=None, partner=invitation.partner, target=invitation,
                         after={"days_before": threshold})
            sent += 1
    return sent
