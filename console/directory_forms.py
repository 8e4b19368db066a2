from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class DirectoryUserForm(forms.Form):
    display_name = forms.CharField(label=_("Display name"), max_length=200)
    user_principal_name = forms.EmailField(label=_("User principal name"), max_length=254)
