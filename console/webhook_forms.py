from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.choices import DeliveryStatus
from notifications.webhook_events import WebhookEventType


class WebhookSubscriptionForm(forms.Form):
    url = forms.URLField(label=_("Endpoint URL"), max_length=500, assume_scheme="https",
                         help_text=_("HTTPS. We POST each event as JSON, signed with the subscription's secret."))
    description = forms.CharField(label=_("Description (optional)"), max_length=200, required=False)
    event_types = forms.MultipleChoiceField(
        label=_("Events"), choices=WebhookEventType.choices, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one event type.")},
    )


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All")), *DeliveryStatus.choices])
