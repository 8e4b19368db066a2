"""/readyz against servers of our own: it names the dependency that is down, and recovers with it."""

from __future__ import annotations

import json

import pytest

from tests.ops.conftest import created_test_database_url, http_get, ops_port

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def readiness(base_url: str) -> tuple[int, dict]:
    status, body = http_get(f"{base_url}/readyz")
    return status, json.loads(body)


def test_readyz_names_the_broker_and_cache_when_their_redis_stops(redis_server, app_server):
    env = {
        "DATABASE_URL": created_test_database_url(),
        "REDIS_URL": f"redis://127.0.0.1:{redis_server.port}/1",
        "CELERY_BROKER_URL": redis_server.url,
    }
    with app_server(ops_port(1), env) as base_url:
        status, body = readiness(base_url)
        assert status == 200, body
        assert body["failing"] == []
        assert set(body["checks"]) == {"database", "migrations", "cache", "broker"}
        assert all(check["ok"] and check["latency_ms"] >= 0 for check in body["checks"].values())

        redis_server.stop()
        status, body = readiness(base_url)
        assert status == 503
        assert body["status"] == "unavailable"
        assert body["failing"] == ["cache", "broker"]
        assert body["checks"]["database"]["ok"] is True
        assert body["checks"]["broker"]["error"]
        # A dead broker is reported, not waited for. The bound on the wait is the checks' own timeouts
        # (partnercenter/health.py); the wall clock here only tells "answered" from "hung", so a busy
        # machine cannot fail it.
        assert body["latency_ms"] < 60_000, "a dead broker is reported, not waited for"

        redis_server.start()
        status, body = readiness(base_url)
        assert status == 200, body

        # Liveness never depends on anything.
        redis_server.stop()
        assert http_get(f"{base_url}/healthz")[0] == 200


def test_readyz_names_the_database_when_it_is_unreachable(redis_server, app_server):
    closed_port = ops_port(9)  # nothing listens there
    env = {
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{closed_port}/nothing",
        "REDIS_URL": f"redis://127.0.0.1:{redis_server.port}/1",
        "CELERY_BROKER_URL": redis_server.url,
    }
    with app_server(ops_port(1), env) as base_url:
        status, body = readiness(base_url)
        assert status == 503
        assert body["failing"] == ["database", "migrations"]
        assert "OperationalError" in body["checks"]["database"]["error"]
        assert body["checks"]["migrations"]["error"] == "skipped: database unreachable"
        assert body["checks"]["broker"]["ok"] is True
        assert http_get(f"{base_url}/healthz")[0] == 200
