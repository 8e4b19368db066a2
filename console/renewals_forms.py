"""Renewing a selection of delegated admin grants (issue 24 item 2)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from partnercenter.directory_roles import MAX_DURATION_DAYS, MIN_DURATION_DAYS

KEEP, YES, NO = "", "yes", "no"


class GrantRenewForm(forms.Form):
    """The grants to renew (ticked on the Delegated admin list) and what changes for all of them: by default nothing
    (each renewal asks for its grant's roles, duration and auto-extend)."""

    grant = forms.TypedMultipleChoiceField(label=_("Grants to renew"), coerce=int, widget=forms.CheckboxSelectMultiple,
                                           error_messages={"required": _("Choose at least one grant to renew.")})
    duration_days = forms.IntegerField(
        label=_("Duration (days)"), required=False, min_value=MIN_DURATION_DAYS, max_value=MAX_DURATION_DAYS,
        help_text=_("Leave empty to keep each grant's own duration."),
    )
    auto_extend = forms.ChoiceField(
        label=_("Auto-extend"), required=False,
        choices=[(KEEP, _("Keep each grant's setting")), (YES, _("Auto-extend by 180 days at the end")), (NO, _("Do not auto-extend"))],
    )
    language = forms.ChoiceField(label=_("Language of the emails"), choices=settings.LANGUAGES)

    def __init__(self, *args: Any, grants: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.TypedMultipleChoiceField, self.fields["grant"]).choices = grants

    def auto_extend_choice(self) -> bool | None:
        value = self.cleaned_data.get("auto_extend") or KEEP
        return None if value == KEEP else value == YES
