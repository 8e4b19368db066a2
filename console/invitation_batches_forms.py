from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _


class BatchUploadForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_("UTF-8 CSV with the template's header row; up to 10,000 rows."))
    replaces = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not (name.endswith(".csv") or name.endswith(".txt")):
            raise forms.ValidationError(_("Upload a .csv file (save your spreadsheet as “CSV UTF-8”)."))
        return upload
