from __future__ import annotations

import secrets
import uuid
from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import SignInEvent, User
from audit.actions import AuditAction
from audit.models import AuditEvent
from customers.choices import AgreementAcceptor, CustomerRole
from customers.models import AgreementAcceptance, AgreementVersion, Customer, CustomerMembership
from directory.models import DirectoryUser, LicenseAssignment
from invitation_batches.choices import BatchStatus, RowStatus
from invitation_batches.models import InvitationBatch, InvitationBatchRow
from invitations.models import Invitation, RelationshipLink
from notifications.choices import DeliveryStatus
from notifications.models import MailboxMessage, OutboxMessage, WebhookDelivery, WebhookSubscription
from partnercenter.directory_roles import BUNDLES, DEFAULT_BUNDLE
from partners.choices import Cloud, PartnerRole, PartnerType
from partners.markets import market_region_for
from partners.models import (
    ApiIdempotencyKey,
    ApiKey,
    Partner,
    PartnerMembership,
    PartnerSecurityGroup,
    PartnerUserInvitation,
)
from relationships.choices import GrantStatus
from relationships.models import AccessAssignment, DelegatedAdminGrant, Relationship
from servicerequests.models import ServiceRequest, ServiceRequestNote
from subscriptions.models import Subscription, SupportContact

PASSWORD = "correct-horse-battery"


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(self, create: bool, extracted: bool | None, **kwargs: object) -> None:
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)
        if create:
            self.save()


class PartnerFactory(DjangoModelFactory[Partner]):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Partner {n}")
    partner_id = factory.Sequence(lambda n: str(5_000_000 + n))
    country = "JP"
    market_region = factory.LazyAttribute(lambda o: market_region_for(str(o.country)))
    cloud = Cloud.PUBLIC
    partner_type = PartnerType.DIRECT_BILL
    verified_domain = factory.Sequence(lambda n: f"partner{n}.example")


class PartnerMembershipFactory(DjangoModelFactory[PartnerMembership]):
    class Meta:
        model = PartnerMembership

    partner = factory.SubFactory(PartnerFactory)
    user = factory.SubFactory(UserFactory)
    roles = factory.LazyFunction(lambda: [PartnerRole.ACCOUNT_ADMIN.value])


class CustomerFactory(DjangoModelFactory[Customer]):
    class Meta:
        model = Customer

    company_name = factory.Sequence(lambda n: f"Customer {n}")
    primary_domain = factory.Sequence(lambda n: f"customer{n}.example")
    country = "JP"
    cloud = Cloud.PUBLIC


class CustomerMembershipFactory(DjangoModelFactory[CustomerMembership]):
    class Meta:
        model = CustomerMembership

    customer = factory.SubFactory(CustomerFactory)
    user = factory.SubFactory(UserFactory)
    role = CustomerRole.GLOBAL_ADMIN


# --- Added for the staff console and the audit log (issue 8) ---------------------------------
# One factory per model registered in Django admin (tests/staff/test_admin_pages.py maps them).


def _hex() -> str:
    return secrets.token_hex(32)


class GroupFactory(DjangoModelFactory[Group]):
    class Meta:
        model = Group
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"group {n}")


class EmailAddressFactory(DjangoModelFactory[EmailAddress]):
    class Meta:
        model = EmailAddress

    user = factory.SubFactory(UserFactory, verified=False)
    email = factory.LazyAttribute(lambda o: o.user.email)
    verified = True
    primary = True


class AuthenticatorFactory(DjangoModelFactory[Authenticator]):
    """A TOTP authenticator with a throwaway secret (use TOTP.activate to sign in with it)."""

    class Meta:
        model = Authenticator

    user = factory.SubFactory(UserFactory)
    type = Authenticator.Type.TOTP
    data = factory.LazyFunction(lambda: {"secret": "JBSWY3DPEHPK3PXP"})


class SignInEventFactory(DjangoModelFactory[SignInEvent]):
    """A successful password sign-in from a documentation address."""

    class Meta:
        model = SignInEvent

    user = factory.SubFactory(UserFactory)
    email = factory.LazyAttribute(lambda o: o.user.email)
    succeeded = True
    ip_address = "198.51.100.20"
    user_agent = "Mozilla/5.0 TestBrowser/1.0"


class PartnerUserInvitationFactory(DjangoModelFactory[PartnerUserInvitation]):
    class Meta:
        model = PartnerUserInvitation

    partner = factory.SubFactory(PartnerFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    roles = factory.LazyFunction(lambda: [PartnerRole.SALES_AGENT.value])
    token_hash = factory.LazyFunction(_hex)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))


