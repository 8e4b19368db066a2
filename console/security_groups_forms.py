"""Partner settings → Security groups (issue 23): the group's name and description, a member to add."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class SecurityGroupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(label=_("Description"), max_length=500, required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))


class SecurityGroupMemberForm(forms.Form):
    member = forms.TypedChoiceField(label=_("User"), coerce=int, choices=(),
                                    widget=forms.Select(attrs={"class": "form-select"}))

    def __init__(self, *args: object, choices: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["member"].choices = choices  # type: ignore[attr-defined]
