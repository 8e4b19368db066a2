"""Fixtures of the domain area these tests came from (issue 20: page/admin/API tests live under their interface)."""

from tests.subscriptions.conftest import agent, helpdesk, related  # noqa: F401
