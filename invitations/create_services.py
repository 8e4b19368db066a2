"""Creating an invitation: target rules, two-tier provider, delegated admin request, duplicates,
the daily cap, the row and (optionally) its first email in one transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actions import AuditAction
from audit.services import audit_record, audit_record_many
from customers.models import Customer
from customers.services import normalise_domain
from invitations.choices import InvitationKind
from invitations.drafts import _default_draft
from invitations.duplicates import clean_domain, duplicate_index, duplicate_index_add_pending
from invitations.email_limits import (
    invitation_email_count,
    invitation_emails_count,
    partner_invitation_and_email_count,
    partner_invitation_count,
)
from invitations.errors import InvitationError
from invitations.links import link_issue
from invitations.models import Invitation
from invitations.rules import RuleViolation, target_rule_violation
from invitations.send_services import _invitation_email_row
from invitations.tokens import new_nonce
from notifications.models import OutboxMessage
from notifications.services import email_enqueue_row, email_enqueue_rows
from partnercenter.errors import DomainError
from partners.authz import Permission, authorize
from partners.choices import SOVEREIGN_CLOUDS, PartnerType
from partners.models import Partner, PartnerMembership
from relationships.choices import RelationshipStatus
from relationships.errors import GrantError
from relationships.models import Relationship
from relationships.services import validate_grant_request

if TYPE_CHECKING:
    from invitations.duplicates import DuplicateFinding, DuplicateIndex


def tenants_with_domain(target_domain: str) -> list[Customer]:
    """The tenants (of every cloud) whose primary domain is `target_domain`, case-insensitively (by the domain index)."""
    return list(Customer.objects.alias(domain_lower=Lower("primary_domain")).filter(domain_lower=target_domain.lower()))


def tenants_with_domains(target_domains: Iterable[str]) -> dict[str, list[Customer]]:
    """`tenants_with_domain` for many domains in one query: lower-cased domain -> its tenants."""
    wanted = {domain.lower() for domain in target_domains if domain}
    found: dict[str, list[Customer]] = {}
    if wanted:
        for customer in Customer.objects.alias(domain_lower=Lower("primary_domain")).filter(domain_lower__in=wanted):
            found.setdefault(customer.primary_domain.lower(), []).append(customer)
    return found


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


@dataclass
class _Checked:
    """An invitation request that passed the checks made before the partner lock."""

    kind: str
    include_delegated_admin: bool
    recipient_email: str
    domain: str
    provider: Partner | None
    roles: list[str] | None
    duplicates: DuplicateIndex | None


def _sovereign_check(partner: Partner, include_delegated_admin: bool) -> None:
    if partner.cloud in SOVEREIGN_CLOUDS and not include_delegated_admin:
        raise InvitationError(
            "sovereign_requires_admin",
            _("Partners in the %(cloud)s must include delegated admin privileges: the option without admin permissions is not available in sovereign clouds.")
            % {"cloud": partner.get_cloud_display()},
            field="include_delegated_admin",
        )


def _delegated_admin_domain(membership: PartnerMembership, partner: Partner, customer: Customer | None) -> str:
    """`kind=delegated_admin`: the customer must be the partner's (active relationship); its domain pins the invitation."""
    authorize(membership, Permission.REQUEST_DELEGATED_ADMIN)
    if customer is None or not Relationship.objects.filter(
        partner=partner, customer=customer, status=RelationshipStatus.ACTIVE
    ).exists():
        raise InvitationError("not_your_customer", _("Choose one of your customers."), field="customer")
    return customer.primary_domain


def _grant_roles_checked(partner: Partner, *, roles: list[str] | None, duration_days: int | None, auto_extend: bool) -> list[str]:
    """The requested roles (the partner's defaults when None) validated as a grant request."""
    try:
        return validate_grant_request(
            roles=list(roles if roles is not None else partner.default_grant_roles),
            duration_days=duration_days or partner.default_grant_duration_days,
            auto_extend=auto_extend,
        )
    except GrantError as error:
        raise InvitationError(error.code, error.message, field=error.field) from error


