"""Fixtures of the domain area these tests came from (issue 20: page/admin/API tests live under their interface)."""

from tests.audit.conftest import auditor, auditor_client, operator, operator_client, superuser_client  # noqa: F401
