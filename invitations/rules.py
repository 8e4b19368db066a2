"""The market and cloud rules between a partner and a customer tenant, with explanations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django_countries import countries

from partners.choices import Cloud
from partners.markets import in_partner_market, region_label

if TYPE_CHECKING:
    from customers.models import Customer
    from partners.models import Partner


@dataclass(frozen=True)
class RuleViolation:
    code: str
    message: str


def cloud_label(cloud: str) -> str:
    return str(Cloud(cloud).label)


def rule_violation(*, partner: Partner, customer_country: str, customer_cloud: str, customer_name: str) -> RuleViolation | None:
    """None when the partner may work with such a customer; otherwise the reason, in words."""
    if partner.cloud != customer_cloud:
        return RuleViolation(
            "cloud_mismatch",
            _(
                "%(partner)s works in the %(partner_cloud)s, but %(customer)s is in the %(customer_cloud)s. "
                "A partner can only work with customers in its own cloud."
            )
            % {
                "partner": partner.name,
                "partner_cloud": cloud_label(partner.cloud),
                "customer": customer_name,
                "customer_cloud": cloud_label(customer_cloud),
            },
        )
    if not in_partner_market(partner_country=str(partner.country), customer_country=customer_country):
        return RuleViolation(
            "market_mismatch",
            _(
                "%(partner)s sells in the %(market)s market (from %(partner_country)s), but the tenant of %(customer)s "
                "is registered in %(customer_country)s. Partners can request relationships only with customers in "
                "their own country or market region."
            )
            % {
                "partner": partner.name,
                "market": region_label(partner.market_region),
                # CountryField gives a Country; the django-stubs plugin sees its CharField base (str).
                "partner_country": partner.country.name,  # type: ignore[attr-defined]
                "customer": customer_name,
                "customer_country": countries.name(customer_country) or customer_country,
            },
        )
    return None


def customer_rule_violation(*, partner: Partner, customer: Customer) -> RuleViolation | None:
    return rule_violation(partner=partner, customer_country=str(customer.country), customer_cloud=customer.cloud,
                          customer_name=customer.company_name)


def target_rule_violation(*, partner: Partner, customer: Customer, target: str) -> RuleViolation | None:
    """The rules for the tenant found behind what the partner typed (`target`, a domain), explained
    without disclosing that tenant: neither its name, nor its country, nor its cloud (issue 21,
    item 10). The code is the rule's, as in `customer_rule_violation`."""
    violation = customer_rule_violation(partner=partner, customer=customer)
    if violation is None:
        return None
    if violation.code == "cloud_mismatch":
        return RuleViolation(violation.code, _(
            "The tenant of %(target)s is not in the %(partner_cloud)s. A partner can only work with customers in its own cloud."
        ) % {"target": target, "partner_cloud": cloud_label(partner.cloud)})
    return RuleViolation(violation.code, _(
        "The tenant of %(target)s is registered outside the %(market)s market, where %(partner)s sells. Partners can request "
        "relationships only with customers in their own country or market region."
    ) % {"target": target, "market": region_label(partner.market_region), "partner": partner.name})
