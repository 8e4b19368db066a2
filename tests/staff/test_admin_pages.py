"""Every model registered in the staff console renders, for a superuser and for an auditor, and never shows a secret.

The list of models is the admin registry itself: a model registered later without a factory
below fails here until it gets one (and the auditor group, until a migration re-syncs it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.admin.templatetags.admin_urls import admin_urlname
from django.contrib.auth.models import Group
from django.db.models import Model
from django.urls import reverse

from accounts.models import SignInEvent, User
from accounts.staff_groups import AUDITOR, OPERATOR
from audit.models import AuditEvent
from customers.models import AgreementAcceptance, AgreementVersion, Customer, CustomerMembership
from directory.models import DirectoryUser, LicenseAssignment
from invitation_batches.models import InvitationBatch, InvitationBatchRow
from invitations.models import Invitation, RelationshipLink
from notifications.models import MailboxMessage, OutboxMessage, WebhookDelivery, WebhookSubscription
from partners.models import (
    ApiIdempotencyKey,
    ApiKey,
    Partner,
    PartnerMembership,
    PartnerSecurityGroup,
    PartnerUserInvitation,
)
from relationships.models import AccessAssignment, DelegatedAdminGrant, Relationship
from servicerequests.models import ServiceRequest
from subscriptions.models import Subscription, SupportContact
from tests import factories as f
from tests.staff.users import sign_in_to_admin, staff_user

FACTORIES: dict[type[Model], Callable[[], Any]] = {
    Group: f.GroupFactory,
    EmailAddress: f.EmailAddressFactory,
    Authenticator: f.AuthenticatorFactory,
    User: f.UserFactory,
    SignInEvent: f.SignInEventFactory,
    Partner: f.PartnerFactory,
    PartnerMembership: f.PartnerMembershipFactory,
    PartnerUserInvitation: f.PartnerUserInvitationFactory,
    Customer: f.CustomerFactory,
    CustomerMembership: f.CustomerMembershipFactory,
    AgreementVersion: f.AgreementVersionFactory,
    AgreementAcceptance: f.AgreementAcceptanceFactory,
    AuditEvent: f.AuditEventFactory,
    OutboxMessage: f.OutboxMessageFactory,
    MailboxMessage: f.MailboxMessageFactory,
    Invitation: f.InvitationFactory,
    RelationshipLink: f.RelationshipLinkFactory,
    Relationship: f.RelationshipFactory,
    DelegatedAdminGrant: f.DelegatedAdminGrantFactory,
    AccessAssignment: f.AccessAssignmentFactory,
    ApiKey: f.ApiKeyFactory,
    ApiIdempotencyKey: f.ApiIdempotencyKeyFactory,
    WebhookSubscription: f.WebhookSubscriptionFactory,
    WebhookDelivery: f.WebhookDeliveryFactory,
    ServiceRequest: f.ServiceRequestFactory,
    Subscription: f.SubscriptionFactory,
    SupportContact: f.SupportContactFactory,
    DirectoryUser: f.DirectoryUserFactory,
    LicenseAssignment: f.LicenseAssignmentFactory,
    InvitationBatch: f.InvitationBatchFactory,
    InvitationBatchRow: f.InvitationBatchRowFactory,
    PartnerSecurityGroup: f.PartnerSecurityGroupFactory,
}

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)


def label(model: type[Model]) -> str:
    return model._meta.label


def make(model: type[Model]) -> Model:
    factory = FACTORIES.get(model)
    assert factory is not None, (
        f"{label(model)} is registered in admin: add a factory to tests/factories.py and FACTORIES"
    )
    return factory()


@pytest.fixture(params=["superuser", AUDITOR])
def staff_client(request, client, db):  # type: ignore[no-untyped-def]
    user = staff_user(superuser=True) if request.param == "superuser" else staff_user(group=AUDITOR)
    sign_in_to_admin(client, user)
    return client


@pytest.mark.parametrize("model", REGISTERED, ids=label)
def test_changelist_and_change_page_render(staff_client, model):
    obj = make(model)
    opts = model._meta
    changelist = staff_client.get(reverse(admin_urlname(opts, "changelist")))
    assert changelist.status_code == 200
    assert changelist.context["cl"].result_count >= 1
    searched = staff_client.get(reverse(admin_urlname(opts, "changelist")), {"q": "example"})
    assert searched.status_code == 200
    change = staff_client.get(reverse(admin_urlname(opts, "change"), args=[obj.pk]))
    assert change.status_code == 200


@pytest.mark.parametrize("model", REGISTERED, ids=label)
def test_auditor_may_view_every_model_and_change_none(model, db):
    auditor = staff_user(group=AUDITOR)
    opts = model._meta
    assert auditor.has_perm(f"{opts.app_label}.view_{opts.model_name}"), (
        f"auditor cannot view {label(model)}: add a migration calling accounts.staff_groups.staff_groups_sync"
    )
    for action in ("add", "change", "delete"):
        assert not auditor.has_perm(f"{opts.app_label}.{action}_{opts.model_name}")


SECRETS: dict[type[Model], Callable[[Model], list[str]]] = {
    Invitation: lambda o: [o.token_hash, o.token_nonce],
    RelationshipLink: lambda o: [o.token_hash, o.token_nonce],
    PartnerUserInvitation: lambda o: [o.token_hash],
    OutboxMessage: lambda o: [o.sealed_body],
    Authenticator: lambda o: [o.data["secret"]],
    MailboxMessage: lambda o: [o.text_body],
    ApiKey: lambda o: [o.key_hash],
    WebhookSubscription: lambda o: [o.sealed_secret],
}


@pytest.mark.parametrize("model", list(SECRETS), ids=label)
def test_admin_never_shows_secrets(client, model, db):
    superuser = staff_user(superuser=True)
    sign_in_to_admin(client, superuser)
    overrides = {
        OutboxMessage: {"sealed_body": "gAAAAA-sealed-secret-body"},
        MailboxMessage: {"text_body": "Open http://testserver/r/live-token-value"},
    }
    obj = FACTORIES[model](**overrides.get(model, {}))
    opts = model._meta
    pages = [
        client.get(reverse(admin_urlname(opts, "changelist"))).content.decode(),
        client.get(reverse(admin_urlname(opts, "change"), args=[obj.pk])).content.decode(),
    ]
    for secret in SECRETS[model](obj):
        assert all(secret not in page for page in pages), f"{label(model)} shows a secret"


def test_status_fields_are_read_only_for_superusers(client, db):
    """No admin path edits a status: the evidence models have no change or delete permission at all."""
    superuser = staff_user(superuser=True)
    sign_in_to_admin(client, superuser)
    for model in (
        Invitation,
        Relationship,
        DelegatedAdminGrant,
        OutboxMessage,
        PartnerUserInvitation,
        RelationshipLink,
    ):
        obj = make(model)
        status = obj.status
        url = reverse(admin_urlname(model._meta, "change"), args=[obj.pk])
        page = client.get(url)
        assert page.context["has_change_permission"] is False
        assert client.post(url, {"status": "cancelled"}).status_code == 403
        obj.refresh_from_db()
        assert obj.status == status


def test_groups_exist_after_migrate_with_their_permissions(db):
    if not Group.objects.filter(name__in=[AUDITOR, OPERATOR]).exists():
        # A transactional test (live_server) earlier on this xdist worker flushed the tables, and with them
        # what data migrations wrote: run what migration audit 0005 ran (its forward is this call).
        from accounts.staff_groups import staff_groups_sync

        staff_groups_sync()
    auditor = Group.objects.get(name=AUDITOR)
    operator = Group.objects.get(name=OPERATOR)
    auditor_codes = set(auditor.permissions.values_list("codename", flat=True))
    operator_codes = set(operator.permissions.values_list("codename", flat=True))
    assert all(code.startswith("view_") for code in auditor_codes)
    assert "view_auditevent" in auditor_codes and "view_invitation" in auditor_codes
    assert operator_codes == auditor_codes | {"run_support_actions"}
