from __future__ import annotations

import csv
import io
from collections.abc import Iterable

import pytest

from invitation_batches.csv_format import COLUMNS
from invitation_batches.services import invitation_batch_upload
from tests.api.conftest import _fresh_rate_limits, issue_key  # noqa: F401  (API key fixtures, shared)


def csv_text(rows: Iterable[dict[str, str]], header: Iterable[str] = COLUMNS) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    header = list(header)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(name, "") for name in header])
    return buffer.getvalue()


def good_row(n: int, **overrides: str) -> dict[str, str]:
    row = {"company": f"Company {n}", "recipient_email": f"it{n}@customer{n}.example", "domain": f"customer{n}.example",
           "country": "JP", "include_delegated_admin": "yes", "role_bundle": "helpdesk", "language": "en"}
    row.update(overrides)
    return row


@pytest.fixture
def upload(partner_a):  # type: ignore[no-untyped-def]
    """Upload CSV text as partner_a's account admin; returns the checked batch."""

    def _upload(text: str, membership=None, **kwargs):  # type: ignore[no-untyped-def]
        return invitation_batch_upload(membership=membership or partner_a.admin, stream=io.BytesIO(text.encode()),
                                       filename="customers.csv", **kwargs)

    return _upload
