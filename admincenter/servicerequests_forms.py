"""The customer's note on a service request (the partner console has its own NoteForm in console.servicerequests_forms)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from servicerequests.services import MAX_TEXT


class NoteForm(forms.Form):
    body = forms.CharField(label=_("Add a note"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 4}))
