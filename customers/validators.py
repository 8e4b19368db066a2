"""Form validators with the services' own rules, so a page refuses what the API refuses, and says why."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from customers.services import CustomerError, normalise_domain


def validate_domain(value: str) -> None:
    """A tenant's domain as customer_create and invitation_create read it (customers.services.normalise_domain)."""
    if not value.strip():
        return
    try:
        normalise_domain(value)
    except CustomerError as error:
        raise ValidationError(error.message, code=error.code) from error
