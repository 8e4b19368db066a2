"""Accepting an invitation or the reusable link: one transaction for everything acceptance means."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Model, OuterRef, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actions import AuditAction
from audit.services import audit_events_together, audit_record
from customers.choices import CustomerRole
from customers.models import AgreementAcceptance, AgreementVersion, Customer, CustomerMembership
from customers.services import (
    AgreementSignature,
    agreement_accept,
    agreement_current,
    customer_activate,
    customer_create,
    customer_membership_add,
    customer_needs_agreement,
    normalise_domain,
)
from invitations.acceptance_story import nothing_to_accept
from invitations.choices import InvitationKind, InvitationSource, InvitationStatus, LinkStatus
from invitations.errors import InvitationError
from invitations.links import INVALID_LINK_MESSAGE, link_issue
from invitations.models import Invitation, RelationshipLink
from invitations.partner_notices import partner_notice_accepted_later
from invitations.rules import RuleViolation, customer_rule_violation, rule_violation
from invitations.tokens import new_nonce
from notifications.services import (
    email_enqueue_rendered,
    email_render,
)
from partnercenter.compiled_queries import CompiledQuery
from partnercenter.directory_roles import role_labels
from partnercenter.links import absolute_url
from partners.models import Partner, PartnerMembership
from relationships.choices import GrantStatus, RelationshipStatus, RelationshipType
from relationships.models import DelegatedAdminGrant, Relationship
from relationships.services import grant_insert_named, relationship_establish

if TYPE_CHECKING:
    from accounts.models import User

_Row = TypeVar("_Row", bound=Model)


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


def _acceptor_tenant(values: tuple[Any, ...]) -> QuerySet[CustomerMembership]:
    """The user's (`values[0]`, its primary key) membership of the tenant `values[1]` (a tenant id) with its customer,
    and whether that tenant accepted the agreement version `values[2]`, read with the membership: one statement,
    not two (a constant True when no version is given: no agreement to accept)."""
    accepted = (Exists(AgreementAcceptance.objects.filter(customer=OuterRef("customer"), agreement__version=values[2]))
                if len(values) > 2 else Value(True))
    return (CustomerMembership.objects.select_related("customer")
            .filter(user_id=values[0], customer__tenant_id=values[1]).annotate(agreement_accepted=accepted)
            .order_by()[:1])  # one per (customer, user): no ORDER BY (and its join)


# Every accept's tenant read, compiled once per process (partnercenter.compiled_queries; issue 25).
_ACCEPTOR_TENANT = CompiledQuery(_acceptor_tenant)


def _resolve_tenant(
    *, invitation: Invitation, user: User, answer: AcceptanceAnswer, agreement: AgreementVersion | None,
) -> tuple[Customer, bool]:
    """The tenant accepting, and whether it still has to accept `agreement` (False when None)."""
    partner = invitation.partner
    if invitation.customer_id is not None:
        customer = _join_partner_created_customer(invitation=invitation, customer_id=invitation.customer_id, user=user)
        return customer, customer_needs_agreement(customer=customer, agreement=agreement)
    if answer.tenant_id:
        try:
            tenant_id = uuid.UUID(answer.tenant_id)
        except ValueError:
            tenant_id = None  # no tenant has that id
        membership = None if tenant_id is None else next(iter(_ACCEPTOR_TENANT.fetch(
            [user.pk, tenant_id] if agreement is None else [user.pk, tenant_id, agreement.version])), None)
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


def _join_partner_created_customer(*, invitation: Invitation, customer_id: int, user: User) -> Customer:
    """A pending invitation bound to a customer the partner created (customers.services.
    customer_create_for_partner): its pinned admin joins that tenant as global admin — never a
    second tenant — and the tenant becomes active. The row is locked so two accepts serialise."""
    customer = Customer.objects.select_for_update().get(pk=customer_id)
    membership = CustomerMembership.objects.filter(customer=customer, user=user).first()
    if membership is None:
        customer_membership_add(customer=customer, user=user, role=CustomerRole.GLOBAL_ADMIN, actor=user)
    else:
        _raise(tenant_refusal(partner=invitation.partner, target_domain=invitation.target_domain, membership=membership))
    customer_activate(customer=customer)
    return customer


# What acceptance checks about the user, as annotations for the statement that locks the
# invitation (or link): its email is verified (`acceptor_verified`), and it does not work for the
# inviting partner (`acceptor_works_for_partner`). Passed as named keywords to `.annotate()` so the
# type checker knows the annotated row has both as booleans (the decline's lock, invitations.closing).


def _acceptor_verified(user: User) -> Exists:
    return _acceptor_verified_check(user.pk, user.email)


def _acceptor_verified_check(user_pk: int, email: str) -> Exists:
    return Exists(EmailAddress.objects.filter(user_id=user_pk, email__iexact=email, verified=True))


def _acceptor_works_for_partner(user: User) -> Exists:
    return _acceptor_works_for_partner_check(user.pk)


def _acceptor_works_for_partner_check(user_pk: int) -> Exists:
    return Exists(PartnerMembership.objects.filter(partner=OuterRef("partner"), user_id=user_pk))


def _locked_for_acceptance(model: type[_Row], values: tuple[Any, ...]) -> QuerySet[_Row]:
    """The row (`values`: its primary key, the user's primary key, the user's email, the user's primary key
    again) locked, with its partner and the two checks about the user."""
    pk, user_pk, email, member_pk = values
    return (
        model._default_manager.select_for_update(of=("self",)).select_related("partner")  # type: ignore[return-value]
        .annotate(acceptor_verified=_acceptor_verified_check(user_pk, email),
                  acceptor_works_for_partner=_acceptor_works_for_partner_check(member_pk))
        .filter(pk=pk).order_by()[:1]  # by primary key: no ORDER BY to compile
    )


# Every accept's first statement in its transaction, compiled once per process (partnercenter.compiled_queries; issue 25).
_INVITATION_LOCKED = CompiledQuery(lambda values: _locked_for_acceptance(Invitation, values))
_LINK_LOCKED = CompiledQuery(lambda values: _locked_for_acceptance(RelationshipLink, values))


def grant_request_from_invitation(
    *, invitation: Invitation, customer: Customer, actor: User | None,
) -> DelegatedAdminGrant:
    """The delegated admin request carried by an accepted invitation, waiting for approval (moved from
    relationships.services: it reads the invitation, which sits above relationships)."""
    grant = grant_insert_named(DelegatedAdminGrant(
        partner=invitation.partner,
        customer=customer,
        roles=list(invitation.requested_roles),
        duration_days=invitation.grant_duration_days or 730,
        auto_extend=invitation.grant_auto_extend,
        requested_by_invitation=invitation,
        request_expires_at=timezone.now() + timedelta(days=settings.GRANT_REQUEST_VALIDITY_DAYS),
        status=GrantStatus.APPROVAL_PENDING,
    ))
    audit_record(action=AuditAction.GRANT_REQUESTED, actor=actor, partner=invitation.partner, customer=customer,
                 target=grant, after={"roles": grant.roles, "duration_days": grant.duration_days, "invitation_id": invitation.pk})
    return grant


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User, answer: AcceptanceAnswer) -> AcceptanceResult:
    """The customer's global admin accepts: one transaction for everything acceptance means.

    Locks the invitation row first (so concurrent accepts serialise and all but one see it is
    no longer pending), then: tenant (chosen, or created with the user as global admin), the
    rules, the agreement if not yet accepted, the conditional update pending → accepted, the
    relationship (at most one active per partner and customer), the pending delegated admin
    grant, audit events, and emails to the partner and the customer (outbox).
    """
    locked = next(iter(_INVITATION_LOCKED.fetch([invitation.pk, user.pk, user.email, user.pk])), None)
    if locked is None or not locked.is_usable:
        raise InvitationError("invalid", str(INVALID_LINK_MESSAGE))
    with audit_events_together():  # its four events in one INSERT
        return _accept_locked(locked, user=user, answer=answer, verified=locked.acceptor_verified,
                              works_for_partner=locked.acceptor_works_for_partner)


def _delegated_admin_needs_relationship(invitation: Invitation, customer: Customer) -> None:
    """Admin roles for an existing customer only: the partner must already be its reseller."""
    if invitation.kind == InvitationKind.DELEGATED_ADMIN and not Relationship.objects.filter(
        partner=invitation.partner, customer=customer, status=RelationshipStatus.ACTIVE
    ).exists():
        raise InvitationError(
            "no_relationship",
            _("%(partner)s is not the reseller of %(customer)s: it must be your reseller before it can be given admin roles.")
            % {"partner": invitation.partner.name, "customer": customer.company_name},
        )


def _mark_accepted(invitation: Invitation, *, user: User, customer: Customer) -> None:
    """The conditional update pending → accepted (the losing concurrent accept sees an invalid link);
    the partner's notice becomes due (sent after commit: invitations.partner_notices)."""
    now = timezone.now()
    updated = Invitation.objects.filter(pk=invitation.pk, status=InvitationStatus.PENDING).update(
        status=InvitationStatus.ACCEPTED, accepted_at=now, accepted_by=user, customer=customer, partner_notice_due=True,
    )
    if updated != 1:
        raise InvitationError("invalid", str(INVALID_LINK_MESSAGE))
    invitation.status, invitation.accepted_at, invitation.accepted_by, invitation.customer = InvitationStatus.ACCEPTED, now, user, customer


