"""Sixteen threads accept the same invitation at once on PostgreSQL: exactly one relationship."""

from __future__ import annotations

import pytest

from customers.models import AgreementAcceptance
from invitations.acceptance import AcceptanceAnswer, invitation_accept
from invitations.create_services import invitation_create
from invitations.errors import InvitationError
from relationships.models import DelegatedAdminGrant, Relationship
from tests.factories import CustomerMembershipFactory
from tests.races import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 16
ROUNDS = 5


def race_accepts(invitation, memberships) -> tuple[list[object], list[str]]:  # type: ignore[no-untyped-def]
    """Every member accepts `invitation` for its own tenant, all at once."""

    def accept(membership) -> object:  # type: ignore[no-untyped-def]
        return invitation_accept(invitation=invitation, user=membership.user,
                                 answer=AcceptanceAnswer(tenant_id=str(membership.customer.tenant_id)))

    return race(accept, memberships, refusals=(InvitationError,))


def test_sixteen_concurrent_accepts_produce_exactly_one_relationship(partner_a, customer_a, agreement):
    from customers.models import AgreementVersion

    current = AgreementVersion.objects.get(language="en")
    # Sixteen global admins of the same tenant race for the same invitation, several times over.
    admins = [customer_a] + [CustomerMembershipFactory(customer=customer_a.customer) for _ in range(THREADS - 1)]
    AgreementAcceptance.objects.create(customer=customer_a.customer, agreement=current, acceptor_kind="customer_user",
                                       signer_name="x", signer_email="x@example.com")
    for round_number in range(ROUNDS):
        Relationship.objects.filter(customer=customer_a.customer).update(status="terminated", terminated_at="2026-01-01T00:00:00Z")
        invitation = invitation_create(membership=partner_a.admin, include_delegated_admin=True)
        results, errors = race_accepts(invitation, admins)
        assert len(results) == 1, (round_number, errors)
        assert errors == ["invalid"] * (THREADS - 1)
        assert Relationship.objects.filter(partner=partner_a.partner, customer=customer_a.customer, status="active").count() == 1
        assert DelegatedAdminGrant.objects.filter(requested_by_invitation=invitation).count() == 1
