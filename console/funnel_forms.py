from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from invitations.funnel_selectors import Period

DEFAULT_DAYS = 90
MAX_DAYS = 3 * 366
PRESETS = (30, 90, 365)


def default_dates(today: date | None = None, days: int = DEFAULT_DAYS) -> tuple[date, date]:
    today = today or timezone.localdate()
    return today - timedelta(days=days - 1), today


class FunnelPeriodForm(forms.Form):
    """The period of the funnel: invitations created from `start` to `end`, both days included."""

    start = forms.DateField(label=pgettext_lazy("date range", "From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=pgettext_lazy("date range", "To"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        start, end = default_dates()
        if data is not None and not (data.get("start") or data.get("end")):
            data = None  # no period asked for: the default one, without errors
        super().__init__(data, initial={"start": start, "end": end}, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if start > end:
                raise forms.ValidationError(_("The start date must be on or before the end date."), code="reversed")
            if (end - start).days + 1 > MAX_DAYS:
                raise forms.ValidationError(_("Choose a period of at most %(days)d days.") % {"days": MAX_DAYS}, code="too_long")
        return cleaned

    def period(self) -> Period:
        """The valid period asked for, or the default one (the last 90 days)."""
        if self.is_bound and self.is_valid():
            start, end = self.cleaned_data["start"], self.cleaned_data["end"]
        else:
            start, end = default_dates()
        zone = timezone.get_current_timezone()
        return Period(start=datetime.combine(start, time.min, tzinfo=zone),
                      end=datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone))
