"""The sweep world, built once per module inside a transaction rolled back at the module's end; each
test runs in a savepoint of it (pytest-django's `db`), so one test's writes never reach the next."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import transaction

from tests.malformed.world import SweepWorld, build_world


@pytest.fixture(scope="module")
def _module_world(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def world(_module_world, db, settings) -> SweepWorld:  # type: ignore[no-untyped-def]
    settings.API_RATE_LIMIT = "1000000/min"
    settings.MAILBOX_ENABLED = True
    cache.clear()
    yield _module_world
    cache.clear()