def _reseller_duplicates(partner: Partner, *, kind: str, tenants: list[Customer] | None, recipient_email: str,
                         domain: str) -> DuplicateIndex | None:
    """Issue 10: no second invitation to an existing customer or while one is pending. The tenants
    and relationships are read here; the pending invitations, which are what concurrent creates of
    this partner race on, are read under the partner lock (_duplicate_check)."""
    if kind != InvitationKind.RESELLER:
        return None
    same_cloud = None if tenants is None else [t for t in tenants if t.cloud == partner.cloud]
    return duplicate_index(partner=partner, emails=[recipient_email], domains=[domain],
                           domain_tenants=same_cloud, with_pending=False)


def _request_checked(
    *, membership: PartnerMembership, partner: Partner, include_delegated_admin: bool, recipient_email: str,
    target_domain: str, kind: str, customer: Customer | None, roles: list[str] | None, duration_days: int | None,
    auto_extend: bool, indirect_provider_id: str, send_email: bool,
    tenants_by_domain: dict[str, list[Customer]] | None = None, duplicates: DuplicateIndex | None = None,
) -> _Checked:
    """Every check that needs no lock, in the order the form reports them.

    Many requests at once (`invitations_create_sent`) pass what they read for all of them:
    `tenants_by_domain` (from `tenants_with_domains`) and `duplicates` (an index without the
    pending invitations, which are read under the partner lock); then no check reads the database.
    """
    _sovereign_check(partner, include_delegated_admin)
    recipient_email = recipient_email.strip().lower()
    if send_email:
        _validate_recipient(recipient_email)
    domain = normalise_domain(target_domain) if target_domain.strip() else ""
    provider, kind = _indirect_provider_for(partner=partner, kind=kind, indirect_provider_id=indirect_provider_id)
    if kind == InvitationKind.DELEGATED_ADMIN:
        domain = _delegated_admin_domain(membership, partner, customer)
        include_delegated_admin = True
    if include_delegated_admin:
        roles = _grant_roles_checked(partner, roles=roles, duration_days=duration_days, auto_extend=auto_extend)
    tenants: list[Customer] | None = None
    if domain and kind != InvitationKind.DELEGATED_ADMIN:
        # Read once, for the rules and for duplicate detection.
        tenants = tenants_with_domain(domain) if tenants_by_domain is None else tenants_by_domain.get(domain.lower(), [])
        violation = check_target(partner=partner, target_domain=domain, kind=kind, tenants=tenants)
        if violation:
            raise InvitationError(violation.code, violation.message, field="target_domain")
    if duplicates is None or kind != InvitationKind.RESELLER:
        duplicates = _reseller_duplicates(partner, kind=kind, tenants=tenants, recipient_email=recipient_email, domain=domain)
    return _Checked(kind=kind, include_delegated_admin=include_delegated_admin, recipient_email=recipient_email,
                    domain=domain, provider=provider, roles=roles, duplicates=duplicates)


def _invitation_new(*, membership: PartnerMembership, partner: Partner, checked: _Checked, language: str,
                    duration_days: int | None, auto_extend: bool, send_email: bool) -> Invitation:
    """The unsaved invitation row (sent to its recipient when `send_email`)."""
    include = checked.include_delegated_admin
    now = timezone.now()
    invitation = Invitation(
        partner=partner,
        created_by=membership.user,
        kind=checked.kind,
        include_delegated_admin=include,
        requested_roles=list(checked.roles or []) if include else [],
        grant_duration_days=(duration_days or partner.default_grant_duration_days) if include else None,
        grant_auto_extend=auto_extend if include else False,
        recipient_email=checked.recipient_email,
        target_domain=checked.domain,
        indirect_provider=checked.provider,
        language=language if language in dict(settings.LANGUAGES) else "en",
        created_at=now,
        link_issued_at=now,
        expires_at=now + timedelta(days=settings.INVITATION_VALIDITY_DAYS),
    )
    if send_email:
        invitation.sent_at, invitation.sent_to = now, checked.recipient_email
    return invitation


