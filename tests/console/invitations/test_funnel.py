"""Onboarding funnel: the dashboard's numbers equal counts computed directly from a seeded data set."""

from __future__ import annotations

import csv
import io
import random
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from invitations.choices import InvitationSource, InvitationStatus
from invitations.funnel_selectors import (
    TIME_TO_ACCEPT_BUCKETS,
    Period,
    grants_expiring,
    invitations_expiring_soon,
    onboarding_funnel,
    time_to_accept,
)
from invitations.models import Invitation
from relationships.choices import GrantStatus
from relationships.models import DelegatedAdminGrant
from tests.factories import CustomerFactory, DelegatedAdminGrantFactory, InvitationFactory

DAY = timedelta(days=1)


def seed(partner, rng: random.Random, *, count: int = 80) -> None:  # type: ignore[no-untyped-def]
    """Invitations over the last 200 days in every state, some opened, some with active admin."""
    now = timezone.now()
    customer = CustomerFactory()
    for _ in range(count):
        created = now - timedelta(days=rng.uniform(0, 200))
        source = InvitationSource.REUSABLE_LINK if rng.random() < 0.1 else InvitationSource.REQUEST
        fields: dict[str, object] = {"partner": partner, "created_at": created, "source": source,
                                     "include_delegated_admin": rng.random() < 0.6,
                                     "expires_at": created + 30 * DAY}
        if rng.random() < 0.6:
            fields["first_opened_at"] = created + timedelta(hours=rng.uniform(0, 100))
        outcome = rng.choice(["pending", "accepted", "accepted", "declined", "cancelled", "expired"])
        if outcome == "accepted":
            fields.update(status=InvitationStatus.ACCEPTED, customer=customer,
                          accepted_at=created + timedelta(hours=rng.choice([0.5, 5, 30, 100, 200, 400])))
        elif outcome == "declined":
            fields.update(status=InvitationStatus.DECLINED, declined_at=created + DAY)
        elif outcome == "cancelled":
            fields.update(status=InvitationStatus.CANCELLED, cancelled_at=created + DAY)
        elif outcome == "expired":
            fields.update(status=InvitationStatus.EXPIRED, expired_at=created + 30 * DAY)
        invitation = InvitationFactory(**fields)
        if outcome == "accepted" and invitation.include_delegated_admin:
            status = rng.choice([GrantStatus.ACTIVE, GrantStatus.ACTIVE, GrantStatus.APPROVAL_PENDING, GrantStatus.TERMINATED])
            DelegatedAdminGrantFactory(partner=partner, customer=customer, requested_by_invitation=invitation, status=status,
                                       ends_at=now + timedelta(days=rng.uniform(1, 400)),
                                       terminated_at=now if status == GrantStatus.TERMINATED else None)


@pytest.fixture
def seeded(partner_a, partner_b):  # type: ignore[no-untyped-def]
    seed(partner_a.partner, random.Random(20261124))
    seed(partner_b.partner, random.Random(7), count=30)  # another tenant: must not leak into partner A's numbers
    return partner_a


