from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class MfaRequirementForm(forms.Form):
    mfa_required = forms.BooleanField(
        label=_("Require two-step verification for every user of this partner"), required=False,
        help_text=_("Users without an authenticator app or security key are asked to set one up before they can "
                    "use the console; users who signed in with a password only are asked for their second factor."),
    )
