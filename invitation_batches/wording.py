"""A bulk row's problems put into words in the reader's language (issue 21).

A row keeps each problem as its rule's code and parameters (`errors` / `notices` entries: field,
code, params, and the message as worded at upload for older readers and the API); the preview and
result pages and the result CSV word them here, in the active language. Rows stored before params
were kept have none: their stored message is shown as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.utils.translation import gettext as _

from invitations.duplicates import ALREADY_CUSTOMER, OTHER_PARTNERS, PENDING_INVITATION, finding_words
from invitations.rules import rule_words


def _rule(code: str) -> Callable[[Mapping[str, Any]], str]:
    return lambda p: rule_words(code, dict(p))


def _finding(code: str) -> Callable[[Mapping[str, Any]], str]:
    return lambda p: finding_words(code, dict(p))


WORDS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "malformed_row": lambda p: _("This line has %(n)s more cell(s) than the header: check for an unquoted comma.") % p,
    "too_long": lambda p: _("Too long: at most %(limit)s characters.") % p,
    "company_required": lambda p: _("Enter the company name."),
    "email_required": lambda p: _("Enter the recipient's email address."),
    "invalid_email": lambda p: _("“%(value)s” is not a valid email address.") % p,
    "domain_required": lambda p: _("Enter the customer's domain."),
    "invalid_domain": lambda p: _("“%(value)s” is not a valid domain name (for example contoso.com).") % p,
    "country_required": lambda p: _("Enter the customer's country as a two-letter code (for example JP)."),
    "invalid_country": lambda p: _("“%(value)s” is not a country code (two letters, for example JP).") % p,
    "invalid_boolean": lambda p: _("“%(value)s” is not yes or no.") % p,
    "sovereign_requires_admin": lambda p: _("Partners in sovereign clouds must include delegated admin privileges."),
    "unknown_role_bundle": lambda p: _("Unknown role bundle “%(value)s”; use one of: %(bundles)s.") % p,
    "bundle_without_admin": lambda p: _("A role bundle needs include_delegated_admin = yes."),
    "invalid_language": lambda p: _("“%(value)s” is not a supported language (%(languages)s).") % p,
    "duplicate_email_in_file": lambda p: _("Same recipient email as line %(line)s of this file.") % p,
    "duplicate_domain_in_file": lambda p: _("Same domain as line %(line)s of this file.") % p,
    "cloud_mismatch": _rule("cloud_mismatch"),
    "market_mismatch": _rule("market_mismatch"),
    ALREADY_CUSTOMER: _finding(ALREADY_CUSTOMER),
    PENDING_INVITATION: _finding(PENDING_INVITATION),
    OTHER_PARTNERS: _finding(OTHER_PARTNERS),
    # The job's own refusals (a row's error_code with error_params).
    "forbidden": lambda p: _("The partner user or API key that sent this batch no longer exists or was revoked."),
    "unexpected_error": lambda p: _("Something went wrong with this row; it was not sent. Try it again later."),
}


def words(code: str, params: Mapping[str, Any] | None, stored: str = "") -> str:
    """`code` with `params` in the active language; `stored` (the text kept with the row) when the row
    has no params (stored before they were kept) or the code is not one worded here."""
    if params is None or code not in WORDS:
        return stored
    try:
        return WORDS[code](params)
    except (KeyError, TypeError, ValueError):  # params from another version of a rule: its stored text still reads
        return stored


def problem_words(entry: Mapping[str, Any]) -> str:
    """One `errors` / `notices` entry of a row, in words."""
    return words(str(entry.get("code", "")), entry.get("params"), str(entry.get("message", "")))
