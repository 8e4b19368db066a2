"""Fixtures of the domain area these tests came from (issue 20: page/admin/API tests live under their interface)."""

from tests.servicerequests.conftest import (  # noqa: F401
    _fresh_rate_limits,
    active_grant,
    agent,
    client_for,
    helpdesk,
    issue_key,
    related,
)
