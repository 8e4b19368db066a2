from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from subscriptions.catalog import SKU_CHOICES


class ProvisionForm(forms.Form):
    product = forms.ChoiceField(label=_("Product"), choices=SKU_CHOICES)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, initial=1)


class QuantityForm(forms.Form):
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1)
