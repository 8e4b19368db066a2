from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from console.relationships_forms import role_choices
from partnercenter.directory_roles import BUNDLES, DEFAULT_BUNDLE, MAX_DURATION_DAYS


class BatchUploadForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_("UTF-8 CSV with the template's header row; up to 10,000 rows."))
    replaces = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not (name.endswith(".csv") or name.endswith(".txt")):
            raise forms.ValidationError(_("Upload a .csv file (save your spreadsheet as “CSV UTF-8”)."))
        return upload


class _CustomerSelection(forms.MultipleChoiceField):
    """The tenant ids ticked on the Customers page. Any value is accepted here: the service answers
    one that is not the partner's customer as "not found" on its row, like a line of a CSV."""

    def valid_value(self, value: Any) -> bool:
        return isinstance(value, str) and 0 < len(value) <= 253


class BulkGdapForm(forms.Form):
    """Bulk delegated admin (issue 24): the customers (selected, typed or a CSV) and the one request for all of them."""

    customer = _CustomerSelection(label=_("Selected customers"), required=False, widget=forms.CheckboxSelectMultiple)
    identifiers = forms.CharField(
        label=_("More customers: tenant ids or primary domains"), required=False, max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 3}), help_text=_("One per line (or separated by commas)."),
    )
    file = forms.FileField(label=_("Or a CSV file of tenant ids or domains"), required=False,
                           help_text=_("UTF-8; the first column of each line; a header row is optional."))
    bundle = forms.ChoiceField(
        label=_("Role bundle"), required=False,
        choices=[("", _("Custom selection"))] + [(key, str(label)) for key, (label, _roles) in BUNDLES.items()],
        initial=DEFAULT_BUNDLE,
    )
    roles = forms.MultipleChoiceField(label=_("Roles"), required=False, choices=role_choices, widget=forms.CheckboxSelectMultiple)
    duration_days = forms.IntegerField(label=_("Duration (days)"), initial=MAX_DURATION_DAYS)
    auto_extend = forms.BooleanField(label=_("Auto-extend by 180 days at the end"), required=False)
    language = forms.ChoiceField(label=_("Language of the emails"), choices=settings.LANGUAGES)

    def __init__(self, *args: Any, customers: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["customer"]).choices = customers

    def clean_file(self) -> UploadedFile | None:
        upload = self.cleaned_data.get("file")
        if upload is None:
            return None
        name = (upload.name or "").lower()
        if not (name.endswith(".csv") or name.endswith(".txt")):
            raise forms.ValidationError(_("Upload a .csv file (save your spreadsheet as “CSV UTF-8”)."))
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data
        if data.get("bundle"):
            data["roles"] = list(BUNDLES[data["bundle"]][1])
        if not data.get("roles"):
            self.add_error("roles", _("Choose a bundle or at least one role."))
        if not (data.get("customer") or (data.get("identifiers") or "").strip() or data.get("file")):
            self.add_error(None, _("Choose at least one customer (or upload a CSV with one tenant id or domain per line)."))
        return data
