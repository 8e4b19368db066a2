"""Bulk invitations in Debian chromium with a real Celery worker: upload 50 rows, confirm, watch the
progress bar (static JS polling the JSON endpoint) reach 100 %, then download the result CSV.

The worker runs in a thread on kombu's filesystem transport (no server, no port), as `make run` does.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from celery import signals
from celery.contrib.testing.worker import start_worker
from playwright.sync_api import Page, expect

from invitation_batches.models import InvitationBatch
from invitations.models import Invitation
from partnercenter.celery import app as celery_app
from tests.browser.test_accessibility import axe_violations
from tests.browser.test_console import sign_in
from tests.factories import PASSWORD
from tests.invitation_batches.conftest import csv_text, good_row
from tests.notifications.conftest import _forget_broker_pools, _leave_logging_alone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = Path(__file__).resolve().parents[2] / "var" / "screens"


@pytest.fixture
def filesystem_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """partnercenter's Celery app on a filesystem broker of this test, with one solo worker in a thread."""
    folders = {name: tmp_path / name for name in ("queue", "processed", "control")}
    for folder in folders.values():
        folder.mkdir()
    overrides: dict[str, Any] = {
        "broker_url": "filesystem://", "task_always_eager": False,
        "broker_transport_options": {"data_folder_in": str(folders["queue"]), "data_folder_out": str(folders["queue"]),
                                     "processed_folder": str(folders["processed"]), "control_folder": str(folders["control"]),
                                     "polling_interval": 0.1},
    }
    changes = celery_app.conf.changes
    saved = {key: changes[key] for key in overrides if key in changes}
    _forget_broker_pools(celery_app, close=False)
    for key, value in overrides.items():
        setattr(celery_app.conf, key, value)
    monkeypatch.delenv("TEST_BROKER", raising=False)
    for name in ("CELERY_LOG_LEVEL", "CELERY_LOG_FILE"):
        monkeypatch.setenv(name, os.environ.get(name, ""))
    signals.setup_logging.connect(_leave_logging_alone, weak=False)
    try:
        with start_worker(celery_app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=10.0,
                          loglevel="WARNING") as worker:
            yield worker
    finally:
        signals.setup_logging.disconnect(_leave_logging_alone)
        _forget_broker_pools(celery_app, close=True)
        for key in overrides:
            changes.pop(key, None)
        changes.update(saved)


def test_upload_fifty_rows_watch_progress_reach_100_and_download_the_result(page: Page, live_server, partner_a, filesystem_worker):  # type: ignore[no-untyped-def]
    SCREENS.mkdir(parents=True, exist_ok=True)
    sign_in(page, live_server.url, "admin@contoso.example", PASSWORD)
    page.goto(f"{live_server.url}/p/{partner_a.partner.partner_id}/invitations/")
    page.get_by_role("link", name="Bulk invitations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bulk invitations")
    page.screenshot(path=str(SCREENS / "bulk-upload.png"), full_page=True)

    text = csv_text([good_row(n) for n in range(1, 51)])
    page.get_by_label("CSV file").set_input_files({"name": "customers.csv", "mimeType": "text/csv", "buffer": text.encode()})
    page.get_by_role("button", name="Upload and check").click()
    expect(page.locator(".alert-success")).to_contain_text("All 50 rows passed the checks")
    page.screenshot(path=str(SCREENS / "bulk-preview.png"), full_page=True)

    page.get_by_role("button", name="Confirm and send 50 invitations").click()
    bar = page.get_by_role("progressbar")
    expect(bar).to_be_visible()
    seen: list[int] = []
    page.screenshot(path=str(SCREENS / "bulk-progress.png"), full_page=True)
    # The static script updates aria-valuenow from the JSON endpoint; at 100 % it reloads into the result page.
    expect(bar).to_have_attribute("aria-valuenow", "100", timeout=180_000)
    seen.append(int(bar.get_attribute("aria-valuenow") or 0))
    expect(page.get_by_role("link", name="Download the result (CSV)")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("50 of 50 rows done · 50 sent · 0 failed")).to_be_visible()
    page.screenshot(path=str(SCREENS / "bulk-result.png"), full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the result (CSV)").click()
    download = download_info.value
    assert download.suggested_filename.endswith("-result.csv")
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig"))))
    assert len(rows) == 50 and {r["status"] for r in rows} == {"created"}
    assert {int(r["invitation_id"]) for r in rows} == set(Invitation.objects.values_list("pk", flat=True))
    batch = InvitationBatch.objects.get()
    assert (batch.status, batch.created_rows, batch.failed_rows, seen) == ("completed", 50, 0, [100])


def test_bulk_pages_have_no_wcag_violations(browser, live_server, partner_a):  # type: ignore[no-untyped-def]
    from invitation_batches.services import invitation_batch_confirm, invitation_batch_upload

    with_errors = invitation_batch_upload(membership=partner_a.admin, stream=io.BytesIO(csv_text(
        [good_row(1), good_row(2, country="ZZ"), good_row(3, recipient_email="it1@customer1.example")]).encode()))
    done = invitation_batch_upload(membership=partner_a.admin, stream=io.BytesIO(csv_text([good_row(7), good_row(8)]).encode()))
    invitation_batch_confirm(batch=done, membership=partner_a.admin)  # eager job after commit
    context = browser.new_context(bypass_csp=True)  # axe is injected inline
    page = context.new_page()
    sign_in(page, live_server.url, "admin@contoso.example", PASSWORD)
    base = f"{live_server.url}/p/{partner_a.partner.partner_id}/invitations/bulk/"
    problems = {}
    for path in ("", f"{with_errors.pk}/", f"{done.pk}/"):
        page.goto(base + path)
        found = axe_violations(page)
        if found:
            problems[path] = found
    context.close()
    assert problems == {}
