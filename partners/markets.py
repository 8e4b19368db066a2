"""Market rule data: which countries a partner may sell to, from its own country.

The table (country -> market region) is a data file naming its source
(`partners/data/market_regions.json`, replaceable with settings.MARKET_REGIONS_FILE).
A partner may work with a customer whose tenant country equals the partner's country or lies
in the partner's market region.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

REGION_LABELS: dict[str, Promise] = {
    "north_america": _("North America"),
    "europe": _("Europe"),
    "middle_east": _("Middle East"),
    "africa": _("Africa"),
    "asia_pacific": _("Asia Pacific"),
    "latin_america": _("Latin America and Caribbean"),
    "brazil": _("Brazil"),
    "india": _("India"),
    "japan": _("Japan"),
    "china": _("China"),
}


@dataclass(frozen=True)
class MarketTable:
    source: str
    region_by_country: dict[str, str]

    def region_of(self, country: str) -> str:
        return self.region_by_country.get(country.upper(), "")


class MarketTableError(ValueError):
    pass


def parse_market_table(raw: dict) -> MarketTable:
    """Validate and index the table. Each country belongs to exactly one region."""
    if not isinstance(raw.get("source"), str) or not raw["source"].strip():
        raise MarketTableError("The market table must name its source.")
    region_by_country: dict[str, str] = {}
    for region, body in raw.get("regions", {}).items():
        for country in body.get("countries", []):
            code = str(country).upper()
            if len(code) != 2 or not code.isalpha():
                raise MarketTableError(f"{country!r} in {region!r} is not an ISO 3166-1 alpha-2 code.")
            if code in region_by_country:
                raise MarketTableError(f"{code} is in both {region_by_country[code]!r} and {region!r}.")
            region_by_country[code] = region
    return MarketTable(source=raw["source"], region_by_country=region_by_country)


@lru_cache(maxsize=4)
def _load(path: str) -> MarketTable:
    return parse_market_table(json.loads(Path(path).read_text(encoding="utf-8")))


def market_table() -> MarketTable:
    return _load(settings.MARKET_REGIONS_FILE)


def market_region_for(country: str) -> str:
    return market_table().region_of(country)


def region_label(region: str) -> str:
    return str(REGION_LABELS.get(region, region.replace("_", " ").title()))


def in_partner_market(*, partner_country: str, customer_country: str) -> bool:
    """The market rule: same country, or the customer's country lies in the partner's region."""
    if partner_country.upper() == customer_country.upper():
        return True
    region = market_region_for(partner_country)
    return bool(region) and region == market_region_for(customer_country)