def _invitation_insert(invitation: Invitation, *, partner: Partner, checked: _Checked,
                       send_email: bool) -> tuple[list[DuplicateFinding], OutboxMessage | None, bool]:
    """Insert the invitation under the partner lock after the duplicate check and the daily cap.
    Returns the findings that did not block, the (unsaved) email row when `send_email`, and whether
    that email was counted against its limits already (with the daily cap, in one statement)."""
    # On PostgreSQL the id is reserved first, so the link, the draft and the sealed email are built
    # before the partner lock and the invitation is one INSERT under it (an id a refused create
    # reserved is skipped, as a rolled-back insert's would be). Elsewhere: insert, then issue.
    invitation.pk = _reserve_invitation_id()
    email_row = _issue_and_draft(invitation, send_email=send_email) if invitation.pk is not None else None
    # The partner lock serialises what follows: two concurrent creates cannot both pass the
    # pending-invitation check or both take the last place under the daily cap.
    list(Partner.objects.select_for_update().filter(pk=partner.pk).order_by().values_list("pk", flat=True))
    findings = ([] if checked.duplicates is None
                else _duplicate_check(checked.duplicates, recipient_email=checked.recipient_email, domain=checked.domain))
    # The partner's invitations today (a counter of the one limiter, per UTC day; rolls back with a refusal)
    # and, when the id is reserved, the first email's counters in the same statement (issue 25).
    email_counted = send_email and invitation.pk is not None
    if email_counted:
        partner_invitation_and_email_count(partner_id=partner.pk, invitation=invitation, recipient=invitation.sent_to)
    else:
        partner_invitation_count(partner_id=partner.pk)
    if invitation.pk is not None:
        invitation.save(force_insert=True)
    else:
        invitation.token_nonce, invitation.token_hash = "-", f"unissued-{new_nonce()}"
        invitation.save(force_insert=True)
        email_row = _issue_and_draft(invitation, send_email=send_email)
        invitation.save(update_fields=["token_nonce", "token_hash", "message_subject", "message_body"])
    return findings, email_row, email_counted


def _created_audit(invitation: Invitation, *, membership: PartnerMembership, checked: _Checked) -> None:
    audit_record(**_created_audit_record(invitation, membership=membership, checked=checked))


def _created_audit_record(invitation: Invitation, *, membership: PartnerMembership, checked: _Checked) -> dict[str, Any]:
    """The `invitation.created` event's arguments (for `audit_record` or `audit_record_many`)."""
    return dict(action=AuditAction.INVITATION_CREATED, actor=membership.user, partner=invitation.partner, target=invitation,
                after={"kind": checked.kind, "include_delegated_admin": checked.include_delegated_admin,
                       "recipient_email": checked.recipient_email,
                       "indirect_provider_id": checked.provider.partner_id if checked.provider else None,
                       "target_domain": checked.domain, "roles": invitation.requested_roles,
                       "expires_at": invitation.expires_at.isoformat()})


def _first_email_send(invitation: Invitation, *, membership: PartnerMembership, email_row: OutboxMessage | None,
                      created: dict[str, Any], counted: bool) -> None:
    """`send_email`: count the email (unless `counted` with the daily cap), queue the email built with the
    invitation, then audit `created` (the `invitation.created` event's arguments) and `invitation.sent`
    in one statement."""
    # A new link: its outbox key cannot exist yet, so no lookup and no savepoint for it.
    assert email_row is not None
    if not counted:
        invitation_email_count(invitation=invitation, recipient=invitation.sent_to)
    message = email_enqueue_row(email_row, new_key=True)
    invitation.delivery_status, invitation.delivery_id = message.status, message.pk  # type: ignore[attr-defined]
    audit_record_many(records=[created, _sent_audit_record(invitation, membership=membership)])


def _sent_audit_record(invitation: Invitation, *, membership: PartnerMembership) -> dict[str, Any]:
    return dict(action=AuditAction.INVITATION_SENT, actor=membership.user, partner=invitation.partner, target=invitation,
                after={"sent_to": invitation.sent_to})


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
    authorize(membership, Permission.REQUEST_RELATIONSHIP)
    # The partner's settings as the caller loaded them (an API key's actor carries its partner);
    # the lock that serialises the duplicate checks and the daily cap is taken later, only around them.
    partner = membership.partner if PartnerMembership.partner.is_cached(membership) else Partner.objects.get(pk=membership.partner_id)
    checked = _request_checked(
        membership=membership, partner=partner, include_delegated_admin=include_delegated_admin, recipient_email=recipient_email,
        target_domain=target_domain, kind=kind, customer=customer, roles=roles, duration_days=duration_days,
        auto_extend=auto_extend, indirect_provider_id=indirect_provider_id, send_email=send_email)
    invitation = _invitation_new(membership=membership, partner=partner, checked=checked, language=language,
                                 duration_days=duration_days, auto_extend=auto_extend, send_email=send_email)
    findings, email_row, email_counted = _invitation_insert(invitation, partner=partner, checked=checked, send_email=send_email)
    # What the API shows (invitations.selectors annotates the same two attributes from the outbox).
    invitation.delivery_status, invitation.delivery_id = None, None  # type: ignore[attr-defined]
    # What the duplicate check found that did not block (other partners): information for the page.
    invitation.duplicate_findings = findings  # type: ignore[attr-defined]
    if send_email:
        # `invitation.created` and `invitation.sent` in one INSERT (in that order), after the email is queued.
        _first_email_send(invitation, membership=membership, email_row=email_row, counted=email_counted,
                          created=_created_audit_record(invitation, membership=membership, checked=checked))
    else:
        _created_audit(invitation, membership=membership, checked=checked)
    return invitation


