"""The OpenAPI schema and its two UIs, served from local files under a CSP relaxed for them only."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def test_the_schema_is_public_openapi_3_with_the_bearer_scheme(client):  # type: ignore[no-untyped-def]
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["components"]["securitySchemes"]["ApiKey"] == {
        "type": "http", "scheme": "bearer", "bearerFormat": "pck_…", "description": schema["components"]["securitySchemes"]["ApiKey"]["description"],
    }
    operations = [op for item in schema["paths"].values() for method, op in item.items() if method in {"get", "post", "put", "patch", "delete"}]
    assert len(operations) >= 20
    for operation in operations:
        assert operation["security"] == [{"ApiKey": []}], operation["operationId"]
        assert f"Required scope: `{operation['x-required-scope']}`" in operation["description"]
        assert "application/problem+json" in operation["responses"]["401"]["content"]


@pytest.mark.parametrize("path", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_the_uis_load_local_assets_only(client, path):  # type: ignore[no-untyped-def]
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/") for s in sources), sources
    assert "<script>" not in html and "<style>" not in html  # nothing inline
    assert "/static/drf_spectacular_sidecar/" in html
    csp = response["Content-Security-Policy"]
    assert "script-src 'self';" in csp + ";" and "'unsafe-inline'" in csp.split("style-src", 1)[1].split(";", 1)[0]


def test_the_swagger_init_script_is_a_separate_same_origin_file(client):  # type: ignore[no-untyped-def]
    response = client.get("/api/v1/docs/", {"script": ""})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "/api/v1/schema/" in response.content.decode()


def test_the_site_csp_stays_strict_elsewhere(client):  # type: ignore[no-untyped-def]
    csp = client.get("/accounts/login/")["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "blob:" not in csp


def test_the_schema_documents_the_webhook_signature_snippet(client):  # type: ignore[no-untyped-def]
    from pathlib import Path

    description = client.get("/api/v1/schema/", {"format": "json"}).json()["info"]["description"]
    docs = (Path(__file__).resolve().parents[2] / "docs" / "webhooks.md").read_text()
    snippet = docs.split("```python\n", 1)[1].split("```", 1)[0]
    assert snippet in description
    assert "insufficient_scope" in description and "Idempotency-Key" in description
