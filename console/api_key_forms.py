from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from partners.permissions import ApiScope

# What each scope allows: the API-key page offers exactly these, and docs/api.md's scope table says
# the same (tests/api/test_api_keys.py holds the three to ApiScope, the one list of scopes).
SCOPE_DESCRIPTIONS = {
    ApiScope.INVITATIONS_READ: _("List and read invitations and the reusable relationship link."),
    ApiScope.INVITATIONS_WRITE: _("Create, resend and cancel invitations (includes read)."),
    ApiScope.CUSTOMERS_READ: _("List and read customers, with your tags and notes on them."),
    ApiScope.CUSTOMERS_WRITE: _("Create a new customer pending its admin's acceptance, tag customers and write notes (includes read)."),
    ApiScope.RELATIONSHIPS_READ: _("List and read relationships."),
    ApiScope.RELATIONSHIPS_WRITE: _("Remove a relationship (includes read)."),
    ApiScope.GRANTS_READ: _("List and read delegated admin grants and their access assignments."),
    ApiScope.GRANTS_WRITE: _("Request admin roles, remove them, edit access assignments (includes read)."),
    ApiScope.WEBHOOKS_MANAGE: _("Manage webhook subscriptions and see their deliveries."),
    ApiScope.SERVICE_REQUESTS_READ: _("List and read service requests filed on customers' behalf, with their notes."),
    ApiScope.SERVICE_REQUESTS_WRITE: _("File service requests, change their status, add notes (includes read); acts as an admin agent."),
    ApiScope.SETTINGS_MANAGE: _("Read and change the partner's defaults for new requests and invitation emails; acts as an account admin."),
}


def scope_choices() -> list[tuple[str, str]]:
    return [(scope.value, scope.value) for scope in ApiScope]


def scope_descriptions() -> list[tuple[str, str]]:
    """Every scope, in ApiScope's order, with what it allows (a scope without a description still shows)."""
    return [(scope.value, str(SCOPE_DESCRIPTIONS.get(scope, ""))) for scope in ApiScope]


class ApiKeyCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("What uses it, e.g. “PSA sync”."))
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), choices=scope_choices, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one scope.")},
    )
    expires_in_days = forms.IntegerField(
        label=_("Expires after (days)"), required=False, min_value=1, max_value=730,
        help_text=_("Leave empty for a key that does not expire."),
    )
