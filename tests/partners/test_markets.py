"""Market rule data: a named source, one region per country, overridable by settings."""

from __future__ import annotations

import json

import pytest

from partners.clouds import portal_for
from partners.markets import MarketTableError, in_partner_market, market_table, parse_market_table


def test_the_table_names_its_source():
    assert "Partner Center" in market_table().source


@pytest.mark.parametrize(
    ("partner_country", "customer_country", "allowed"),
    [
        ("JP", "JP", True),  # own country
        ("JP", "US", False),  # Japan is a single-country market
        ("DE", "FR", True),  # same region (Europe)
        ("DE", "US", False),
        ("US", "CA", True),  # North America
        ("BR", "AR", False),  # Brazil sells only in Brazil
        ("ZA", "KE", True),  # Africa
    ],
)
def test_market_rule(partner_country, customer_country, allowed):
    assert in_partner_market(partner_country=partner_country, customer_country=customer_country) is allowed


def test_the_table_can_be_replaced_by_settings(settings, tmp_path):
    path = tmp_path / "regions.json"
    path.write_text(json.dumps({"source": "test table", "regions": {"pacific": {"countries": ["JP", "US"]}}}))
    settings.MARKET_REGIONS_FILE = str(path)
    assert market_table().source == "test table"
    assert in_partner_market(partner_country="JP", customer_country="US") is True


@pytest.mark.parametrize(
    "raw",
    [
        {"regions": {}},  # no source
        {"source": "x", "regions": {"a": {"countries": ["JP"]}, "b": {"countries": ["jp"]}}},  # two regions
        {"source": "x", "regions": {"a": {"countries": ["JPN"]}}},  # not alpha-2
    ],
)
def test_malformed_tables_are_refused(raw):
    with pytest.raises(MarketTableError):
        parse_market_table(raw)


def test_each_cloud_has_its_own_acceptance_portal(settings):
    assert portal_for("public").name == "Customer admin center"
    assert portal_for("us_gov").name.startswith("Office admin portal")
    settings.CLOUD_PORTALS = {**settings.CLOUD_PORTALS, "germany": {"portal_name": "Portal DE", "base_url": "https://de.example/"}}
    assert portal_for("germany").base_url == "https://de.example"
