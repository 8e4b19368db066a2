"""Concurrent creates of one partner on PostgreSQL: the duplicate rule and the daily cap stay exact.

The link, the draft and the email are built before the partner lock; what the lock serialises
(the duplicate checks, the cap count and the writes) must still let exactly the allowed creates through.
"""

from __future__ import annotations

import pytest

from invitations.create_services import invitation_create
from invitations.errors import InvitationError
from invitations.models import Invitation
from notifications.models import OutboxMessage
from partners.models import PartnerMembership
from tests.races import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8


def race_creates(membership_pk: int, emails: list[str]) -> tuple[list[Invitation], list[str]]:
    """One create per email, all released at once, each by the member loaded in its own thread."""

    def load_member(email: str) -> tuple[PartnerMembership, str]:
        return PartnerMembership.objects.select_related("partner", "user").get(pk=membership_pk), email

    def create(prepared: tuple[PartnerMembership, str]) -> Invitation:
        membership, email = prepared
        return invitation_create(membership=membership, include_delegated_admin=True, recipient_email=email, send_email=True)

    return race(create, emails, refusals=(InvitationError,), prepare=load_member)


def test_eight_concurrent_creates_for_one_recipient_make_one_pending_invitation(partner_a):  # type: ignore[no-untyped-def]
    created, refused = race_creates(partner_a.admin.pk, ["it@northwind.example"] * THREADS)

    assert len(created) == 1
    assert refused == ["pending_invitation"] * (THREADS - 1)
    assert Invitation.objects.filter(partner=partner_a.partner, recipient_email="it@northwind.example").count() == 1
    assert OutboxMessage.objects.filter(recipient="it@northwind.example").count() == 1


def test_concurrent_creates_stop_exactly_at_the_daily_cap(partner_a, settings):  # type: ignore[no-untyped-def]
    settings.INVITATION_DAILY_CAP = 3

    created, refused = race_creates(partner_a.admin.pk, [f"buyer{n}@northwind.example" for n in range(THREADS)])

    assert len(created) == 3
    assert refused == ["daily_cap"] * (THREADS - 3)
    assert Invitation.objects.filter(partner=partner_a.partner).count() == 3
    links = {invitation.pk: invitation.token_hash for invitation in Invitation.objects.filter(partner=partner_a.partner)}
    assert links == {invitation.pk: invitation.token_hash for invitation in created}