class AgreementVersionFactory(DjangoModelFactory[AgreementVersion]):
    class Meta:
        model = AgreementVersion

    version = factory.Sequence(lambda n: f"2026-{n:04d}")
    language = "en"
    title = "Customer Agreement"
    text = "Terms."


class AgreementAcceptanceFactory(DjangoModelFactory[AgreementAcceptance]):
    class Meta:
        model = AgreementAcceptance

    customer = factory.SubFactory(CustomerFactory)
    agreement = factory.SubFactory(AgreementVersionFactory)
    acceptor_kind = AgreementAcceptor.CUSTOMER_USER
    user = factory.SubFactory(UserFactory)
    signer_name = "Signer"
    signer_email = factory.LazyAttribute(lambda o: o.user.email)
    ip_address = "192.0.2.10"


class AuditEventFactory(DjangoModelFactory[AuditEvent]):
    """An audit event row (tests only: the product writes them through audit_record)."""

    class Meta:
        model = AuditEvent

    action = AuditAction.INVITATION_CREATED
    actor = None
    actor_label = "system"
    target_type = "invitations.invitation"
    target_id = factory.Sequence(str)
    target_label = factory.LazyAttribute(lambda o: f"#{o.target_id}")
    data = factory.LazyFunction(lambda: {"before": {"status": "pending"}, "after": {"status": "cancelled"}})
    ip_address = "192.0.2.1"
    request_id = factory.LazyFunction(lambda: secrets.token_hex(16))


class OutboxMessageFactory(DjangoModelFactory[OutboxMessage]):
    class Meta:
        model = OutboxMessage

    template = "invitations/email/invitation"
    recipient = factory.Sequence(lambda n: f"recipient{n}@example.com")
    subject = "An invitation"
    sealed_body = "sealed"
    status = DeliveryStatus.FAILED
    failed_at = factory.LazyFunction(timezone.now)
    attempts = 6
    last_error = "550 mailbox unavailable"


class MailboxMessageFactory(DjangoModelFactory[MailboxMessage]):
    class Meta:
        model = MailboxMessage

    to = factory.Sequence(lambda n: f"to{n}@example.com")
    from_email = "no-reply@partnercenter.localhost"
    subject = "Hello"
    text_body = "Hello"


class InvitationFactory(DjangoModelFactory[Invitation]):
    """A pending invitation row (no email; use invitations.create_services.invitation_create for the real flow)."""

    class Meta:
        model = Invitation

    partner = factory.SubFactory(PartnerFactory)
    recipient_email = factory.Sequence(lambda n: f"customer{n}@example.com")
    token_nonce = factory.LazyFunction(lambda: secrets.token_urlsafe(24))
    token_hash = factory.LazyFunction(_hex)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))


class RelationshipLinkFactory(DjangoModelFactory[RelationshipLink]):
    class Meta:
        model = RelationshipLink

    partner = factory.SubFactory(PartnerFactory)
    token_nonce = factory.LazyFunction(lambda: secrets.token_urlsafe(24))
    token_hash = factory.LazyFunction(_hex)


class RelationshipFactory(DjangoModelFactory[Relationship]):
    class Meta:
        model = Relationship

    partner = factory.SubFactory(PartnerFactory)
    customer = factory.SubFactory(CustomerFactory)


class DelegatedAdminGrantFactory(DjangoModelFactory[DelegatedAdminGrant]):
    """An active grant (starts now, for its duration)."""

    class Meta:
        model = DelegatedAdminGrant

    partner = factory.SubFactory(PartnerFactory)
    customer = factory.SubFactory(CustomerFactory)
    display_name = factory.Sequence(lambda n: f"grant-{n}")
    roles = factory.LazyFunction(lambda: list(BUNDLES[DEFAULT_BUNDLE][1]))
    duration_days = 730
    status = GrantStatus.ACTIVE
    request_expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=90))
    starts_at = factory.LazyFunction(timezone.now)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(days=o.duration_days))


class PartnerSecurityGroupFactory(DjangoModelFactory[PartnerSecurityGroup]):
    class Meta:
        model = PartnerSecurityGroup

    partner = factory.SubFactory(PartnerFactory)
    name = factory.Sequence(lambda n: f"example group {n}")
    description = "Helpdesk, first line"


class AccessAssignmentFactory(DjangoModelFactory[AccessAssignment]):
    class Meta:
        model = AccessAssignment

    grant = factory.SubFactory(DelegatedAdminGrantFactory)
    partner_role = PartnerRole.ADMIN_AGENT
    roles = factory.LazyAttribute(lambda o: list(o.grant.roles))


