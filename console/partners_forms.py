from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from partners.choices import PARTNER_ROLE_DESCRIPTIONS, PartnerRole


class RolesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            choices=PartnerRole.choices,
            label=_("Roles"),
            error_messages={"required": _("Choose at least one role.")},
            **kwargs,
        )


class PartnerUserInviteForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    roles = RolesField()
    language = forms.ChoiceField(
        label=_("Language of the invitation email"),
        choices=settings.LANGUAGES,
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class PartnerUserRolesForm(forms.Form):
    roles = RolesField()


def role_descriptions() -> list[tuple[str, str, str]]:
    return [(role.value, str(role.label), str(PARTNER_ROLE_DESCRIPTIONS[role])) for role in PartnerRole]
