"""Fixtures of the domain area these tests came from (issue 20: page/admin/API tests live under their interface)."""

from tests.relationships.conftest import (  # noqa: F401
    _fresh_rate_limits,
    agent,
    client_for,
    global_admin_roles,
    helpdesk,
    issue_key,
    pending_grant,
    related,
)
