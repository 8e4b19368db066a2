"""The funnel's per-day counters (invitations/funnel_rollup.py, issue 25): whatever path changes invitations
and grants, the funnel read from them equals a count straight from the rows, in any viewer's time zone."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from invitations.choices import InvitationSource, InvitationStatus
from invitations.funnel_rollup import funnel_days_rebuild
from invitations.funnel_selectors import TIME_TO_ACCEPT_BUCKETS, Period, _direct_sums, funnel_figures
from invitations.models import FunnelDay, Invitation
from relationships.choices import GrantStatus
from relationships.models import DelegatedAdminGrant
from tests.console.invitations.test_funnel import seed
from tests.factories import CustomerFactory, DelegatedAdminGrantFactory, InvitationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

DAY = timedelta(days=1)


def straight_from_the_rows(partner, period: Period) -> dict[str, object]:  # type: ignore[no-untyped-def]
    rows = [i for i in Invitation.objects.filter(partner=partner)
            if i.source == InvitationSource.REQUEST and period.start <= i.created_at < period.end]
    active = set(DelegatedAdminGrant.objects.filter(status=GrantStatus.ACTIVE).values_list("requested_by_invitation_id", flat=True))
    accepted = [i for i in rows if i.status == InvitationStatus.ACCEPTED]
    waits = [i.accepted_at - i.created_at for i in accepted]
    want: dict[str, object] = {
        "sent": len(rows),
        "opened": sum(1 for i in rows if i.first_opened_at or i.accepted_at or i.declined_at),
        "accepted": len(accepted),
        "admin_active": sum(1 for i in accepted if i.pk in active),
    }
    lower = None
    for key, _label, upper in TIME_TO_ACCEPT_BUCKETS:
        want[key] = sum(1 for w in waits if (lower is None or w >= lower) and (upper is None or w < upper))
        lower = upper
    want["average"] = sum(waits, timedelta(0)) / len(waits) if waits else None
    return want


def figures(partner, period: Period) -> dict[str, object]:  # type: ignore[no-untyped-def]
    result = funnel_figures(partner=partner, period=period)
    got: dict[str, object] = {s.key: s.count for s in result.stages}
    got.update({b.key: b.count for b in result.time_to_accept.buckets})
    got["average"] = result.time_to_accept.average
    assert result.time_to_accept.accepted == got["accepted"]
    return got


def local_period(zone: str, first: date, last: date) -> Period:
    tz = ZoneInfo(zone)
    return Period(start=datetime.combine(first, time.min, tzinfo=tz), end=datetime.combine(last + DAY, time.min, tzinfo=tz))


def assert_exact(partner, period: Period) -> None:  # type: ignore[no-untyped-def]
    want, got = straight_from_the_rows(partner, period), figures(partner, period)
    got_average, want_average = got.pop("average"), want.pop("average")
    if want_average is None:
        assert got_average is None
    else:
        assert abs(got_average - want_average) <= timedelta(microseconds=1)
    assert got == want
    direct = _direct_sums(partner=partner, period=period)  # the embedded mode's query, on the same rows
    direct.pop("average")
    assert {k: direct[k] for k in want} == want


@pytest.fixture
def mixed(partner_a, partner_b):  # type: ignore[no-untyped-def]
    seed(partner_a.partner, random.Random(3), count=120)
    seed(partner_b.partner, random.Random(4), count=40)
    return partner_a.partner


@pytest.mark.parametrize("zone", ["UTC", "Asia/Tokyo", "Asia/Kolkata", "America/St_Johns", "Pacific/Chatham"])
def test_any_period_in_any_time_zone_equals_the_rows(mixed, zone):
    today = timezone.now().date()
    for first, last in ((today - 89 * DAY, today), (today - 29 * DAY, today), (today - 364 * DAY, today),
                        (today - 3 * DAY, today - 3 * DAY), (today - 200 * DAY, today - 150 * DAY), (today, today)):
        assert_exact(mixed, local_period(zone, first, last))


def test_every_change_keeps_the_counters_exact(mixed, partner_b, django_assert_num_queries):
    partner = mixed
    period = Period(start=timezone.now() - 400 * DAY, end=timezone.now() + DAY)
    now = timezone.now()
    customer = CustomerFactory()
    pending = list(Invitation.objects.filter(partner=partner, status=InvitationStatus.PENDING, source=InvitationSource.REQUEST))
    # accepted (the model's save, every column), declined, opened; one with an active grant, one whose grant is pending
    first, second, third, fourth, fifth = pending[:5]
    first.status, first.accepted_at, first.customer = InvitationStatus.ACCEPTED, first.created_at + timedelta(minutes=30), customer
    first.save()
    Invitation.objects.filter(pk=second.pk).update(status=InvitationStatus.DECLINED, declined_at=now)
    Invitation.objects.filter(pk=third.pk, first_opened_at__isnull=True).update(first_opened_at=now)
    Invitation.objects.filter(pk=fourth.pk).update(status=InvitationStatus.ACCEPTED, accepted_at=now, customer=customer)
    assert_exact(partner, period)
    grant = DelegatedAdminGrantFactory(partner=partner, customer=customer, requested_by_invitation=first, status=GrantStatus.APPROVAL_PENDING,
                                       starts_at=None, ends_at=None)
    assert_exact(partner, period)
    DelegatedAdminGrant.objects.filter(pk=grant.pk).update(status=GrantStatus.ACTIVE, starts_at=now, ends_at=now + 30 * DAY)
    assert_exact(partner, period)
    # a second active grant of the same invitation: still counted once; both ended in one statement
    DelegatedAdminGrantFactory(partner=partner, customer=customer, requested_by_invitation=first)
    assert_exact(partner, period)
    DelegatedAdminGrant.objects.filter(requested_by_invitation=first).update(status=GrantStatus.TERMINATED, terminated_at=now)
    assert_exact(partner, period)
    # re-pointed (the staff admin can), deleted, created active for an invitation accepted later
    other = DelegatedAdminGrantFactory(partner=partner, customer=customer, requested_by_invitation=first)
    DelegatedAdminGrant.objects.filter(pk=other.pk).update(requested_by_invitation=fourth)
    assert_exact(partner, period)
    DelegatedAdminGrant.objects.filter(pk=other.pk).delete()
    DelegatedAdminGrantFactory(partner=partner, customer=customer, requested_by_invitation=fifth)
    Invitation.objects.filter(pk=fifth.pk).update(status=InvitationStatus.ACCEPTED, accepted_at=fifth.created_at + 20 * DAY, customer=customer)
    assert_exact(partner, period)
    # bulk: every pending invitation expires at once; one moves to another day, one to another partner
    Invitation.objects.filter(partner=partner, status=InvitationStatus.PENDING).update(status=InvitationStatus.EXPIRED, expired_at=now)
    Invitation.objects.filter(pk=third.pk).update(created_at=third.created_at - 3 * DAY)
    Invitation.objects.filter(pk=second.pk).update(partner=partner_b.partner)
    Invitation.objects.filter(pk=InvitationFactory(partner=partner, source=InvitationSource.REUSABLE_LINK).pk).update(
        source=InvitationSource.REQUEST)
    assert_exact(partner, period)
    assert_exact(partner_b.partner, period)
    # the counters equal a rebuild from scratch
    kept = sorted(FunnelDay.objects.values_list("partner_id", "day", "sent", "opened", "accepted", "admin_active", "waited_us"))
    funnel_days_rebuild()
    rebuilt = sorted(FunnelDay.objects.values_list("partner_id", "day", "sent", "opened", "accepted", "admin_active", "waited_us"))
    assert [k for k in kept if any(k[2:])] == rebuilt
    with django_assert_num_queries(1):
        funnel_figures(partner=partner, period=period)


def test_a_big_partner_reads_one_row_a_day_and_only_the_partial_days_from_the_invitations(partner_a):
    """What keeps the funnel flat (issue 25): the query reads the counters of the period's whole UTC days
    and the invitations of its partial days only (none for a UTC viewer)."""
    now = timezone.now()
    midnight = datetime.combine(now.astimezone(UTC).date(), time.min, tzinfo=UTC)
    Invitation.objects.bulk_create([
        InvitationFactory.build(partner=partner_a.partner, created_at=midnight - timedelta(hours=k * 7 + 1)) for k in range(300)
    ])
    assert FunnelDay.objects.filter(partner=partner_a.partner).count() == 88  # 300 invitations, 7 hours apart
    period = Period(start=midnight - 90 * DAY, end=midnight)
    assert figures(partner_a.partner, period)["sent"] == straight_from_the_rows(partner_a.partner, period)["sent"] == 300
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM invitations_invitation AS i WHERE i.partner_id = %s AND i.created_at >= %s "
                       "AND i.created_at < %s", [partner_a.partner.pk, period.start, midnight - 89 * DAY])
        assert cursor.fetchone()[0] == 0


def test_about_to_expire_lists_the_first_five_counts_them_all_and_links_to_the_invitations_page(client, partner_a, partner_b, settings):
    from django.urls import reverse

    now = timezone.now()
    expiring = [InvitationFactory(partner=partner_a.partner, expires_at=now + timedelta(hours=5 + k)) for k in range(8)]
    InvitationFactory(partner=partner_a.partner, expires_at=now + 20 * DAY)  # not soon
    InvitationFactory(partner=partner_a.partner, expires_at=now + DAY, status=InvitationStatus.CANCELLED, cancelled_at=now)
    InvitationFactory(partner=partner_b.partner, expires_at=now + DAY)  # another tenant
    client.force_login(partner_a.admin.user)
    funnel = reverse("invitations:funnel", kwargs={"partner_id": partner_a.partner.partner_id})
    body = client.get(funnel).content.decode()
    listed = body.split('data-table="expiring-invitations"', 1)[1].split("</table>", 1)[0]
    assert [f"#{i.pk}</span>" in listed for i in expiring] == [True] * 5 + [False] * 3
    assert 'data-expiring-total="8"' in body and "The first 5 of 8 invitations about to expire." in body
    link = reverse("invitations:list", kwargs={"partner_id": partner_a.partner.partner_id}) + "?expiring=soon"
    assert f'href="{link}"' in body
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"
    body = client.get(funnel).content.decode()
    assert "期限切れ間近の招待 8 件のうち、早い順に 5 件を表示しています。" in body and "招待の一覧ですべて表示" in body
    # the Invitations page, filtered: the 8, soonest first, nothing of partner B's
    page = client.get(link)
    assert page.status_code == 200 and [i.pk for i in page.context["page"].object_list] == [i.pk for i in expiring]
    assert '<option value="soon" selected>' in page.content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Pending, expiring within 7 days" in client.get(link).content.decode()


def test_about_to_expire_past_the_cap_says_more_than(partner_a):
    from invitations.funnel_selectors import invitations_expiring_soon

    now = timezone.now()
    for k in range(6):
        InvitationFactory(partner=partner_a.partner, expires_at=now + timedelta(hours=1 + k))
    capped = invitations_expiring_soon(partner=partner_a.partner, now=now, limit=2, count_up_to=4)
    assert len(capped.rows) == 2 and capped.total == 4 and capped.capped and capped.more
    exact = invitations_expiring_soon(partner=partner_a.partner, now=now, limit=2, count_up_to=6)
    assert exact.total == 6 and not exact.capped
    assert invitations_expiring_soon(partner=partner_a.partner, now=now + 30 * DAY).total == 0


def test_grant_windows_and_renewal_counts_in_one_read_equal_the_two_selectors(mixed, partner_b, django_assert_num_queries):
    from invitations.funnel_selectors import grants_expiring, grants_expiring_and_renewals
    from relationships.selectors import grants_ending_counts

    now = timezone.now()
    rng = random.Random(5)
    for k in range(40):  # some without a customer (the renewal counts leave those out), some of another tenant
        DelegatedAdminGrantFactory(partner=mixed if k % 5 else partner_b.partner, customer=None if k % 7 == 0 else CustomerFactory(),
                                   ends_at=now + timedelta(days=rng.uniform(-5, 120)))
    with django_assert_num_queries(1):
        buckets, renewals = grants_expiring_and_renewals(partner=mixed, now=now)
    assert [(b.key, b.count) for b in buckets] == [(b.key, b.count) for b in grants_expiring(partner=mixed, now=now)]
    assert renewals == grants_ending_counts(partner=mixed, now=now) and sum(renewals.values()) > 0
