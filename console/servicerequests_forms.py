from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from servicerequests.choices import Severity
from servicerequests.services import MAX_TEXT, MAX_TITLE


class ServiceRequestForm(forms.Form):
    customer = forms.ChoiceField(label=_("Customer"))
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial=Severity.MODERATE)
    description = forms.CharField(label=_("Description"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 8}),
                                  help_text=_("What happens, since when, who is affected, what you already tried."))

    def __init__(self, *args: Any, customers: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["customer"]).choices = [("", _("Choose a customer")), *customers]


class NoteForm(forms.Form):
    body = forms.CharField(label=_("Add a note"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 4}))
