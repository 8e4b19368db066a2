"""Funnel-worthy demo data for Contoso: invitations over the last 85 days in every state.

Everything goes through the product's services (create, send, open, accept, approve, decline,
expire), then the invitation timestamps are moved back in time (a plain UPDATE: demo only) so
the onboarding funnel, the time-to-accept chart and the "about to expire" list have a history to
show. Grants get short durations so some end within 30, 60 and 90 days. Runs once: it does
nothing when the first demo customer already exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from customers.models import Customer
from customers.services import AgreementSignature
from demo.users import demo_user
from invitations.acceptance import AcceptanceAnswer, NewTenant, invitation_accept
from invitations.closing import invitation_decline
from invitations.create_services import invitation_create
from invitations.drafts import invitation_draft
from invitations.lifecycle import invitations_expire
from invitations.models import Invitation
from invitations.send_services import invitation_send
from invitations.trust_services import invitation_record_first_open
from partners.models import Partner, PartnerMembership
from relationships.models import DelegatedAdminGrant
from relationships.services import grant_approve


@dataclass(frozen=True)
class DemoInvitation:
    company: str
    domain: str
    days_ago: float
    outcome: str  # accepted / approved (accepted + delegated admin approved) / pending / declined / expired
    opened_after_hours: float | None = None
    answered_after_hours: float | None = None
    admin_days: int | None = None  # delegated admin requested for this many days


FUNNEL = (
    DemoInvitation("Adatum Corporation", "adatum.example", 84, "approved", 1, 3, admin_days=20),
    DemoInvitation("Litware Inc.", "litware.example", 80, "approved", 2, 30, admin_days=45),
    DemoInvitation("Proseware", "proseware.example", 75, "approved", 0.2, 0.5, admin_days=75),
    DemoInvitation("Wide World Importers", "wideworldimporters.example", 66, "approved", 10, 60, admin_days=50),
    DemoInvitation("Coho Winery", "cohowinery.example", 58, "approved", 4, 100, admin_days=730),
    DemoInvitation("Alpine Ski House", "alpineskihouse.example", 51, "accepted", 1, 5),
    DemoInvitation("Margie's Travel", "margiestravel.example", 44, "accepted", 30, 200, admin_days=365),
    DemoInvitation("Trey Research", "treyresearch.example", 37, "approved", 0.5, 20, admin_days=25),
    DemoInvitation("Lamna Healthcare", "lamnahealthcare.example", 30, "accepted", 3, 400),
    DemoInvitation("Relecloud", "relecloud.example", 22, "approved", 0.1, 0.8, admin_days=85),
    DemoInvitation("Blue Yonder Airlines", "blueyonderairlines.example", 70, "declined", 5, 8),
    DemoInvitation("Humongous Insurance", "humongousinsurance.example", 48, "declined", 2, 50),
    DemoInvitation("Woodgrove Bank", "woodgrovebank.example", 62, "expired", 12),
    DemoInvitation("Southridge Video", "southridgevideo.example", 55, "expired"),
    DemoInvitation("VanArsdel Ltd.", "vanarsdel.example", 27, "pending", 6),
    DemoInvitation("Best For You Organics", "bestforyouorganics.example", 26, "pending"),
    DemoInvitation("Consolidated Messenger", "consolidatedmessenger.example", 18, "pending", 1),
    DemoInvitation("City Power & Light", "citypowerlight.example", 12, "pending", 48),
    DemoInvitation("Bellows College", "bellowscollege.example", 6, "pending"),
    DemoInvitation("Graphic Design Institute", "graphicdesigninstitute.example", 3, "pending", 2),
)


def build_funnel_demo(*, partner: Partner) -> None:

    if Customer.objects.filter(primary_domain=FUNNEL[0].domain).exists() or Invitation.objects.filter(
        partner=partner, sent_to=f"it@{FUNNEL[-1].domain}"
    ).exists():
        return
    admin = PartnerMembership.objects.get(partner=partner, user__email=f"admin@{partner.verified_domain}")
    now = timezone.now()
    for spec in FUNNEL:
        customer_admin = demo_user(f"it@{spec.domain}", full_name=f"IT admin ({spec.company})")
        invitation = invitation_create(membership=admin, include_delegated_admin=spec.admin_days is not None,
                                       duration_days=spec.admin_days, language="en")
        subject, body = invitation_draft(invitation)
        invitation_send(invitation=invitation, membership=admin, subject=subject, body=body, recipient_email=customer_admin.email)
        if spec.opened_after_hours is not None:
            invitation_record_first_open(invitation_pk=invitation.pk)
        if spec.outcome in {"accepted", "approved"}:
            invitation_accept(invitation=invitation, user=customer_admin, answer=AcceptanceAnswer(
                new_tenant=NewTenant(spec.company, spec.domain, str(partner.country)),
                signature=AgreementSignature(signer_name=customer_admin.full_name, signer_email=customer_admin.email, accepted=True),
            ))
            if spec.outcome == "approved":
                grant_approve(grant=DelegatedAdminGrant.objects.get(requested_by_invitation=invitation), user=customer_admin)
        elif spec.outcome == "declined":
            invitation_decline(invitation=invitation, user=customer_admin, reason="We already have a reseller.")
        # Back in time: the funnel's cohort and its timings.
        created = now - timedelta(days=spec.days_ago)
        moved: dict[str, object] = {"created_at": created, "link_issued_at": created, "sent_at": created,
                                    "expires_at": created + (invitation.expires_at - invitation.created_at)}
        if spec.opened_after_hours is not None:
            moved["first_opened_at"] = created + timedelta(hours=spec.opened_after_hours)
        if spec.outcome in {"accepted", "approved"}:
            moved["accepted_at"] = created + timedelta(hours=spec.answered_after_hours or 1)
        elif spec.outcome == "declined":
            moved["declined_at"] = created + timedelta(hours=spec.answered_after_hours or 1)
        Invitation.objects.filter(pk=invitation.pk).update(**moved)
    invitations_expire()  # the invitations whose moved expiry has passed
