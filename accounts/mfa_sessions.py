"""Whether the current session was authenticated with a second factor (allauth's authentication records).

Identity, used by the partner console's MFA requirement (accounts.mfa_policy) and the staff console's admin site.
"""

from __future__ import annotations

from allauth.account.authentication import get_authentication_records
from django.http import HttpRequest


def session_used_mfa(request: HttpRequest) -> bool:
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)
