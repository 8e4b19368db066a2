"""Marking a partner's domain as proven: by its DNS TXT record, or by platform staff.

The badge "verified" on acceptance pages and in invitation emails depends only on this proof
(Partner.domain_is_verified). Both ways write the audit event in the same transaction as the
conditional UPDATE; proving an already proven domain again is a no-op without an event.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actions import AuditAction
from audit.services import audit_record
from partnercenter.errors import DomainError
from partners.authz import Permission, authorize
from partners.choices import DomainProofMethod
from partners.domain_verification import DnsUnavailableError, domain_record_published, domain_txt_record
from partners.models import Partner, PartnerMembership

if TYPE_CHECKING:
    from accounts.models import User


class DomainVerificationError(DomainError):
    """The domain could not be proven; `code`: record_missing, dns_unavailable, reason_required."""


@dataclass(frozen=True)
class DomainProof:
    partner: Partner
    newly_proven: bool


@transaction.atomic
def _record_proof(*, partner: Partner, method: str, actor: User, data: dict[str, str]) -> DomainProof:
    domain = partner.verified_domain.strip().lower()
    now = timezone.now()
    updated = (
        Partner.objects.filter(pk=partner.pk)
        .exclude(Q(domain_proven_at__isnull=False) & Q(domain_proven_name=domain))
        .update(domain_proven_at=now, domain_proven_name=domain, domain_proof_method=method)
    )
    partner.refresh_from_db()
    if updated:
        audit_record(action=AuditAction.PARTNER_DOMAIN_VERIFIED, actor=actor, partner=partner, target=partner,
                     after={"domain": domain, "method": method}, data=data)
    return DomainProof(partner=partner, newly_proven=bool(updated))


def partner_domain_check(*, membership: PartnerMembership) -> DomainProof:
    """Look up the partner's TXT record and, when it is there, mark the domain proven.

    Pre: the member may manage the partner's settings. The DNS lookup runs before (and outside)
    the transaction so no row is locked while waiting on the network. Raises
    DomainVerificationError `record_missing` (nothing or a wrong value published) or
    `dns_unavailable` (no answer); nothing is written then.
    """
    authorize(membership, Permission.MANAGE_USERS)
    partner = membership.partner
    if partner.domain_is_verified:
        return DomainProof(partner=partner, newly_proven=False)
    record = domain_txt_record(partner)
    try:
        published = domain_record_published(partner)
    except DnsUnavailableError as exc:
        raise DomainVerificationError(
            "dns_unavailable", _("The DNS servers did not answer. Try again in a few minutes.")
        ) from exc
    if not published:
        raise DomainVerificationError(
            "record_missing",
            _("No matching TXT record at %(name)s yet. Publish the record exactly as shown; DNS changes can take a while to appear.")
            % {"name": record.name},
        )
    return _record_proof(partner=partner, method=DomainProofMethod.DNS, actor=membership.user,
                         data={"record": record.name})


def partner_domain_verify_by_staff(*, partner: Partner, staff_user: User, reason: str) -> DomainProof:
    """Platform staff confirm the partner controls its domain (e.g. from a signed contract)."""
    if not reason.strip():
        raise DomainVerificationError("reason_required", _("Give a reason: it goes into the audit log."), field="reason")
    return _record_proof(partner=partner, method=DomainProofMethod.STAFF, actor=staff_user,
                         data={"reason": reason.strip(), "by": "staff"})
