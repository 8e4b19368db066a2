"""Graph's delegatedAdminRelationship statuses ↔ our grant states: the one place they meet.

Graph has more states than we do (approved/activating/terminationRequested/terminating are
transient there: our transitions happen in one transaction), and no `rejected`: a request the
customer rejects reads `terminated` (Graph's own `reject` request action ends a relationship in
`terminated`; `expired` stays what it means in Graph, a request or relationship that ran out of time).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from relationships.choices import GrantStatus

if TYPE_CHECKING:
    from relationships.models import DelegatedAdminGrant

GRAPH_STATUSES = (
    "created", "approvalPending", "approved", "activating", "active", "expiring", "expired",
    "terminationRequested", "terminating", "terminated", "unknownFutureValue",
)
# The enums of the other entities, as Graph's metadata lists them ($filter refuses any other value).
ASSIGNMENT_STATUSES = ("pending", "active", "deleting", "deleted", "error", "unknownFutureValue")
REQUEST_STATUSES = ("created", "pending", "succeeded", "failed", "unknownFutureValue")
REQUEST_ACTIONS = ("lockForApproval", "approve", "terminate", "unknownFutureValue", "reject")
OPERATION_STATUSES = ("notStarted", "running", "succeeded", "failed", "unknownFutureValue")
OPERATION_TYPES = ("delegatedAdminAccessAssignmentUpdate", "unknownFutureValue", "delegatedAdminRelationshipUpdate")

TO_GRAPH: dict[str, str] = {
    GrantStatus.CREATED: "created",
    GrantStatus.APPROVAL_PENDING: "approvalPending",
    GrantStatus.ACTIVE: "active",
    GrantStatus.REJECTED: "terminated",
    GrantStatus.EXPIRED: "expired",
    GrantStatus.TERMINATED: "terminated",
}
ENDED = (GrantStatus.TERMINATED, GrantStatus.REJECTED)


def graph_status(grant_status: str) -> str:
    return TO_GRAPH[grant_status]


def grant_statuses_for(graph: str) -> list[str]:
    """Our states shown as `graph` (empty for Graph's transient states, which never appear here)."""
    return [ours for ours, theirs in TO_GRAPH.items() if theirs == graph]


def graph_end(grant: DelegatedAdminGrant) -> datetime | None:
    """`endDateTime`: the planned end while it runs; when it was terminated (or rejected), that moment."""
    if grant.status in ENDED and grant.terminated_at is not None:
        return grant.terminated_at
    return grant.ends_at


def assignment_status(grant: DelegatedAdminGrant) -> str:
    """An access assignment is `active` while its relationship is; once the relationship has ended
    (terminated or expired) its assignments no longer give access: `deleted`."""
    return "active" if grant.status == GrantStatus.ACTIVE else "deleted"