def _duplicate_check(index: DuplicateIndex, *, recipient_email: str, domain: str) -> list[DuplicateFinding]:
    """The one duplicate check of a create, under the partner lock and before the invitation
    exists, so it never reports the invitation itself. An existing customer or a pending
    invitation to the same address or domain refuses with an `InvitationError` that carries every
    finding (`error.findings`, for links); otherwise the findings, information only, are returned.
    """
    duplicate_index_add_pending(index, emails=[recipient_email], domains=[domain])
    return _duplicate_refusal(index, recipient_email=recipient_email, domain=domain)


def _duplicate_refusal(index: DuplicateIndex, *, recipient_email: str, domain: str) -> list[DuplicateFinding]:
    """The rule of `_duplicate_check` on an index whose pending invitations are loaded (no statement)."""
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
    link_issue(invitation, "invitation")
    invitation.message_subject, invitation.message_body = _default_draft(invitation)
    return _invitation_email_row(invitation, key_suffix=f"send:{invitation.sent_to}") if send_email else None


def _validate_recipient(recipient: str) -> None:
    if not recipient:
        raise InvitationError("recipient_required", _("Enter the customer's email address to send from the portal."), field="recipient_email")
    try:
        validate_email(recipient)
    except Exception as exc:
        raise InvitationError("invalid_email", _("Enter a valid email address."), field="recipient_email") from exc


def indirect_providers_for(*, partner: Partner) -> list[Partner]:
    """The indirect providers an indirect reseller may name: those in its own cloud."""
    return list(Partner.objects.filter(partner_type=PartnerType.INDIRECT_PROVIDER, cloud=partner.cloud).exclude(pk=partner.pk)
                .order_by("name"))


def _indirect_provider_for(*, partner: Partner, kind: str, indirect_provider_id: str) -> tuple[Partner | None, str]:
    """Two-tier: (provider, kind) for the invitation, or InvitationError on field `indirect_provider_id`."""
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


@dataclass(frozen=True)
class InvitationRequest:
    """One reseller invitation to create and email (`invitations_create_sent`): what
    `invitation_create(..., send_email=True)` takes for it."""

    recipient_email: str
    target_domain: str
    include_delegated_admin: bool
    language: str = "en"
    roles: list[str] | None = None


class OneAtATimeError(Exception):
    """A request of `invitations_create_sent` reached a limit counted across requests (the partner's
    daily cap, a mailbox's emails today): nothing was written; create them one at a time
    (`invitation_create`), so each refusal is that request's alone, as before."""


