"""A bulk row keeps its problems as the rules' codes and parameters, and each reader gets them in its own
language: a batch checked in English reads in Japanese on the page and in the result CSV (issue 21)."""

from __future__ import annotations

import csv
import io

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from invitation_batches.choices import RowStatus
from invitation_batches.models import InvitationBatchRow
from invitation_batches.selectors import row_error_text
from invitation_batches.services import _fail_row
from tests.invitation_batches.conftest import csv_text, good_row

pytestmark = pytest.mark.django_db


def page(client, partner, batch, language: str) -> str:  # type: ignore[no-untyped-def]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    url = reverse("invitation_batches:detail", kwargs={"partner_id": partner.partner_id, "batch_pk": batch.pk})
    return client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()


def result_csv(client, partner, batch) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"
    url = reverse("invitation_batches:result_csv", kwargs={"partner_id": partner.partner_id, "batch_pk": batch.pk})
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="ja")
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_a_batch_checked_in_english_reads_in_japanese(client, partner_a, upload):  # type: ignore[no-untyped-def]
    with translation.override("en"):
        batch = upload(csv_text([good_row(1, country="ZZ"), good_row(2, country="US"), good_row(3, domain="customer2.example")]))
    rows = {row.line: row for row in InvitationBatchRow.objects.filter(batch=batch)}
    assert rows[2].errors[0]["params"] == {"value": "ZZ"} and "is not a country code" in rows[2].errors[0]["message"]
    market = next(e for e in rows[3].errors if e["code"] == "market_mismatch")
    assert market["params"]["customer_country"] == "US" and "United States of America" in market["message"]
    assert next(e for e in rows[4].errors if e["code"] == "duplicate_domain_in_file")["params"] == {"line": 3}

    client.force_login(partner_a.admin.user)
    japanese = page(client, partner_a.partner, batch, "ja")
    assert "「ZZ」は国コードではありません" in japanese and "is not a country code" not in japanese
    assert "アメリカ合衆国" in japanese and "United States of America" not in japanese
    assert "このファイルの 3 行目とドメインが同じです。" in japanese
    assert "is not a country code" in page(client, partner_a.partner, batch, "en")
    lines = {r["line"]: r for r in result_csv(client, partner_a.partner, batch)}
    assert lines["2"]["error_code"] == "invalid_country" and lines["2"]["error"].startswith("「ZZ」は国コードではありません")


def test_rows_stored_before_params_read_as_stored(client, partner_a, upload):  # type: ignore[no-untyped-def]
    batch = upload(csv_text([good_row(1, country="ZZ")]))
    row = InvitationBatchRow.objects.get(batch=batch)
    row.errors = [{"field": "country", "code": "invalid_country", "message": "Old words for ZZ."}]  # no params: an older row
    row.save(update_fields=["errors"])
    client.force_login(partner_a.admin.user)
    assert "Old words for ZZ." in page(client, partner_a.partner, batch, "ja")
    assert row_error_text(row) == ("invalid_country", "Old words for ZZ.")


def test_the_jobs_own_failures_are_worded_for_the_reader(partner_a, upload):  # type: ignore[no-untyped-def]
    batch = upload(csv_text([good_row(1), good_row(2)]))
    first, second = InvitationBatchRow.objects.filter(batch=batch).order_by("line")
    with translation.override("en"):
        _fail_row(batch, first, code="forbidden", params={})
        _fail_row(batch, second, code="refused", message="A service's refusal, as worded then.")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == second.status == RowStatus.FAILED and first.error_params == {} and second.error_params is None
    with translation.override("ja"):
        assert row_error_text(first)[1] != first.error_message and "revoked" not in row_error_text(first)[1]
        assert row_error_text(second) == ("refused", "A service's refusal, as worded then.")
