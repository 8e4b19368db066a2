"""Shared by the export tests of the console (tests/console/exports) and of the API (tests/api): the customers
both export and reading an export back. One definition, so the API's "same file as the console" checks and the
console's own checks read the same rows the same way."""

from __future__ import annotations

import csv
import io

from tests.console.exports.xlsx import xlsx_rows
from tests.factories import CustomerFactory, RelationshipFactory

__all__ = ["EVIL", "csv_rows", "csv_text", "export_customers", "xlsx_rows"]

EVIL = "=HYPERLINK(\"http://evil.example\",\"x\")"  # a company name a spreadsheet would run as a formula


def csv_text(response) -> str:  # type: ignore[no-untyped-def]
    """A streamed CSV export's text (its UTF-8 BOM removed)."""
    assert response.streaming
    return b"".join(response.streaming_content).decode("utf-8-sig")


def csv_rows(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return list(csv.reader(io.StringIO(csv_text(response))))


def export_customers(partner_a, partner_b):  # type: ignore[no-untyped-def]
    """Four customers of partner A (two named Northwind, one named like a formula) and one of partner B also
    named Northwind, which no export of A's may show: (A's relationships, B's relationship)."""
    mine = [RelationshipFactory(partner=partner_a.partner, customer=CustomerFactory(company_name=name, primary_domain=domain))
            for name, domain in [("Northwind Traders", "northwind.example"), ("Northwind Labs", "nwlabs.example"),
                                 (EVIL, "evil.example"), ("Adatum", "adatum.example")]]
    theirs = RelationshipFactory(partner=partner_b.partner, customer=CustomerFactory(company_name="Northwind Secret",
                                                                                  primary_domain="secret.example"))
    return mine, theirs
