"""Drill 5: the PostgreSQL connection of the accepting request is dropped (pg_terminate_backend on
this test's own database) in the middle of the accept transaction, or right after its commit.

The customer gets an error (or success); a retry with the same token accepts once or answers that the
link is no longer valid (already accepted); never two relationships for one partner and customer.
"""

from __future__ import annotations

from collections import Counter
from functools import partial

import psycopg2
import pytest
from django.db import close_old_connections, connection, transaction
from django.test import Client

from admincenter.accept_views import SESSION_KEY
from invitations import acceptance as invitation_services
from invitations.choices import InvitationStatus
from invitations.models import Invitation
from invitations.tokens import derive_token
from partnercenter.session_secrets import session_put_token
from relationships.models import Relationship
from tests.drills.conftest import assert_every_invitation_emailed_once
from tests.factories import CustomerFactory, CustomerMembershipFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.drill, pytest.mark.xdist_group("drills")]

INVITATIONS = 200
ACCEPTED = 24  # the first 24 invitations are accepted with a fault; the others only emailed
FAULTS = ("mid_transaction", "after_commit", "none")


def terminate_own_backend() -> None:
    """Drop this process's database connection from the server side (our own test database only)."""
    pid = connection.connection.get_backend_pid()
    s = connection.settings_dict
    with psycopg2.connect(dbname=s["NAME"], user=s["USER"], password=s.get("PASSWORD") or None,
                          host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432) as admin, admin.cursor() as cur:
        cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = %s AND datname = %s", [pid, s["NAME"]])
    admin.close()


def accept(client: Client, token: str, tenant_id: str) -> int:
    # What Django's WSGI handler does at every request start (the test client skips it): a connection
    # the server dropped is noticed and replaced.
    close_old_connections()
    session = client.session
    session_put_token(session, SESSION_KEY, token)
    session.save()
    return client.post("/r/", {"tenant": tenant_id}).status_code


def test_connection_dropped_mid_accept_never_makes_two_relationships(
    workers, drill_broker, sink, invitations_api, partner_a, monkeypatch
):
    workers.start()
    acceptors = [
        CustomerMembershipFactory(customer=CustomerFactory(primary_domain=f"acceptor{i}.example"),
                                  user=UserFactory(email=f"drill-{i}@customer.example"))
        for i in range(ACCEPTED)
    ]
    invitations_api.create(INVITATIONS)
    assert len(invitations_api.succeeded) == INVITATIONS
    assert_every_invitation_emailed_once(invitations_api, sink)

    real_establish = invitation_services.relationship_establish
    fault = {"kind": "none"}

    def establish_with_fault(**kwargs):  # type: ignore[no-untyped-def]
        if fault["kind"] == "mid_transaction":
            fault["kind"] = "none"
            terminate_own_backend()  # the next statement of this transaction fails
        elif fault["kind"] == "after_commit":
            fault["kind"] = "none"
            transaction.on_commit(partial(terminate_own_backend))  # committed; the response never makes it
        return real_establish(**kwargs)

    monkeypatch.setattr(invitation_services, "relationship_establish", establish_with_fault)
    outcomes = []
    for i, membership in enumerate(acceptors):
        created = invitations_api.created[i]
        invitation = Invitation.objects.get(pk=created.invitation_id)
        token = derive_token(purpose="invitation", row_id=invitation.pk, nonce=invitation.token_nonce)
        client = Client(raise_request_exception=False)
        client.force_login(membership.user)
        fault["kind"] = FAULTS[i % len(FAULTS)]
        first = accept(client, token, str(membership.customer.tenant_id))
        retry = accept(client, token, str(membership.customer.tenant_id))
        again = accept(client, token, str(membership.customer.tenant_id))
        outcomes.append((FAULTS[i % len(FAULTS)], first, retry, again))

    for kind, first, retry, again in outcomes:
        statuses = [first, retry, again]
        assert statuses.count(200) <= 1, outcomes
        assert all(code in (200, 400, 404, 500) for code in statuses), outcomes
        if kind == "mid_transaction":
            assert (first, retry, again) == (500, 200, 404), outcomes  # nothing committed; the retry accepts
        elif kind == "after_commit":
            # Committed, but the request failed afterwards (an error page: 400 or 500); retries say the link is used.
            assert first in (400, 500) and retry == 404 and again == 404, outcomes
        else:
            assert (first, retry, again) == (200, 404, 404), outcomes
    per_pair = Counter(Relationship.objects.filter(partner=partner_a.partner).values_list("customer_id", flat=True))
    assert len(per_pair) == ACCEPTED and set(per_pair.values()) == {1}
    assert Invitation.objects.filter(status=InvitationStatus.ACCEPTED).count() == ACCEPTED
