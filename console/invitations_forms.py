from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from customers.validators import validate_domain
from invitations.choices import InvitationStatus

EXPIRING_SOON = "soon"


class RequestOptionsForm(forms.Form):
    include_delegated_admin = forms.BooleanField(label=_("Include delegated admin privileges"), required=False, initial=True)
    recipient_email = forms.EmailField(
        label=_("Customer's email address (optional)"),
        required=False,
        help_text=_("Pins the invitation to this address and lets you send it from the portal."),
    )
    target_domain = forms.CharField(
        label=_("Customer's domain (optional)"),
        required=False,
        max_length=253,
        validators=[validate_domain],
        help_text=_("Pins the invitation to this tenant; checked against the market and cloud rules now."),
    )
    language = forms.ChoiceField(label=_("Language of the email"), choices=settings.LANGUAGES)
    # Two-tier (indirect resellers only; the view fills the choices or removes the field).
    indirect_provider_id = forms.ChoiceField(label=_("Indirect provider"), required=False,
                                             help_text=_("The distributor you buy through: the customer accepts both of you."))


class DraftForm(forms.Form):
    recipient_email = forms.EmailField(label=_("To"), required=False)
    subject = forms.CharField(label=_("Subject"), max_length=300)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 16}))


class InvitationFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All statuses")), *InvitationStatus.choices])
    q = forms.CharField(label=_("Search"), required=False)
    # The onboarding funnel's "about to expire" list links here for all of them (issue 25).
    expiring = forms.ChoiceField(label=_("Expiry"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        days = settings.FUNNEL_EXPIRING_INVITATION_DAYS
        self.fields["expiring"].choices = [  # type: ignore[attr-defined]
            ("", _("Any expiry date")),
            (EXPIRING_SOON, ngettext("Pending, expiring within %(days)d day", "Pending, expiring within %(days)d days", days) % {"days": days}),
        ]
