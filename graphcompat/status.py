"""Graph's delegatedAdminRelationship statuses ↔ our grant states: the one place they meet.

Graph has more states than we do (approved/activating/terminationRequested/terminating are
transient there: our transitions happen in one transaction), and no `rejected`: a rejected
request is `terminated`, as in Graph when the customer declines.
"""

from __future__ import annotations

from relationships.choices import GrantStatus

GRAPH_STATUSES = (
    "created", "approvalPending", "approved", "activating", "active", "expiring", "expired",
    "terminationRequested", "terminating", "terminated",
)

TO_GRAPH: dict[str, str] = {
    GrantStatus.CREATED: "created",
    GrantStatus.APPROVAL_PENDING: "approvalPending",
    GrantStatus.ACTIVE: "active",
    GrantStatus.REJECTED: "terminated",
    GrantStatus.EXPIRED: "expired",
    GrantStatus.TERMINATED: "terminated",
}


def graph_status(grant_status: str) -> str:
    return TO_GRAPH[grant_status]


def grant_statuses_for(graph: str) -> list[str]:
    """Our states shown as `graph` (empty for Graph's transient states, which never appear here)."""
    return [ours for ours, theirs in TO_GRAPH.items() if theirs == graph]