# API keys and webhooks (staff console coverage).


class ApiKeyFactory(DjangoModelFactory[ApiKey]):
    class Meta:
        model = ApiKey

    partner = factory.SubFactory(PartnerFactory)
    name = factory.Sequence(lambda n: f"integration {n}")
    prefix = factory.Sequence(lambda n: f"pck_{n:08d}")
    key_hash = factory.LazyFunction(_hex)
    scopes = factory.LazyFunction(lambda: ["invitations:read"])


class ApiIdempotencyKeyFactory(DjangoModelFactory[ApiIdempotencyKey]):
    class Meta:
        model = ApiIdempotencyKey

    partner = factory.SubFactory(PartnerFactory)
    key = factory.Sequence(lambda n: f"idem-{n}")
    method = "POST"
    path = "/api/v1/invitations"
    request_hash = factory.LazyFunction(_hex)
    response_status = 201


class WebhookSubscriptionFactory(DjangoModelFactory[WebhookSubscription]):
    class Meta:
        model = WebhookSubscription

    partner = factory.SubFactory(PartnerFactory)
    url = factory.Sequence(lambda n: f"https://hooks{n}.example/partnercenter")
    event_types = factory.LazyFunction(lambda: ["invitation.accepted"])
    sealed_secret = factory.LazyFunction(lambda: "sealed-" + _hex())


class WebhookDeliveryFactory(DjangoModelFactory[WebhookDelivery]):
    class Meta:
        model = WebhookDelivery

    subscription = factory.SubFactory(WebhookSubscriptionFactory)
    partner = factory.LazyAttribute(lambda o: o.subscription.partner)
    event_id = factory.LazyFunction(uuid.uuid4)
    event_type = "invitation.accepted"
    body = "{}"


# --- Service requests (issue 6) -------------------------------------------------------------


class ServiceRequestFactory(DjangoModelFactory[ServiceRequest]):
    class Meta:
        model = ServiceRequest

    partner = factory.SubFactory(PartnerFactory)
    customer = factory.SubFactory(CustomerFactory)
    title = factory.Sequence(lambda n: f"Mailbox problem {n}")
    description = "Mail from outside bounces."
    created_by_label = "agent@example.com"


class ServiceRequestNoteFactory(DjangoModelFactory[ServiceRequestNote]):
    class Meta:
        model = ServiceRequestNote

    service_request = factory.SubFactory(ServiceRequestFactory)
    side = "partner"
    author_label = "agent@example.com"
    body = "Looking into it."


# Customer services (issue 6): subscriptions, support contacts, directory users, licenses.


class SubscriptionFactory(DjangoModelFactory[Subscription]):
    class Meta:
        model = Subscription

    partner = factory.SubFactory(PartnerFactory)
    customer = factory.SubFactory(CustomerFactory)
    product_sku = "productivity-suite-business"
    quantity = 5


class SupportContactFactory(DjangoModelFactory[SupportContact]):
    class Meta:
        model = SupportContact

    subscription = factory.SubFactory(SubscriptionFactory)
    user = factory.SubFactory(UserFactory)


class DirectoryUserFactory(DjangoModelFactory[DirectoryUser]):
    class Meta:
        model = DirectoryUser

    customer = factory.SubFactory(CustomerFactory)
    display_name = factory.Faker("name")
    user_principal_name = factory.LazyAttributeSequence(lambda o, n: f"user{n}@{o.customer.primary_domain}")


class LicenseAssignmentFactory(DjangoModelFactory[LicenseAssignment]):
    class Meta:
        model = LicenseAssignment

    subscription = factory.SubFactory(SubscriptionFactory)
    directory_user = factory.SubFactory(DirectoryUserFactory, customer=factory.SelfAttribute("..subscription.customer"))


class InvitationBatchFactory(DjangoModelFactory[InvitationBatch]):
    class Meta:
        model = InvitationBatch

    partner = factory.SubFactory(PartnerFactory)
    filename = "customers.example.csv"
    status = BatchStatus.PREVIEW
    total_rows = 1


class InvitationBatchRowFactory(DjangoModelFactory[InvitationBatchRow]):
    class Meta:
        model = InvitationBatchRow

    batch = factory.SubFactory(InvitationBatchFactory)
    line = factory.Sequence(lambda n: n + 2)
    company = factory.Sequence(lambda n: f"Batch Company {n}")
    recipient_email = factory.Sequence(lambda n: f"it{n}@batch{n}.example")
    domain = factory.Sequence(lambda n: f"batch{n}.example")
    country = "JP"
    status = RowStatus.VALID
