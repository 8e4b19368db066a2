"""Pages and the files they load are sent gzip-compressed to a browser that accepts it; API JSON is not."""

from __future__ import annotations

import gzip

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_page_and_its_stylesheet_are_compressed_for_a_browser_that_accepts_gzip() -> None:
    client = Client(headers={"accept-encoding": "gzip, deflate, br"})
    page = client.get("/accounts/login/")
    assert page.status_code == 200 and page["Content-Encoding"] == "gzip"
    assert b"<!DOCTYPE html>" in gzip.decompress(page.content)
    css = client.get("/static/vendor/bootstrap-5.3.9/bootstrap.min.css")
    assert css.status_code == 200 and css["Content-Encoding"] == "gzip"
    assert len(gzip.decompress(b"".join(css.streaming_content))) > 200_000  # type: ignore[attr-defined]


def test_api_json_and_clients_without_gzip_get_the_bytes_as_before() -> None:
    assert "Content-Encoding" not in Client().get("/accounts/login/")
    api = Client(headers={"accept-encoding": "gzip"}).get("/api/v1/customers")
    assert api["Content-Type"].startswith("application/") and "Content-Encoding" not in api