@transaction.atomic
def invitations_create_sent(*, membership: PartnerMembership,
                            requests: Sequence[InvitationRequest]) -> list[Invitation | DomainError]:
    """Create and email many reseller invitations in a constant number of statements.

    Each request gets what `invitation_create(..., send_email=True)` would give it, taken in order
    as if one after the other: its invitation (pending, sent, its email in the outbox, the
    `invitation.created` and `invitation.sent` events) or the DomainError it would raise, by the
    same rule functions. Runs in the caller's transaction (a savepoint of it, or its own): the rows
    a caller records for the outcomes commit with them. Raises PermissionDeniedError when the member may not
    request relationships (every request would), and OneAtATimeError (nothing written) when a
    limit counted across requests is reached or the database reserves no ids (not PostgreSQL).

    Statements: the tenants of the domains, the duplicate index (at most 3), the ids, the partner
    lock, its pending invitations, the daily count, the invitations, the email counters, the
    outbox rows and the audit events (webhook subscriptions read once): whatever the number of requests.
    """
    authorize(membership, Permission.REQUEST_RELATIONSHIP)
    if connection.vendor != "postgresql":
        raise OneAtATimeError
    partner = membership.partner if PartnerMembership.partner.is_cached(membership) else Partner.objects.get(pk=membership.partner_id)
    domains = [clean_domain(request.target_domain) for request in requests]
    tenants = tenants_with_domains(domains)
    same_cloud = [tenant for found in tenants.values() for tenant in found if tenant.cloud == partner.cloud]
    duplicates = duplicate_index(partner=partner, emails=[request.recipient_email for request in requests], domains=domains,
                                 domain_tenants=same_cloud, with_pending=False)
    outcomes: list[Invitation | DomainError] = []
    passed: list[tuple[int, _Checked, Invitation]] = []
    for position, request in enumerate(requests):
        try:
            checked = _request_checked(
                membership=membership, partner=partner, include_delegated_admin=request.include_delegated_admin,
                recipient_email=request.recipient_email, target_domain=request.target_domain, kind=InvitationKind.RESELLER,
                customer=None, roles=request.roles, duration_days=None, auto_extend=False, indirect_provider_id="",
                send_email=True, tenants_by_domain=tenants, duplicates=duplicates)
        except DomainError as error:
            outcomes.append(error)
            continue
        outcomes.append(_invitation_new(membership=membership, partner=partner, checked=checked, language=request.language,
                                        duration_days=None, auto_extend=False, send_email=True))
        passed.append((position, checked, outcomes[-1]))  # type: ignore[arg-type]
    ids = _reserve_invitation_ids(len(passed))
    email_rows: dict[int, OutboxMessage | None] = {}
    for (position, _checked, invitation), pk in zip(passed, ids, strict=True):
        invitation.pk = pk
        email_rows[position] = _issue_and_draft(invitation, send_email=True)
    # Under the partner lock, as a single create: the pending invitations, then each request's
    # duplicate rule in order (an invitation made here counts as pending for the requests after it).
    list(Partner.objects.select_for_update().filter(pk=partner.pk).order_by().values_list("pk", flat=True))
    duplicate_index_add_pending(duplicates, emails=[c.recipient_email for _p, c, _i in passed], domains=[c.domain for _p, c, _i in passed])
    created: list[tuple[int, _Checked, Invitation]] = []
    for position, checked, invitation in passed:
        try:
            findings = _duplicate_refusal(duplicates, recipient_email=checked.recipient_email, domain=checked.domain)
        except InvitationError as error:
            outcomes[position] = error
            continue
        invitation.duplicate_findings = findings  # type: ignore[attr-defined]
        if checked.recipient_email:
            duplicates.pending_by_email.setdefault(checked.recipient_email, invitation)
        if checked.domain:
            duplicates.pending_by_domain.setdefault(checked.domain.lower(), invitation)
        created.append((position, checked, invitation))
    if not created:
        return outcomes
    try:
        partner_invitation_count(partner_id=partner.pk, count=len(created))
    except InvitationError as error:
        raise OneAtATimeError from error
    invitations = [invitation for _p, _c, invitation in created]
    Invitation.objects.bulk_create(invitations)
    if not invitation_emails_count(sends=[(invitation, invitation.sent_to) for invitation in invitations]):
        raise OneAtATimeError
    rows = [row for position, _c, _i in created if (row := email_rows[position]) is not None]
    email_enqueue_rows(rows)
    records = []
    for (_position, checked, invitation), message in zip(created, rows, strict=True):
        invitation.delivery_status, invitation.delivery_id = message.status, message.pk  # type: ignore[attr-defined]
        records += [_created_audit_record(invitation, membership=membership, checked=checked),
                    _sent_audit_record(invitation, membership=membership)]
    audit_record_many(records=records)
    return outcomes


def _reserve_invitation_ids(count: int) -> list[int]:
    """`count` fresh invitation ids from their sequence, in one statement (PostgreSQL)."""
    if not count:
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                       [Invitation._meta.db_table, count])
        return [int(pk) for (pk,) in cursor.fetchall()]
