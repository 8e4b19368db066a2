"""The onboarding funnel of one partner, computed with aggregate queries (no row is loaded in Python).

Cohort: the partner's invitations created in the period (from a request, not the reusable link,
whose rows are created at the moment of acceptance). Stages, each a subset of the previous one:

- sent: created (emailed from the portal or copied into the partner's own mail);
- opened: the acceptance link was opened at least once (first_opened_at, a telemetry stamp), or
  the invitation was answered (answering requires opening; covers rows older than the stamp);
- accepted: status accepted;
- delegated admin active: accepted, and a delegated admin grant it requested is active now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Avg, Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from invitations.choices import InvitationSource, InvitationStatus
from invitations.models import Invitation
from relationships.choices import GrantStatus
from relationships.models import DelegatedAdminGrant

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


def onboarding_funnel(*, partner: Partner, period: Period) -> list[Stage]:
    """The four stages with their conversion rates, in one aggregate query."""
    active_grant = DelegatedAdminGrant.objects.filter(requested_by_invitation=OuterRef("pk"), status=GrantStatus.ACTIVE)
    answered = Q(accepted_at__isnull=False) | Q(declined_at__isnull=False)
    # The grant probe sits in the accepted rows' FILTER only (evaluated after the status test), not
    # in an annotation every row of the period computes: a provider with 100,000 customers has
    # 2,500 invitations in 90 days and probed the grants 2,500 times (issue 25).
    counts = funnel_cohort(partner=partner, period=period).aggregate(
        sent=Count("pk"),
        opened=Count("pk", filter=Q(first_opened_at__isnull=False) | answered),
        accepted=Count("pk", filter=Q(status=InvitationStatus.ACCEPTED)),
        admin_active=Count("pk", filter=Q(Q(status=InvitationStatus.ACCEPTED), Exists(active_grant))),  # status first
    )
    stages: list[Stage] = []
    previous: int | None = None
    for key, label in STAGES:
        count = counts[key]
        stages.append(Stage(key=key, label=label, count=count,
                            of_previous=_rate(count, previous) if previous is not None else None,
                            of_sent=_rate(count, counts["sent"])))
        previous = count
    return stages


def time_to_accept(*, partner: Partner, period: Period) -> TimeToAccept:
    """How long accepted invitations of the cohort took (created → accepted), bucketed, in one query."""
    waited = ExpressionWrapper(F("accepted_at") - F("created_at"), output_field=DurationField())
    accepted = funnel_cohort(partner=partner, period=period).filter(status=InvitationStatus.ACCEPTED).annotate(waited=waited)
    aggregates: dict[str, object] = {"accepted": Count("pk"), "average": Avg("waited")}
    lower: timedelta | None = None
    for key, _label, upper in TIME_TO_ACCEPT_BUCKETS:
        condition = Q()
        if lower is not None:
            condition &= Q(waited__gte=lower)
        if upper is not None:
            condition &= Q(waited__lt=upper)
        aggregates[key] = Count("pk", filter=condition)
        lower = upper
    result = accepted.aggregate(**aggregates)
    return TimeToAccept(
        buckets=[Bucket(key=key, label=label, count=result[key]) for key, label, _upper in TIME_TO_ACCEPT_BUCKETS],
        accepted=result["accepted"],
        average=result["average"],
    )


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


def invitations_expiring_soon(*, partner: Partner, now: datetime | None = None, limit: int = 20) -> QuerySet[Invitation]:
    """Pending invitations whose link expires within FUNNEL_EXPIRING_INVITATION_DAYS, soonest first."""
    now = now or timezone.now()
    return (
        Invitation.objects.filter(partner=partner, status=InvitationStatus.PENDING, expires_at__gt=now,
                                  expires_at__lte=now + timedelta(days=settings.FUNNEL_EXPIRING_INVITATION_DAYS))
        .select_related("customer")
        .order_by("expires_at", "pk")[:limit]
    )