def _relationship_for(invitation: Invitation, *, customer: Customer, user: User) -> tuple[Relationship, bool]:
    """The relationship the acceptance establishes (or the existing one), and whether it is new."""
    if invitation.kind == InvitationKind.DELEGATED_ADMIN:
        # Restoring or requesting admin roles for an existing customer: never a second relationship.
        return Relationship.objects.get(partner=invitation.partner, customer=customer, status=RelationshipStatus.ACTIVE), False
    if invitation.kind == InvitationKind.INDIRECT_RESELLER and invitation.indirect_provider_id:
        # Two-tier: the customer accepts the reseller *and* its indirect provider, each with a
        # relationship of type indirect_reseller naming the provider.
        provider = invitation.indirect_provider
        relationship, created = relationship_establish(
            partner=invitation.partner, customer=customer, invitation=invitation, actor=user,
            relationship_type=RelationshipType.INDIRECT_RESELLER, indirect_provider=provider)
        relationship_establish(partner=provider, customer=customer, invitation=invitation, actor=user,  # type: ignore[arg-type]
                               relationship_type=RelationshipType.INDIRECT_RESELLER, indirect_provider=provider)
        return relationship, created
    return relationship_establish(partner=invitation.partner, customer=customer, invitation=invitation, actor=user)


def _customer_notify_accepted(invitation: Invitation, *, user: User, customer: Customer, new_reseller: bool) -> None:
    """The accepting admin's confirmation email (a new key: the invitation was just accepted)."""
    template = "invitations/email/customer_accepted"
    context = {
        "partner_name": invitation.partner.name,
        "verified_domain": invitation.partner.verified_domain,
        "customer_name": customer.company_name,
        "include_delegated_admin": invitation.include_delegated_admin,
        "new_reseller": new_reseller,  # False: the partner was already the reseller (admin roles only)
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


def _accept_locked(
    invitation: Invitation, *, user: User, answer: AcceptanceAnswer, verified: bool, works_for_partner: bool,
) -> AcceptanceResult:
    """Everything after the lock; `verified` and `works_for_partner` come from _acceptor_verified
    and _acceptor_works_for_partner."""
    if not verified:
        raise InvitationError("email_not_verified", _("Verify your email address before accepting."))
    _raise(acceptor_refusal(partner=invitation.partner, recipient_email=invitation.recipient_email,
                            target_domain=invitation.target_domain, user=user, works_for_partner=works_for_partner))
    agreement = agreement_current(language=user.preferred_language)
    customer, needs_agreement = _resolve_tenant(invitation=invitation, user=user, answer=answer, agreement=agreement)
    _delegated_admin_needs_relationship(invitation, customer)
    _raise(nothing_to_accept(invitation=invitation, customer=customer))  # already its reseller, nothing asked besides
    if agreement is not None and needs_agreement:
        if answer.signature is None:
            raise InvitationError("agreement_required", _("Accept the customer agreement to continue."), field="agreement_accepted")
        agreement_accept(customer=customer, agreement=agreement, user=user, signature=answer.signature)
    _mark_accepted(invitation, user=user, customer=customer)
    relationship, created = _relationship_for(invitation, customer=customer, user=user)
    grant = (grant_request_from_invitation(invitation=invitation, customer=customer, actor=user)
             if invitation.include_delegated_admin else None)
    audit_record(action=AuditAction.INVITATION_ACCEPTED, actor=user, partner=invitation.partner, customer=customer, target=invitation,
                 before={"status": "pending"}, after={"status": "accepted", "relationship_id": relationship.pk,
                                                      "grant_id": grant.pk if grant else None})
    # The partner hears of it after commit, in a transaction of its own (its notice is due from the
    # update above; a sweep sends it if the task is lost). The conditional update moved this invitation
    # to accepted once and for all: the customer's email key cannot exist yet (no lookup, no savepoint).
    partner_notice_accepted_later(invitation)
    _customer_notify_accepted(invitation, user=user, customer=customer, new_reseller=created)
    return AcceptanceResult(invitation=invitation, relationship=relationship, grant=grant, customer=customer,
                            relationship_created=created)


@transaction.atomic
def relationship_link_accept(*, link: RelationshipLink, user: User, answer: AcceptanceAnswer) -> AcceptanceResult:
    """A tenant accepts the partner's reusable link: recorded as its own accepted invitation."""
    locked = next(iter(_LINK_LOCKED.fetch([link.pk, user.pk, user.email, user.pk])), None)
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
        grant_auto_extend=partner.default_grant_auto_extend and locked.include_delegated_admin,
        language=user.preferred_language,
        token_nonce="-",
        token_hash=f"unissued-{new_nonce()}",
        created_at=now,
        expires_at=now + timedelta(minutes=10),
    )
    link_issue(invitation, "invitation")
    invitation.save(update_fields=["token_nonce", "token_hash"])
    with audit_events_together():
        audit_record(action=AuditAction.INVITATION_CREATED, actor=user, partner=partner, target=invitation,
                     after={"source": "reusable_link", "include_delegated_admin": invitation.include_delegated_admin})
        return _accept_locked(invitation, user=user, answer=answer, verified=locked.acceptor_verified,
                              works_for_partner=locked.acceptor_works_for_partner)
