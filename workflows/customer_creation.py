"""A partner creates a customer together with its first invitation (issue 6).

Combines customers (the tenant) and invitations (the reseller invitation bound to it), which sit in
different layers: this workflow is above both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _
from django_countries import countries

from customers.choices import CustomerStatus
from customers.models import Customer
from customers.services import CustomerError, customer_create, normalise_domain
from invitations.create_services import invitation_create
from invitations.drafts import invitation_draft
from invitations.models import Invitation
from invitations.rules import rule_violation
from invitations.send_services import invitation_send
from partners.authz import Permission, authorize

if TYPE_CHECKING:
    from partners.models import Partner, PartnerMembership


@dataclass(frozen=True)
class PartnerCreatedCustomer:
    customer: Customer
    invitation: Invitation


@dataclass(frozen=True)
class _NewCustomer:
    company_name: str
    domain: str
    country: str
    admin_email: str


def _new_customer_checked(*, partner: Partner, company_name: str, primary_domain: str, country: str,
                          admin_email: str) -> _NewCustomer:
    """The form's values cleaned, or the first CustomerError (in the order the form shows fields)."""
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
    return _NewCustomer(company_name=company_name, domain=domain, country=country, admin_email=admin_email)


def _pending_customer_create(*, membership: PartnerMembership, new: _NewCustomer, language: str) -> Customer:
    """The tenant, waiting for its first global admin (status `pending_acceptance`, created by the partner)."""
    partner = membership.partner
    customer = customer_create(company_name=new.company_name, primary_domain=new.domain, country=new.country,
                               cloud=partner.cloud, language=language, actor=membership.user, partner=partner)
    Customer.objects.filter(pk=customer.pk).update(status=CustomerStatus.PENDING_ACCEPTANCE, created_by_partner=partner)
    customer.status, customer.created_by_partner = CustomerStatus.PENDING_ACCEPTANCE, partner
    return customer


def _first_invitation_send(*, membership: PartnerMembership, customer: Customer, new: _NewCustomer, language: str,
                           include_delegated_admin: bool) -> Invitation:
    """The reseller invitation pinned to the admin's email and the domain, bound to the customer, sent."""
    invitation = invitation_create(membership=membership, include_delegated_admin=include_delegated_admin,
                                   recipient_email=new.admin_email, target_domain=new.domain, language=language)
    Invitation.objects.filter(pk=invitation.pk).update(customer=customer)  # binds acceptance to this tenant
    invitation.customer = customer
    subject, body = invitation_draft(invitation)
    invitation = invitation_send(invitation=invitation, membership=membership, subject=subject, body=body,
                                 recipient_email=new.admin_email)
    invitation.customer = customer
    return invitation


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
    authorize(membership, Permission.MANAGE_CUSTOMERS, message=_("Only admin agents and sales agents can create customers."))
    new = _new_customer_checked(partner=membership.partner, company_name=company_name, primary_domain=primary_domain,
                                country=country, admin_email=admin_email)
    customer = _pending_customer_create(membership=membership, new=new, language=language)
    invitation = _first_invitation_send(membership=membership, customer=customer, new=new, language=language,
                                        include_delegated_admin=include_delegated_admin)
    return PartnerCreatedCustomer(customer=customer, invitation=invitation)