def expected(partner, period: Period) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Straight from the rows, in Python: the definition the funnel documents."""
    rows = [i for i in Invitation.objects.filter(partner=partner)
            if i.source == InvitationSource.REQUEST and period.start <= i.created_at < period.end]
    active = set(DelegatedAdminGrant.objects.filter(status=GrantStatus.ACTIVE).values_list("requested_by_invitation_id", flat=True))
    accepted = [i for i in rows if i.status == InvitationStatus.ACCEPTED]
    return {
        "sent": len(rows),
        "opened": sum(1 for i in rows if i.first_opened_at or i.accepted_at or i.declined_at),
        "accepted": len(accepted),
        "admin_active": sum(1 for i in accepted if i.pk in active),
    }


@pytest.mark.parametrize("days", [30, 90, 365])
def test_funnel_numbers_equal_counts_computed_from_the_data(seeded, days, django_assert_num_queries):
    now = timezone.now()
    period = Period(start=now - days * DAY, end=now + DAY)
    with django_assert_num_queries(1):
        stages = onboarding_funnel(partner=seeded.partner, period=period)
    want = expected(seeded.partner, period)
    assert {s.key: s.count for s in stages} == want
    assert want["sent"] > 0 and want["accepted"] > 0
    if days == 365:  # the seed puts every stage in the long period
        assert want["admin_active"] > 0 and want["opened"] > want["accepted"]
    by_key = {s.key: s for s in stages}
    assert by_key["accepted"].of_previous == pytest.approx(want["accepted"] / want["opened"])
    assert by_key["admin_active"].of_sent == pytest.approx(want["admin_active"] / want["sent"])
    assert by_key["sent"].of_previous is None


def test_time_to_accept_buckets_equal_the_data(seeded, django_assert_num_queries):
    now = timezone.now()
    period = Period(start=now - 365 * DAY, end=now + DAY)
    with django_assert_num_queries(1):
        result = time_to_accept(partner=seeded.partner, period=period)
    waits = [i.accepted_at - i.created_at for i in Invitation.objects.filter(partner=seeded.partner, status="accepted",
                                                                             source="request", created_at__gte=period.start)]
    bounds = [upper for _key, _label, upper in TIME_TO_ACCEPT_BUCKETS]
    want = []
    lower = timedelta(0)
    for upper in bounds:
        want.append(sum(1 for w in waits if w >= lower and (upper is None or w < upper)))
        lower = upper or lower
    assert [b.count for b in result.buckets] == want and sum(want) == result.accepted == len(waits)
    assert result.average == pytest.approx(sum(waits, timedelta(0)) / len(waits), abs=timedelta(seconds=1))


def test_grants_expiring_windows_equal_the_data(seeded, django_assert_num_queries):
    now = timezone.now()
    with django_assert_num_queries(1):
        buckets = grants_expiring(partner=seeded.partner, now=now)
    ends = list(DelegatedAdminGrant.objects.filter(partner=seeded.partner, status="active").values_list("ends_at", flat=True))
    want = [sum(1 for e in ends if now + low * DAY < e <= now + high * DAY) for low, high in ((0, 30), (30, 60), (60, 90))]
    assert [b.count for b in buckets] == want


def test_expiring_pending_invitations_are_listed_soonest_first(partner_a, partner_b):
    now = timezone.now()
    soon = InvitationFactory(partner=partner_a.partner, expires_at=now + 2 * DAY)
    sooner = InvitationFactory(partner=partner_a.partner, expires_at=now + 3600 * timedelta(seconds=1))
    InvitationFactory(partner=partner_a.partner, expires_at=now + 20 * DAY)  # not yet
    InvitationFactory(partner=partner_b.partner, expires_at=now + DAY)  # another tenant
    expiring = invitations_expiring_soon(partner=partner_a.partner, now=now)
    assert expiring.rows == [sooner, soon] and expiring.total == 2 and not expiring.more


def page(partner, **query):  # type: ignore[no-untyped-def]
    return reverse("invitations:funnel", kwargs={"partner_id": partner.partner_id}), query


def test_dashboard_shows_the_same_numbers_in_charts_table_and_csv(client, seeded):
    client.force_login(seeded.admin.user)
    today = timezone.localdate()
    query = {"start": (today - timedelta(days=89)).isoformat(), "end": today.isoformat()}
    url = reverse("invitations:funnel", kwargs={"partner_id": seeded.partner.partner_id})
    response = client.get(url, query)
    assert response.status_code == 200
    body = response.content.decode()
    period = response.context["period"]
    want = expected(seeded.partner, period)
    for key, count in want.items():
        assert f'data-stage="{key}"' in body
        row = body.split(f'data-stage="{key}"', 1)[1]
        assert f"data-count>{count}<" in row.split("</tr>", 1)[0]
    assert body.count("<svg") == 3 and body.count("data-value-bar") >= 3  # non-empty charts
    assert "<script" not in body.split('<main', 1)[1].split("</main>", 1)[0]
    csv_url = reverse("invitations:funnel_csv", kwargs={"partner_id": seeded.partner.partner_id})
    exported = client.get(csv_url, query)
    assert exported.status_code == 200 and exported["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.content.decode())))
    assert {r["item"]: int(r["count"]) for r in rows if r["section"] == "funnel"} == want
    assert {r["section"] for r in rows} == {"funnel", "time_to_accept", "grants_expiring"}


def test_dashboard_permissions_and_tenancy(client, partner_a, partner_b):
    url = reverse("invitations:funnel", kwargs={"partner_id": partner_a.partner.partner_id})
    assert client.get(url).status_code == 302
    client.force_login(partner_b.admin.user)
    assert client.get(url).status_code == 404
    assert client.get(reverse("invitations:funnel_csv", kwargs={"partner_id": partner_a.partner.partner_id})).status_code == 404
    client.force_login(partner_a.sales.user)
    assert client.get(url).status_code == 200  # sales agents see customers, so the funnel too


def test_bad_period_gets_a_clear_error(client, partner_a):
    client.force_login(partner_a.admin.user)
    url = reverse("invitations:funnel", kwargs={"partner_id": partner_a.partner.partner_id})
    response = client.get(url, {"start": "2026-05-01", "end": "2026-04-01"})
    assert response.status_code == 400 and "The start date must be on or before the end date." in response.content.decode()
    response = client.get(url, {"start": "yesterday", "end": "2026-04-01"})
    assert response.status_code == 400 and "Enter a valid date." in response.content.decode()
    csv_url = reverse("invitations:funnel_csv", kwargs={"partner_id": partner_a.partner.partner_id})
    assert client.get(csv_url, {"start": "2020-01-01", "end": "2026-01-01"}).status_code == 400


def test_one_click_resend_from_the_dashboard_comes_back_to_it(client, partner_a, make_invitation):
    from invitations.drafts import invitation_draft
    from invitations.send_services import invitation_send

    invitation = make_invitation()
    subject, body = invitation_draft(invitation)
    invitation_send(invitation=invitation, membership=partner_a.admin, subject=subject, body=body, recipient_email="it@northwind.example")
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() + DAY)
    client.force_login(partner_a.admin.user)
    url = reverse("invitations:funnel", kwargs={"partner_id": partner_a.partner.partner_id})
    assert f"#{invitation.pk}" in client.get(url).content.decode()
    response = client.post(reverse("invitations:resend", kwargs={"partner_id": partner_a.partner.partner_id, "invitation_pk": invitation.pk}),
                           {"next": url})
    assert response.status_code == 302 and response.url == url
    invitation.refresh_from_db()
    assert invitation.expires_at > timezone.now() + 20 * DAY
    evil = client.post(reverse("invitations:resend", kwargs={"partner_id": partner_a.partner.partner_id, "invitation_pk": invitation.pk}),
                       {"next": "https://evil.example/"})
    assert evil.url == reverse("invitations:list", kwargs={"partner_id": partner_a.partner.partner_id})


@pytest.mark.parametrize(("part", "whole", "shown"), [(6, 66, "9.1 %"), (1, 3, "33.3 %"), (2, 3, "66.7 %"), (1, 8, "12.5 %"),
                                                      (0, 5, "0.0 %"), (5, 5, "100.0 %")])
def test_percentages_are_rounded_not_cut_off(part, whole, shown):  # type: ignore[no-untyped-def]
    """Issue 21, item 9: 6 of 66 showed "9.0 %" while the CSV said 0.0909."""
    from django.utils import translation

    from console.funnel_views import duration_label, percent

    with translation.override("en"):
        assert percent(part / whole) == shown
        assert duration_label(timedelta(hours=2, minutes=57)) == "3.0 hours"  # 2.95 hours
