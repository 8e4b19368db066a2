"""Fixtures of the area this test came from (issue 20: the grant approval page is an admin center page)."""

from tests.graphcompat.conftest import graph_world  # noqa: F401
