"""The market and cloud rules between a partner and a customer tenant, with explanations."""

from __future__ import annotations

from dataclasses import dataclass, field
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
    """A refusal: its code and its words. `params` (market and cloud rules only) keeps what the words
    are made of as codes and names, so a stored violation is put into words in the reader's language
    later (`rule_words`)."""

    code: str
    message: str
    params: dict[str, str] = field(default_factory=dict, compare=False)


def cloud_label(cloud: str) -> str:
    return str(Cloud(cloud).label)


def _country_name(code: str) -> str:
    return str(countries.name(code) or code)


def rule_words(code: str, params: dict[str, str]) -> str:
    """A market or cloud rule's violation in the active language, from its code and `params` (cloud,
    region and country codes, names as given): about a customer, or — with `target` — about the tenant
    behind what the partner typed (disclosing nothing of that tenant)."""
    if "target" in params:
        if code == "cloud_mismatch":
            return _(
                "The tenant of %(target)s is not in the %(partner_cloud)s. A partner can only work with customers in its own cloud."
            ) % {"target": params["target"], "partner_cloud": cloud_label(params["partner_cloud"])}
        return _(
            "The tenant of %(target)s is registered outside the %(market)s market, where %(partner)s sells. Partners can request "
            "relationships only with customers in their own country or market region."
        ) % {"target": params["target"], "market": region_label(params["market"]), "partner": params["partner"]}
    if code == "cloud_mismatch":
        return _(
            "%(partner)s works in the %(partner_cloud)s, but %(customer)s is in the %(customer_cloud)s. "
            "A partner can only work with customers in its own cloud."
        ) % {
            "partner": params["partner"],
            "partner_cloud": cloud_label(params["partner_cloud"]),
            "customer": params["customer"],
            "customer_cloud": cloud_label(params["customer_cloud"]),
        }
    return _(
        "%(partner)s sells in the %(market)s market (from %(partner_country)s), but the tenant of %(customer)s "
        "is registered in %(customer_country)s. Partners can request relationships only with customers in "
        "their own country or market region."
    ) % {
        "partner": params["partner"],
        "market": region_label(params["market"]),
        "partner_country": _country_name(params["partner_country"]),
        "customer": params["customer"],
        "customer_country": _country_name(params["customer_country"]),
    }


def _violation(code: str, params: dict[str, str]) -> RuleViolation:
    return RuleViolation(code, rule_words(code, params), params)


def rule_violation(*, partner: Partner, customer_country: str, customer_cloud: str, customer_name: str) -> RuleViolation | None:
    """None when the partner may work with such a customer; otherwise the reason, in words."""
    if partner.cloud != customer_cloud:
        return _violation("cloud_mismatch", {"partner": partner.name, "partner_cloud": partner.cloud, "customer": customer_name,
                                             "customer_cloud": customer_cloud})
    if not in_partner_market(partner_country=str(partner.country), customer_country=customer_country):
        return _violation("market_mismatch", {"partner": partner.name, "market": partner.market_region,
                                              "partner_country": str(partner.country), "customer": customer_name,
                                              "customer_country": customer_country})
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
        return _violation(violation.code, {"target": target, "partner_cloud": partner.cloud})
    return _violation(violation.code, {"target": target, "market": partner.market_region, "partner": partner.name})
