"""Fixtures of the domain area these tests came from (issue 20: page/admin/API tests live under their interface)."""

from tests.directory.conftest import agent, helpdesk, people, related, seats  # noqa: F401
