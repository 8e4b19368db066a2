"""Customer tenant actions (creation; the acceptance flow builds on these)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actions import AuditAction
from audit.services import audit_record
from customers.choices import AgreementAcceptor, CustomerRole, CustomerStatus
from customers.models import AgreementAcceptance, AgreementVersion, Customer, CustomerMembership
from partnercenter import request_context
from partnercenter.errors import DomainError
from partners.authz import Permission, authorize
from partners.choices import Cloud

if TYPE_CHECKING:
    from datetime import date

    from accounts.models import User
    from invitations.models import Invitation
    from partners.models import Partner, PartnerMembership


class CustomerError(DomainError):
    pass


def normalise_domain(domain: str) -> str:
    """Lower-case, strip a trailing dot, IDNA-encode internationalised names."""
    value = domain.strip().rstrip(".").lower()
    try:
        value = value.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise CustomerError("invalid_domain", _("Enter a valid domain name."), field="primary_domain") from exc
    labels = value.split(".")
    if len(labels) < 2 or any(not label or len(label) > 63 for label in labels):
        raise CustomerError("invalid_domain", _("Enter a valid domain name."), field="primary_domain")
    return value


@transaction.atomic
def customer_create(
    *,
    company_name: str,
    primary_domain: str,
    country: str,
    cloud: str = Cloud.PUBLIC,
    language: str = "en",
    actor: User | None,
    partner: Partner | None = None,
) -> Customer:
    """Create a customer tenant. The domain must be free in that cloud."""
    domain = normalise_domain(primary_domain)
    if Customer.objects.filter(primary_domain__iexact=domain, cloud=cloud).exists():
        raise CustomerError("domain_taken", _("A customer with this domain already exists."), field="primary_domain")
    customer = Customer(
        company_name=company_name.strip(),
        primary_domain=domain,
        country=country.upper(),
        cloud=cloud,
        language=language,
    )
    try:
        customer.full_clean()
    except ValidationError as exc:
        raise CustomerError("invalid", "; ".join(exc.messages)) from exc
    customer.save()
    audit_record(
        action=AuditAction.CUSTOMER_CREATED,
        actor=actor,
        partner=partner,
        customer=customer,
        target=customer,
        after={"company_name": customer.company_name, "primary_domain": domain, "country": str(customer.country)},
    )
    return customer


@transaction.atomic
def customer_membership_add(*, customer: Customer, user: User, role: str, actor: User | None) -> CustomerMembership:
    if role not in CustomerRole.values:
        raise CustomerError("unknown_role", _("Unknown role."), field="role")
    membership, created = CustomerMembership.objects.get_or_create(
        customer=customer, user=user, defaults={"role": role}
    )
    if not created:
        raise CustomerError("already_member", _("This user already belongs to the customer."))
    audit_record(
        action=AuditAction.CUSTOMER_USER_ADDED,
        actor=actor,
        customer=customer,
        target=membership,
        after={"email": user.email, "role": role},
    )
    return membership


def agreement_current(*, language: str) -> AgreementVersion | None:
    """The customer agreement in force now, in `language` (English when not translated)."""
    # One statement: every language's text of the current version (a handful of rows), chosen here.
    now = timezone.now()
    latest = AgreementVersion.objects.filter(effective_at__lte=now).order_by("-effective_at", "-pk").values("version")[:1]
    texts = list(AgreementVersion.objects.filter(version=Subquery(latest)).order_by())
    if not texts:
        return None
    by_language = {text.language: text for text in texts}
    current = max((text for text in texts if text.effective_at <= now), key=lambda text: (text.effective_at, text.pk))
    return by_language.get(language) or by_language.get("en") or current


def customer_needs_agreement(*, customer: Customer | None, agreement: AgreementVersion | None) -> bool:
    if agreement is None:
        return False
    if customer is None:
        return True
    return not AgreementAcceptance.objects.filter(customer=customer, agreement__version=agreement.version).exists()


@dataclass(frozen=True)
class AgreementSignature:
    signer_name: str
    signer_email: str
    accepted: bool


@transaction.atomic(savepoint=False)  # inside a caller's transaction (acceptance) no savepoint: its errors end that transaction
def agreement_accept(
    *, customer: Customer, agreement: AgreementVersion, user: User, signature: AgreementSignature
) -> AgreementAcceptance:
    """Record that a customer user accepted the agreement version, with IP and user agent.

    The signer's email is the signing account's own (verified) address: a signature may not name
    someone else's mailbox (issue 18). An empty `signer_email` means that address too.
    """
    if signature.signer_email.strip() and signature.signer_email.strip().lower() != user.email.lower():
        raise CustomerError("signer_email_mismatch", _("The agreement is signed with the address you signed in with."),
                            field="signer_email")
    if not signature.accepted:
        raise CustomerError("agreement_required", _("Accept the customer agreement to continue."), field="agreement_accepted")
    if not signature.signer_name.strip():
        raise CustomerError("signer_name_required", _("Enter your name to sign the agreement."), field="signer_name")
    context = request_context.current()
    acceptance = AgreementAcceptance.objects.create(
        customer=customer,
        agreement=agreement,
        acceptor_kind=AgreementAcceptor.CUSTOMER_USER,
        user=user,
        signer_name=signature.signer_name.strip()[:200],
        signer_email=user.email,
        ip_address=context.ip_address,
        user_agent=context.user_agent,
    )
    audit_record(action=AuditAction.AGREEMENT_ACCEPTED, actor=user, customer=customer, target=acceptance,
                 after={"version": agreement.version, "language": agreement.language, "signer_email": acceptance.signer_email})
    return acceptance


# --- Created by a partner (issue 6) ----------------------------------------------------------


@dataclass(frozen=True)
class PartnerCreatedCustomer:
    customer: Customer
    invitation: Invitation


@transaction.atomic
def customer_create_for_partner(
    *,
    membership: PartnerMembership,
    company_name: str,
    primary_domain: str,
    country: str,
    admin_email: str,
    language: str = "en",
    include_delegated_admin: bool = False,
) -> PartnerCreatedCustomer:
    """"Create a new customer", as Partner Center does: the tenant waits for its first global admin.

    Pre: the member may manage customers (admin agent, sales agent); a company name; a valid
    admin email; a domain free in the partner's cloud (case-insensitive, IDNA-normalised); a
    country the partner may sell to (market rule). Partners in sovereign clouds must include
    delegated admin (invitation rule).
    Post: the customer (status `pending_acceptance`, in the partner's cloud), a reseller
    invitation pinned to the admin's email and the domain and bound to this customer, emailed to
    the admin from the portal; audit events customer.created, invitation.created, invitation.sent.
    When the admin accepts, the admin's account joins *this* customer as global admin (no second
    tenant) and the relationship is established.
    """
    from django.core.validators import validate_email
    from django_countries import countries

    from invitations.rules import rule_violation
    from invitations.services import invitation_create, invitation_draft, invitation_send

    authorize(membership, Permission.MANAGE_CUSTOMERS, message=_("Only admin agents and sales agents can create customers."))
    partner = membership.partner
    company_name = " ".join(company_name.split())
    if not company_name or len(company_name) > 200:
        raise CustomerError("company_required", _("Enter the company name (up to 200 characters)."), field="company_name")
    domain = normalise_domain(primary_domain)
    country = country.strip().upper()
    if country not in dict(countries):
        raise CustomerError("invalid_country", _("Choose a country or region."), field="country")
    admin_email = admin_email.strip().lower()
    try:
        validate_email(admin_email)
    except ValidationError as exc:
        raise CustomerError("invalid_email", _("Enter the email address of the customer's first global admin."),
                            field="admin_email") from exc
    violation = rule_violation(partner=partner, customer_country=country, customer_cloud=partner.cloud, customer_name=company_name)
    if violation is not None:
        raise CustomerError(violation.code, violation.message, field="country")
    customer = customer_create(company_name=company_name, primary_domain=domain, country=country, cloud=partner.cloud,
                               language=language, actor=membership.user, partner=partner)
    Customer.objects.filter(pk=customer.pk).update(status=CustomerStatus.PENDING_ACCEPTANCE, created_by_partner=partner)
    customer.status, customer.created_by_partner = CustomerStatus.PENDING_ACCEPTANCE, partner
    invitation = invitation_create(membership=membership, include_delegated_admin=include_delegated_admin,
                                   recipient_email=admin_email, target_domain=domain, language=language)
    from invitations.models import Invitation

    Invitation.objects.filter(pk=invitation.pk).update(customer=customer)  # binds acceptance to this tenant
    invitation.customer = customer
    subject, body = invitation_draft(invitation)
    invitation = invitation_send(invitation=invitation, membership=membership, subject=subject, body=body, recipient_email=admin_email)
    invitation.customer = customer
    return PartnerCreatedCustomer(customer=customer, invitation=invitation)


def customer_activate(*, customer: Customer) -> bool:
    """A partner-created customer's first global admin accepted: it is a tenant like any other.

    Runs inside the acceptance transaction. Returns False when it was already active (no-op).
    """
    return bool(Customer.objects.filter(pk=customer.pk, status=CustomerStatus.PENDING_ACCEPTANCE).update(
        status=CustomerStatus.ACTIVE, activated_at=timezone.now()))


# --- Agreement attestation by a partner (issue 6) --------------------------------------------


@transaction.atomic
def agreement_attest(
    *, membership: PartnerMembership, customer: Customer, signer_name: str, signer_email: str, accepted_on: date
) -> AgreementAcceptance:
    """A partner attests that the customer accepted the current customer agreement.

    Pre: the partner bills the customer directly (partner type `direct_bill` or
    `indirect_provider`; an `indirect_reseller` is refused: its indirect provider attests); it has
    an active relationship with the customer; the member is an admin agent or sales agent; a
    signer name and email; the date the customer accepted, not in the future (the partner's
    local date, so "today" is always allowed).
    Post: an AgreementAcceptance (acceptor `partner_attestation`, the partner, request IP and user
    agent), audit event `agreement.attested`, the customer's global admins emailed.
    """
    from django.core.validators import validate_email

    from partners.choices import PartnerType
    from relationships.choices import RelationshipStatus
    from relationships.models import Relationship

    partner = membership.partner
    authorize(membership, Permission.MANAGE_CUSTOMERS, message=_("Only admin agents and sales agents can attest the agreement."))
    if partner.partner_type == PartnerType.INDIRECT_RESELLER:
        raise CustomerError("indirect_reseller_cannot_attest", _(
            "Indirect resellers cannot attest the customer agreement: your indirect provider, who bills the customer, attests it."))
    if not Relationship.objects.filter(partner=partner, customer=customer, status=RelationshipStatus.ACTIVE).exists():
        raise CustomerError("not_your_customer", _("Choose one of your customers."))
    signer_name = " ".join(signer_name.split())
    if not signer_name or len(signer_name) > 200:
        raise CustomerError("signer_name_required", _("Enter the name of the person who accepted the agreement."), field="signer_name")
    signer_email = signer_email.strip().lower()
    try:
        validate_email(signer_email)
    except ValidationError as exc:
        raise CustomerError("invalid_email", _("Enter a valid email address."), field="signer_email") from exc
    today = timezone.localdate()
    if accepted_on > today:
        raise CustomerError("date_in_future", _("The date the customer accepted cannot be in the future."), field="accepted_on")
    agreement = agreement_current(language=customer.language)
    if agreement is None:
        raise CustomerError("no_agreement", _("There is no customer agreement in force to attest."))
    from datetime import datetime, time

    accepted_at = timezone.make_aware(datetime.combine(accepted_on, time(12, 0)))
    context = request_context.current()
    acceptance = AgreementAcceptance.objects.create(
        customer=customer, agreement=agreement, acceptor_kind=AgreementAcceptor.PARTNER_ATTESTATION, user=membership.user,
        partner=partner, signer_name=signer_name, signer_email=signer_email, accepted_at=accepted_at,
        ip_address=context.ip_address, user_agent=context.user_agent,
    )
    audit_record(action=AuditAction.AGREEMENT_ATTESTED, actor=membership.user, partner=partner, customer=customer, target=acceptance,
                 after={"version": agreement.version, "signer_name": signer_name, "signer_email": signer_email,
                        "accepted_on": accepted_on.isoformat()})
    from customers.selectors import customer_global_admins
    from notifications.services import email_enqueue
    from partnercenter.links import absolute_url

    recipients = {user.email: user.preferred_language for user in customer_global_admins(customer=customer)}
    recipients.setdefault(signer_email, customer.language)
    for email, language in recipients.items():
        email_enqueue(
            to=email, template="customers/email/agreement_attested",
            context={"partner_name": partner.name, "customer_name": customer.company_name, "signer_name": signer_name,
                     "signer_email": signer_email, "accepted_on": accepted_on.isoformat(), "version": agreement.version,
                     "title": agreement.title, "url": absolute_url("customers:overview", tenant_id=customer.tenant_id)},
            language=language, partner=partner, customer=customer,
            idempotency_key=f"agreement_attestation:{acceptance.pk}:{email}", topic=f"customer:{customer.pk}",
        )
    return acceptance
