"""Customer tenant actions (creation; the acceptance flow builds on these).

A partner creating a customer with its first invitation, and attesting the agreement, combine
customers with invitations and relationships (above customers): workflows.customer_creation and
workflows.agreement_attestation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actions import AuditAction
from audit.services import audit_record
from customers.choices import AgreementAcceptor, CustomerRole, CustomerStatus
from customers.models import AgreementAcceptance, AgreementVersion, Customer, CustomerMembership
from partnercenter import request_context
from partnercenter.compiled_queries import CompiledQuery
from partnercenter.errors import DomainError
from partners.choices import Cloud

if TYPE_CHECKING:
    from accounts.models import User
    from partners.models import Partner


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


def _agreement_texts_in_force(now: datetime) -> QuerySet[AgreementVersion]:
    """Every language's text of the version in force at `now` (a handful of rows)."""
    latest = AgreementVersion.objects.filter(effective_at__lte=now).order_by("-effective_at", "-pk").values("version")[:1]
    return AgreementVersion.objects.filter(version=Subquery(latest)).order_by()


# Read by every acceptance page and accept POST: compiled once per process (partnercenter.compiled_queries; issue 25).
_AGREEMENT_TEXTS_IN_FORCE = CompiledQuery(lambda values: _agreement_texts_in_force(values[0]))


def agreement_current(*, language: str) -> AgreementVersion | None:
    """The customer agreement in force now, in `language` (English when not translated)."""
    # One statement: every language's text of the current version (a handful of rows), chosen here.
    now = timezone.now()
    texts = _AGREEMENT_TEXTS_IN_FORCE.fetch([now])
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


# --- Created by a partner (issue 6): workflows.customer_creation creates it with its invitation ---


def customer_activate(*, customer: Customer) -> bool:
    """A partner-created customer's first global admin accepted: it is a tenant like any other.

    Runs inside the acceptance transaction. Returns False when it was already active (no-op).
    """
    return bool(Customer.objects.filter(pk=customer.pk, status=CustomerStatus.PENDING_ACCEPTANCE).update(
        status=CustomerStatus.ACTIVE, activated_at=timezone.now()))
