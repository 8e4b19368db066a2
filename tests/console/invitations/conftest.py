"""Fixtures of the domain area these tests came from (issue 20: page/admin/API tests live under their interface)."""

from tests.invitations.conftest import make_invitation, open_link  # noqa: F401
