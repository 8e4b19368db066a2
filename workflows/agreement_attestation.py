"""A partner attests that its customer accepted the customer agreement (issue 6).

Reads relationships (the partner must have an active relationship) and writes customers (the
acceptance): customers sits below relationships, so the workflow lives above both.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actions import AuditAction
from audit.services import audit_record
from customers.choices import AgreementAcceptor
from customers.models import AgreementAcceptance, AgreementVersion, Customer
from customers.selectors import customer_global_admins
from customers.services import CustomerError, agreement_current
from notifications.services import email_enqueue
from partnercenter import request_context
from partnercenter.links import absolute_url
from partners.authz import Permission, authorize
from partners.choices import PartnerType
from relationships.choices import RelationshipStatus
from relationships.models import Relationship

if TYPE_CHECKING:
    from datetime import date

    from partners.models import Partner, PartnerMembership


def _attester_checked(*, membership: PartnerMembership, customer: Customer) -> None:
    """The member may attest for this customer: manages customers, bills it, has an active relationship."""
    partner = membership.partner
    authorize(membership, Permission.MANAGE_CUSTOMERS, message=_("Only admin agents and sales agents can attest the agreement."))
    if partner.partner_type == PartnerType.INDIRECT_RESELLER:
        raise CustomerError("indirect_reseller_cannot_attest", _(
            "Indirect resellers cannot attest the customer agreement: your indirect provider, who bills the customer, attests it."))
    if not Relationship.objects.filter(partner=partner, customer=customer, status=RelationshipStatus.ACTIVE).exists():
        raise CustomerError("not_your_customer", _("Choose one of your customers."))


def _signature_checked(*, signer_name: str, signer_email: str, accepted_on: date) -> tuple[str, str]:
    """The signer's name and email cleaned; the date not in the future (the partner's local date)."""
    signer_name = " ".join(signer_name.split())
    if not signer_name or len(signer_name) > 200:
        raise CustomerError("signer_name_required", _("Enter the name of the person who accepted the agreement."), field="signer_name")
    signer_email = signer_email.strip().lower()
    try:
        validate_email(signer_email)
    except ValidationError as exc:
        raise CustomerError("invalid_email", _("Enter a valid email address."), field="signer_email") from exc
    if accepted_on > timezone.localdate():
        raise CustomerError("date_in_future", _("The date the customer accepted cannot be in the future."), field="accepted_on")
    return signer_name, signer_email


def _attestation_notify(*, acceptance: AgreementAcceptance, partner: Partner, customer: Customer, agreement: AgreementVersion,
                        accepted_on: date) -> None:
    """One email to each global admin of the customer and to the signer, through the outbox."""
    signer_name, signer_email = acceptance.signer_name, acceptance.signer_email
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
    partner = membership.partner
    _attester_checked(membership=membership, customer=customer)
    signer_name, signer_email = _signature_checked(signer_name=signer_name, signer_email=signer_email, accepted_on=accepted_on)
    agreement = agreement_current(language=customer.language)
    if agreement is None:
        raise CustomerError("no_agreement", _("There is no customer agreement in force to attest."))
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
    _attestation_notify(acceptance=acceptance, partner=partner, customer=customer, agreement=agreement, accepted_on=accepted_on)
    return acceptance
