"""The onboarding funnel of one partner, computed with aggregate queries (no row is loaded in Python);
on PostgreSQL the cohort's figures come from per-day counters the database keeps (invitations/funnel_rollup.py).

Cohort: the partner's invitations created in the period (from a request, not the reusable link,
whose rows are created at the moment of acceptance). Stages, each a subset of the previous one:

- sent: created (emailed from the portal or copied into the partner's own mail);
- opened: the acceptance link was opened at least once (first_opened_at, a telemetry stamp), or
  the invitation was answered (answering requires opening; covers rows older than the stamp);
- accepted: status accepted;
- delegated admin active: accepted, and a delegated admin grant it requested is active now.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import (
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from invitations.choices import InvitationSource, InvitationStatus
from invitations.funnel_rollup import COUNTERS, period_sql
from invitations.models import Invitation
from invitations.selectors import expiring_soon
from relationships.choices import GrantStatus
from relationships.models import DelegatedAdminGrant
from relationships.selectors import RENEWAL_WINDOWS

if TYPE_CHECKING:
    from partners.models import Partner


@dataclass(frozen=True)
class Period:
    start: datetime  # inclusive
    end: datetime  # exclusive


@dataclass(frozen=True)
class Stage:
    key: str
    label: Promise
    count: int
    of_previous: float | None  # conversion from the previous stage, 0..1 (None for the first or when 0/0)
    of_sent: float | None


@dataclass(frozen=True)
class Bucket:
    key: str
    label: Promise
    count: int


@dataclass(frozen=True)
class TimeToAccept:
    buckets: list[Bucket]
    accepted: int
    average: timedelta | None


STAGES = (
    ("sent", _("Invitations sent")),
    ("opened", _("Link opened")),
    ("accepted", _("Accepted")),
    ("admin_active", _("Delegated admin active")),
)

# Upper bounds (exclusive) of the time-to-accept buckets; the last one is open-ended.
TIME_TO_ACCEPT_BUCKETS = (
    ("under_1h", _("< 1 hour"), timedelta(hours=1)),
    ("under_1d", _("1-24 hours"), timedelta(days=1)),
    ("under_3d", _("1-3 days"), timedelta(days=3)),
    ("under_7d", _("3-7 days"), timedelta(days=7)),
    ("under_14d", _("7-14 days"), timedelta(days=14)),
    ("over_14d", _("14+ days"), None),
)

GRANT_WINDOWS = (
    ("within_30", _("Within 30 days"), 0, 30),
    ("within_60", _("In 31-60 days"), 30, 60),
    ("within_90", _("In 61-90 days"), 60, 90),
)


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def funnel_cohort(*, partner: Partner, period: Period) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        partner=partner, source=InvitationSource.REQUEST, created_at__gte=period.start, created_at__lt=period.end
    )


@dataclass(frozen=True)
class FunnelFigures:
    stages: list[Stage]
    time_to_accept: TimeToAccept


def _utc_midnight_on_or_after(moment: datetime) -> datetime:
    midnight = datetime.combine(moment.astimezone(UTC).date(), time.min, tzinfo=UTC)
    return midnight if midnight >= moment else midnight + timedelta(days=1)


def _counted_sums(*, partner: Partner, period: Period) -> dict[str, int]:
    """The COUNTERS summed over the period, in one query: whole UTC days from the per-day counters
    (invitations/funnel_rollup.py: at most one row a day whatever the partner's size), the period's
    partial days (a viewer's time zone other than UTC) from the invitations."""
    first_midnight = _utc_midnight_on_or_after(period.start)
    last_midnight = datetime.combine(period.end.astimezone(UTC).date(), time.min, tzinfo=UTC)
    if first_midnight >= last_midnight:  # no whole UTC day inside: the invitations only
        days = (first_midnight.date(), first_midnight.date())
        edges = (period.start, period.end, period.end, period.end)
    else:
        days = (first_midnight.date(), last_midnight.date())
        edges = (period.start, first_midnight, last_midnight, period.end)
    params: dict[str, Any] = {"partner": partner.pk, "day_from": days[0], "day_to": days[1], "start": edges[0], "first_end": edges[1],
              "second_start": edges[2], "end": edges[3]}
    with connection.cursor() as cursor:
        cursor.execute(period_sql(), params)
        row = cursor.fetchone()
    return {name: int(value) for name, value in zip(COUNTERS, row, strict=True)}


def _direct_sums(*, partner: Partner, period: Period) -> dict[str, int | timedelta | None]:
    """The same figures read from the invitations (SQLite, embedded mode: no counters), in one query."""
    active_grant = DelegatedAdminGrant.objects.filter(requested_by_invitation=OuterRef("pk"), status=GrantStatus.ACTIVE)
    answered = Q(accepted_at__isnull=False) | Q(declined_at__isnull=False)
    accepted = Q(status=InvitationStatus.ACCEPTED)
    waited = ExpressionWrapper(F("accepted_at") - F("created_at"), output_field=DurationField())
    aggregates: dict[str, object] = {
        "sent": Count("pk"),
        "opened": Count("pk", filter=Q(first_opened_at__isnull=False) | answered),
        "accepted": Count("pk", filter=accepted),
        "admin_active": Count("pk", filter=Q(accepted, Exists(active_grant))),  # status first
        "average": Avg("waited", filter=accepted),
    }
    lower: timedelta | None = None
    for key, _label, upper in TIME_TO_ACCEPT_BUCKETS:
        condition = accepted
        if lower is not None:
            condition &= Q(waited__gte=lower)
        if upper is not None:
            condition &= Q(waited__lt=upper)
        aggregates[key] = Count("pk", filter=condition)
        lower = upper
    return funnel_cohort(partner=partner, period=period).annotate(waited=waited).aggregate(**aggregates)


def funnel_figures(*, partner: Partner, period: Period) -> FunnelFigures:
    """The four stages with their conversion rates and the time to accept of the period's cohort, in one
    query: on PostgreSQL from the per-day counters (the cost of the period's length, not of the partner's
    size: issue 25), elsewhere from the invitations."""
    if connection.vendor == "postgresql":
        sums = _counted_sums(partner=partner, period=period)
        average: timedelta | None = None
        if sums["accepted"]:  # AVG(accepted_at - created_at), to the microsecond
            average = timedelta(microseconds=round(Decimal(sums["waited_us"]) / sums["accepted"]))
    else:
        direct = _direct_sums(partner=partner, period=period)
        average = direct.pop("average")  # type: ignore[assignment]
        sums = direct  # type: ignore[assignment]
    stages: list[Stage] = []
    previous: int | None = None
    for key, label in STAGES:
        count = sums[key]
        stages.append(Stage(key=key, label=label, count=count,
                            of_previous=_rate(count, previous) if previous is not None else None,
                            of_sent=_rate(count, sums["sent"])))
        previous = count
    tta = TimeToAccept(buckets=[Bucket(key=key, label=label, count=sums[key]) for key, label, _upper in TIME_TO_ACCEPT_BUCKETS],
                       accepted=sums["accepted"], average=average)
    return FunnelFigures(stages=stages, time_to_accept=tta)


def onboarding_funnel(*, partner: Partner, period: Period) -> list[Stage]:
    """The four stages with their conversion rates, in one query (see funnel_figures)."""
    return funnel_figures(partner=partner, period=period).stages


def time_to_accept(*, partner: Partner, period: Period) -> TimeToAccept:
    """How long accepted invitations of the cohort took (created → accepted), bucketed, in one query."""
    return funnel_figures(partner=partner, period=period).time_to_accept


def grants_expiring(*, partner: Partner, now: datetime | None = None) -> list[Bucket]:
    """Active delegated admin grants ending in the next 0-30, 31-60 and 61-90 days, in one query."""
    now = now or timezone.now()
    aggregates = {
        # COUNT(ends_at), not COUNT(id) (equal: ends_at is set within the window): the index holds every
        # column read, so the scan can be index-only.
        key: Count("ends_at", filter=Q(ends_at__gt=now + timedelta(days=low), ends_at__lte=now + timedelta(days=high)))
        for key, _label, low, high in GRANT_WINDOWS
    }
    # Only the grants of the 90-day window are read (index grant_partner_status_ends), not every
    # active grant of the partner: a provider with 100,000 customers holds 50,000 of them.
    horizon = max(high for _key, _label, _low, high in GRANT_WINDOWS)
    result = (DelegatedAdminGrant.objects.filter(partner=partner, status=GrantStatus.ACTIVE, ends_at__gt=now,
                                                 ends_at__lte=now + timedelta(days=horizon))
              .aggregate(**aggregates))
    return [Bucket(key=key, label=label, count=result[key]) for key, label, _low, _high in GRANT_WINDOWS]


def grants_expiring_and_renewals(*, partner: Partner, now: datetime | None = None) -> tuple[list[Bucket], dict[int, int]]:
    """`grants_expiring` and relationships.selectors.grants_ending_counts (the renewal links' counts) in one
    index-only read of the partner's active grants ending within the widest window, rather than two."""
    now = now or timezone.now()
    aggregates = {
        key: Count("ends_at", filter=Q(ends_at__gt=now + timedelta(days=low), ends_at__lte=now + timedelta(days=high)))
        for key, _label, low, high in GRANT_WINDOWS
    }
    aggregates.update({f"d{days}": Count("ends_at", filter=Q(customer__isnull=False, ends_at__lte=now + timedelta(days=days)))
                       for days in RENEWAL_WINDOWS})
    horizon = max(*(high for _key, _label, _low, high in GRANT_WINDOWS), *RENEWAL_WINDOWS)
    result = (DelegatedAdminGrant.objects.filter(partner=partner, status=GrantStatus.ACTIVE, ends_at__gt=now,
                                                 ends_at__lte=now + timedelta(days=horizon))
              .aggregate(**aggregates))
    return ([Bucket(key=key, label=label, count=result[key]) for key, label, _low, _high in GRANT_WINDOWS],
            {days: result[f"d{days}"] or 0 for days in RENEWAL_WINDOWS})


# The funnel lists the pending invitations about to expire up to this many, soonest first, with how many
# there are (counted up to EXPIRING_COUNT_CAP) and a link to the Invitations page filtered to them all:
# a provider with 100,000 customers has dozens expiring in a week, and listed them 20 at a time (issue 25).
EXPIRING_SHOWN = 5
EXPIRING_COUNT_CAP = 100


@dataclass(frozen=True)
class ExpiringInvitations:
    rows: Sequence[Invitation]  # the first EXPIRING_SHOWN, soonest first
    total: int  # how many expire within the window, counted up to EXPIRING_COUNT_CAP
    capped: bool  # more than EXPIRING_COUNT_CAP

    @property
    def more(self) -> bool:
        return self.capped or self.total > len(self.rows)


def invitations_expiring_soon(*, partner: Partner, now: datetime | None = None, limit: int = EXPIRING_SHOWN,
                              count_up_to: int = EXPIRING_COUNT_CAP) -> ExpiringInvitations:
    """Pending invitations whose link expires within FUNNEL_EXPIRING_INVITATION_DAYS: the first `limit`,
    soonest first, and their number up to `count_up_to`, in one query (the count a subquery read once,
    through the partner's pending invitations by expiry, index invitation_pending_expiry)."""
    now = now or timezone.now()
    window = expiring_soon(Invitation.objects.filter(partner=partner), now=now)
    capped = window.order_by().values("pk")[: count_up_to + 1]
    counted = Subquery(Invitation.objects.filter(pk__in=capped).order_by()
                       .annotate(n=Func(F("pk"), function="COUNT", output_field=IntegerField())).values("n"))
    rows = list(window.only("pk", "partner_id", "recipient_email", "sent_to", "target_domain", "expires_at", "status")
                .annotate(expiring_total=counted)[:limit])
    total = rows[0].expiring_total if rows else 0
    return ExpiringInvitations(rows=rows, total=min(total, count_up_to), capped=total > count_up_to)
