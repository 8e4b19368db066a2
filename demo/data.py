"""The demo world: two partners in different countries and clouds, customers, a user per role.

Everything is created through the same services as the product, so the audit log and the
outbox look like real use. Running it twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

from accounts.models import User
from customers.agreement_documents import agreement_document
from customers.choices import CustomerRole
from customers.models import AgreementVersion, Customer
from customers.services import AgreementSignature, customer_create, customer_membership_add
from demo.funnel_data import build_funnel_demo
from demo.users import demo_user
from directory.models import DirectoryUser, LicenseAssignment
from invitations.acceptance import AcceptanceAnswer, invitation_accept
from invitations.create_services import invitation_create
from invitations.drafts import invitation_draft
from invitations.models import Invitation
from invitations.send_services import invitation_send
from partners.choices import Cloud, PartnerRole, PartnerType
from partners.domain_services import partner_domain_verify_by_staff
from partners.models import Partner, PartnerMembership, PartnerSecurityGroup, PartnerUserInvitation
from partners.security_group_services import security_group_add_member, security_group_create
from partners.services import partner_create, partner_membership_add, partner_user_invite
from relationships.models import Relationship
from subscriptions.models import Subscription
from subscriptions.services import subscription_provision, support_contact_set


@dataclass
class DemoLogin:
    email: str
    where: str
    roles: str


@dataclass
class DemoWorld:
    logins: list[DemoLogin] = field(default_factory=list)
    partners: list[Partner] = field(default_factory=list)
    customers: list[Customer] = field(default_factory=list)


PARTNERS = [
    {
        "name": "Contoso Cloud Solutions KK",
        "partner_id": "4100001",
        "country": "JP",
        "cloud": Cloud.PUBLIC,
        "partner_type": PartnerType.DIRECT_BILL,
        "verified_domain": "contoso-cloud.example",
        "language": "en",
    },
    {
        "name": "Fabrikam Federal Partners",
        "partner_id": "4200002",
        "country": "US",
        "cloud": Cloud.US_GOV,
        "partner_type": PartnerType.INDIRECT_PROVIDER,
        "verified_domain": "fabrikam-federal.example",
        "language": "en",
    },
]

ROLE_MAILBOXES = {
    PartnerRole.ACCOUNT_ADMIN: "admin",
    PartnerRole.ADMIN_AGENT: "agent",
    PartnerRole.SALES_AGENT: "sales",
    PartnerRole.HELPDESK_AGENT: "helpdesk",
    PartnerRole.BILLING_ADMIN: "billing",
}

CUSTOMERS = [
    ("Northwind Traders", "northwind.example", "JP", Cloud.PUBLIC, "ja"),
    ("Tailspin Toys", "tailspin.example", "US", Cloud.PUBLIC, "en"),
    ("Woodgrove Federal Agency", "woodgrove-gov.example", "US", Cloud.US_GOV, "en"),
]

AGREEMENT_VERSION = "2026-01"  # the full text: customers/agreements/customer-agreement-2026-01.<language>.txt


@transaction.atomic
def build_demo_world() -> DemoWorld:
    world = DemoWorld()
    staff = demo_user("staff@partnercenter.example", staff=True, full_name="Platform Staff")
    world.logins.append(
        DemoLogin(staff.email, "Django admin (/admin/)", "staff, superuser — sets up TOTP on first visit")
    )

    for spec in PARTNERS:
        partner = Partner.objects.filter(partner_id=spec["partner_id"]).first()
        if partner is None:
            partner = partner_create(
                name=spec["name"],
                partner_id=spec["partner_id"],
                country=spec["country"],
                cloud=spec["cloud"],
                partner_type=spec["partner_type"],
                verified_domain=spec["verified_domain"],
                actor=staff,
                # Demo users share one password and sign in as several people: no second factor
                # (even under production settings); Partner settings → Sign-in security turns it on.
                mfa_required=False,
            )
        world.partners.append(partner)
        for role, mailbox in ROLE_MAILBOXES.items():
            email = f"{mailbox}@{spec['verified_domain']}"
            user = demo_user(
                email, language=spec["language"], full_name=f"{mailbox.title()} ({partner.name.split()[0]})"
            )
            if not PartnerMembership.objects.filter(partner=partner, user=user).exists():
                partner_membership_add(partner=partner, user=user, roles=[role], actor=staff)
            world.logins.append(DemoLogin(email, f"{partner.name} ({partner.partner_id})", str(role.label)))

    contoso, fabrikam = world.partners
    consultant = demo_user("consultant@partners.example", full_name="Multi-partner Consultant")
    for partner, role in ((contoso, PartnerRole.ADMIN_AGENT), (fabrikam, PartnerRole.HELPDESK_AGENT)):
        if not PartnerMembership.objects.filter(partner=partner, user=consultant).exists():
            partner_membership_add(partner=partner, user=consultant, roles=[role], actor=staff)
    world.logins.append(DemoLogin(consultant.email, "both partners (partner switcher)", "Admin agent / Helpdesk agent"))

    for name, domain, country, cloud, language in CUSTOMERS:
        customer = Customer.objects.filter(primary_domain=domain, cloud=cloud).first()
        if customer is None:
            customer = customer_create(
                company_name=name, primary_domain=domain, country=country, cloud=cloud, language=language, actor=staff
            )
        world.customers.append(customer)
        admin = demo_user(f"it@{domain}", language=language, full_name=f"IT admin ({name})")
        if not customer.memberships.filter(user=admin).exists():
            customer_membership_add(customer=customer, user=admin, role=CustomerRole.GLOBAL_ADMIN, actor=staff)
        world.logins.append(DemoLogin(admin.email, f"customer {name}", "Global admin"))
    northwind = world.customers[0]
    for mailbox, role in (("billing", CustomerRole.BILLING_ADMIN), ("user", CustomerRole.USER)):
        member = demo_user(f"{mailbox}@{northwind.primary_domain}", language="ja")
        if not northwind.memberships.filter(user=member).exists():
            customer_membership_add(customer=northwind, user=member, role=role, actor=staff)
        world.logins.append(DemoLogin(member.email, f"customer {northwind.company_name}", str(role.label)))

    for language, _name in settings.LANGUAGES:
        document = agreement_document(AGREEMENT_VERSION, language)
        AgreementVersion.objects.get_or_create(
            version=document.version, language=language, defaults={"title": document.title, "text": document.text}
        )

    _demo_relationship(contoso=contoso, northwind=northwind)
    _demo_security_group(contoso=contoso)

    build_funnel_demo(partner=contoso)
    # Contoso proved its domain (the acceptance page shows "verified"); Fabrikam has not yet.
    partner_domain_verify_by_staff(partner=contoso, staff_user=staff, reason="Demo: domain ownership confirmed by contract")

    _demo_services(contoso=contoso, northwind=northwind)

    # A pending invitation, so the mailbox shows a partner-user invitation email from the start.
    invitee = f"new.agent@{contoso.verified_domain}"
    if not PartnerUserInvitation.objects.filter(partner=contoso, email=invitee).exists():
        inviter = PartnerMembership.objects.get(partner=contoso, user__email=f"admin@{contoso.verified_domain}")
        partner_user_invite(partner=contoso, email=invitee, roles=[PartnerRole.ADMIN_AGENT], invited_by=inviter)
    return world


def _demo_relationship(*, contoso: Partner, northwind: Customer) -> None:
    """Northwind already accepted Contoso (with a delegated admin request); Tailspin has a pending one."""

    admin = PartnerMembership.objects.get(partner=contoso, user__email=f"admin@{contoso.verified_domain}")
    if not Relationship.objects.filter(partner=contoso, customer=northwind).exists():
        invitation = invitation_create(membership=admin, include_delegated_admin=True, target_domain=northwind.primary_domain)
        it_admin = User.objects.get(email=f"it@{northwind.primary_domain}")
        invitation_accept(
            invitation=invitation,
            user=it_admin,
            answer=AcceptanceAnswer(
                tenant_id=str(northwind.tenant_id),
                signature=AgreementSignature(signer_name="Northwind IT", signer_email=it_admin.email, accepted=True),
            ),
        )
    if not Invitation.objects.filter(partner=contoso, sent_to="it@fourthcoffee.example").exists():
        pending = invitation_create(membership=admin, include_delegated_admin=False, language="en")
        subject, body = invitation_draft(pending)
        invitation_send(invitation=pending, membership=admin, subject=subject, body=body, recipient_email="it@fourthcoffee.example")


def _demo_security_group(*, contoso: Partner) -> None:
    """Contoso's helpdesk security group (issue 23): Partner settings → Security groups, and the access
    container a GDAP script names by object id."""

    if PartnerSecurityGroup.objects.filter(partner=contoso, name="Helpdesk tier 1").exists():
        return
    admin = PartnerMembership.objects.get(partner=contoso, user__email=f"admin@{contoso.verified_domain}")
    group = security_group_create(actor=admin, partner=contoso, name="Helpdesk tier 1",
                                  description="First-line support for Contoso's customers.")
    for member in PartnerMembership.objects.filter(partner=contoso).order_by("pk"):
        if PartnerRole.HELPDESK_AGENT in member.roles:  # in Python: SQLite has no JSON containment lookup
            security_group_add_member(actor=admin, group=group, membership=member)


DEMO_DIRECTORY = [
    ("IT admin (Northwind Traders)", "it"),
    ("Aiko Tanaka", "aiko.tanaka"),
    ("Kenji Sato", "kenji.sato"),
    ("Mei Suzuki", "mei.suzuki"),
    ("Hiro Watanabe", "hiro.watanabe"),
]


def _demo_services(*, contoso: Partner, northwind: Customer) -> None:
    """Contoso's subscriptions for Northwind (through the services, audited), a support contact,
    and Northwind's directory with a few licenses in use.

    The directory is the tenant's own (it exists before any partner manages it), so its users and
    the licenses they already hold are seeded as rows; the partner-side actions go through services.
    """

    agent = PartnerMembership.objects.get(partner=contoso, user__email=f"agent@{contoso.verified_domain}")
    if not Subscription.objects.filter(partner=contoso, customer=northwind).exists():
        suite = subscription_provision(membership=agent, customer=northwind, product_sku="productivity-suite-business", quantity=10)
        subscription_provision(membership=agent, customer=northwind, product_sku="email-plan-1", quantity=25)
        helpdesk = User.objects.get(email=f"helpdesk@{contoso.verified_domain}")
        support_contact_set(subscription=suite, membership=agent, contact=helpdesk)
    suite = Subscription.objects.filter(partner=contoso, customer=northwind, product_sku="productivity-suite-business").order_by("pk").first()
    for display_name, mailbox in DEMO_DIRECTORY:
        user, _created = DirectoryUser.objects.get_or_create(
            customer=northwind, user_principal_name=f"{mailbox}@{northwind.primary_domain}", defaults={"display_name": display_name}
        )
        if suite is not None and mailbox != "hiro.watanabe":
            LicenseAssignment.objects.get_or_create(subscription=suite, directory_user=user)
