"""The sign-up form: allauth's, refusing an address other than the one an invitation is pinned to
(issue 21, item 7).

A visitor who opened an invitation pinned to A and chose "Create an account" got a form filled with
A; typing B signed up B and sent them back to an invitation B may not answer, with nothing said.
The form now refuses B at once and says why.
"""

from __future__ import annotations

from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.core import context as allauth_context
from django import forms
from django.utils.translation import gettext as _

from accounts.pending_flows import pending_offer_email


class SignupForm(AllauthSignupForm):
    def clean_email(self) -> str:
        pinned = pending_offer_email(allauth_context.request)
        typed = (self.cleaned_data.get("email") or "").strip().lower()
        if pinned and typed and typed != pinned:
            raise forms.ValidationError(_(
                "The invitation you opened is for %(email)s: create the account with that address (a code is sent there "
                "to confirm it is yours). To answer with another address, ask the partner to send the invitation to it."
            ) % {"email": pinned}, code="not_the_invited_address")
        return super().clean_email()
