"""Partner console → Onboarding funnel: charts (server-rendered SVG), the same numbers as tables and CSV."""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from console.charts import columns, horizontal_bars
from console.funnel_forms import PRESETS, FunnelPeriodForm, default_dates
from console.invitations_forms import EXPIRING_SOON
from console.mixins import PartnerConsoleMixin
from invitations.funnel_selectors import (
    EXPIRING_COUNT_CAP,
    Period,
    funnel_figures,
    grants_expiring_and_renewals,
    invitations_expiring_soon,
)
from partnercenter.csv_writer import csv_document
from partners.permissions import PartnerPermission


def one_decimal(value: float) -> str:
    """`value` rounded (half up) to one decimal, in the page's number format. number_format alone
    cuts the digits off: 6 of 66 read "9.0 %" while the CSV said 0.0909 (issue 21, item 9)."""
    return formats.number_format(Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP), 1)


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{one_decimal(rate * 100)} %"


def duration_label(value: timedelta | None) -> str:
    if value is None:
        return "—"
    hours = value.total_seconds() / 3600
    if hours < 48:
        return _("%(hours)s hours") % {"hours": one_decimal(hours)}
    return _("%(days)s days") % {"days": one_decimal(hours / 24)}


class FunnelMixin(PartnerConsoleMixin):
    permission = PartnerPermission.VIEW_CUSTOMERS
    nav_section = "funnel"

    def funnel_data(self, period: Period) -> dict[str, Any]:
        figures = funnel_figures(partner=self.partner, period=period)  # one query for both
        return {
            "stages": figures.stages,
            "time_to_accept": figures.time_to_accept,
            # the renewal links' counts too: one read of the grants ending soon for both
            "grants_expiring_and_renewals": grants_expiring_and_renewals(partner=self.partner),
        }


class FunnelView(FunnelMixin, TemplateView):
    template_name = "invitations/funnel.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = FunnelPeriodForm(request.GET)
        context = self.get_context_data(form=form, **kwargs)
        return self.render_to_response(context, status=400 if form.is_bound and not form.is_valid() else 200)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form: FunnelPeriodForm = kwargs["form"]
        period = form.period()
        data = self.funnel_data(period)
        stages = data["stages"]
        tta = data["time_to_accept"]
        grants, renewals = data["grants_expiring_and_renewals"]
        expiring = invitations_expiring_soon(partner=self.partner)
        presets = []
        for days in PRESETS:
            start, end = default_dates(days=days)
            presets.append({"days": days, "query": f"start={start.isoformat()}&end={end.isoformat()}",
                            "active": period.start.date() == start and (period.end - timedelta(days=1)).date() == end})
        context.update(
            period=period,
            period_last_day=(period.end - timedelta(days=1)).date(),
            presets=presets,
            period_query=f"start={period.start.date().isoformat()}&end={(period.end - timedelta(days=1)).date().isoformat()}",
            stages=[{"stage": s, "of_previous": percent(s.of_previous), "of_sent": percent(s.of_sent)} for s in stages],
            funnel_chart=horizontal_bars([
                (str(s.label), s.count, f"{formats.number_format(s.count, force_grouping=True)}" + (f" · {percent(s.of_sent)}" if s.of_sent is not None and s.key != "sent" else ""))
                for s in stages
            ]),
            time_to_accept=tta,
            average_time_to_accept=duration_label(tta.average),
            time_to_accept_chart=columns([(str(b.label), b.count) for b in tta.buckets], width=480),
            grants_expiring=grants,
            grants_chart=horizontal_bars([(str(b.label), b.count, formats.number_format(b.count, force_grouping=True)) for b in grants],
                                         width=440, value_room=60),
            expiring=expiring,
            expiring_invitations=expiring.rows,
            expiring_url=reverse("invitations:list", kwargs={"partner_id": self.partner.partner_id}) + f"?expiring={EXPIRING_SOON}",
            expiring_count_cap=EXPIRING_COUNT_CAP,
            renewal_windows=list(renewals.items()),
            can_request=self.can(PartnerPermission.REQUEST_RELATIONSHIP),
            has_data=stages[0].count > 0,
        )
        return context


class FunnelCsvView(FunnelMixin, TemplateView):
    """The dashboard's numbers as CSV: section, item, count, rates."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = FunnelPeriodForm(request.GET)
        if form.is_bound and not form.is_valid():
            errors = " ".join(str(e) for errors in form.errors.values() for e in errors)
            return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
        period = form.period()
        data = self.funnel_data(period)
        last_day = (period.end - timedelta(days=1)).date()
        rows: list[list[object]] = [["section", "item", "count", "rate_of_previous", "rate_of_sent"]]
        rows += [["funnel", stage.key, stage.count, _csv_rate(stage.of_previous), _csv_rate(stage.of_sent)] for stage in data["stages"]]
        rows += [["time_to_accept", bucket.key, bucket.count, "", ""] for bucket in data["time_to_accept"].buckets]
        rows += [["grants_expiring", bucket.key, bucket.count, "", ""] for bucket in data["grants_expiring_and_renewals"][0]]
        response = HttpResponse(csv_document(rows, byte_order_mark=False), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="onboarding-funnel-{self.partner.partner_id}-{period.start.date().isoformat()}-{last_day.isoformat()}.csv"'
        )
        return response


def _csv_rate(rate: float | None) -> str:
    return "" if rate is None else f"{rate:.4f}"
