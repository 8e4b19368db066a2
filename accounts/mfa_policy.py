"""What a signed-in user must still do before acting where a second factor is required.

Used by the partner console (console.mixins) for partners that require MFA; the staff admin
(staff.admin_site) applies the same two steps to staff.
"""

from __future__ import annotations

from enum import StrEnum

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode

from accounts.mfa_sessions import session_used_mfa

# Authenticators that are a second factor by themselves (recovery codes only back them up).
SECOND_FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]


class MfaStep(StrEnum):
    SET_UP = "set_up"  # no authenticator app or security key yet: allauth's TOTP activation page
    REAUTHENTICATE = "reauthenticate"  # this session was signed in without the second factor


def mfa_step_needed(request: HttpRequest) -> MfaStep | None:
    """None when the signed-in user has a second factor and this session used it."""
    if not is_mfa_enabled(request.user, types=SECOND_FACTORS):
        return MfaStep.SET_UP
    if not session_used_mfa(request):
        return MfaStep.REAUTHENTICATE
    return None


def mfa_step_url(step: MfaStep, *, next_url: str) -> str:
    name = "mfa_activate_totp" if step == MfaStep.SET_UP else "mfa_reauthenticate"
    return f"{reverse(name)}?{urlencode({'next': next_url})}"
