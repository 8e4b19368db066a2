"""Customer tenant actions (creation; the acceptance flow builds on these)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.actions import AuditAction
from audit.services import audit_record
from customers.choices import CustomerRole
from customers.models import Customer, CustomerMembership
from partnercenter.errors import DomainError
from partners.choices import Cloud

if TYPE_CHECKING:
    from accounts.models import User


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
