"""Fixtures of the domain area these tests came from (issue 20: page/admin/API tests live under their interface)."""

from tests.invitation_batches.conftest import _fresh_rate_limits, issue_key, upload  # noqa: F401
