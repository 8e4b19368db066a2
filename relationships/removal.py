"""What stands in the way of a partner removing its relationship with a customer.

Rule (PRODUCT.md §5, Removal): the partner's active subscriptions for that customer must be
suspended first. Grants are not blockers: removal ends them. Each blocker names the object and
where to resolve it, for the removal page (links) and the API's problem response (a list).

The blockers live in apps above relationships (subscriptions): they register a source here
(workflows.removal, in WorkflowsConfig.ready()) and removal_blockers asks each in turn.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from django.utils.translation import gettext as _

from relationships.errors import RelationshipError

if TYPE_CHECKING:
    from customers.models import Customer
    from partners.models import Partner


@dataclass(frozen=True)
class RemovalBlocker:
    kind: str  # "active_subscription"
    object_id: int
    label: str
    url: str  # where the partner resolves it (console page)

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.object_id, "label": self.label, "url": self.url}


class RemovalBlockedError(RelationshipError):
    """Removal refused: `blockers` lists what must be resolved first."""

    def __init__(self, blockers: list[RemovalBlocker]) -> None:
        super().__init__("removal_blocked", _("Suspend the active subscriptions of this customer before removing the relationship: "
                                              "%(list)s.") % {"list": ", ".join(b.label for b in blockers)})
        self.blockers = blockers


class RemovalBlockerSource(Protocol):
    def __call__(self, *, partner: Partner, customer: Customer) -> list[RemovalBlocker]: ...


_SOURCES: list[RemovalBlockerSource] = []


def removal_blocker_source_register(source: RemovalBlockerSource) -> None:
    """Add a source of blockers (idempotent: registering the same source twice keeps one)."""
    if source not in _SOURCES:
        _SOURCES.append(source)


def removal_blockers(*, partner: Partner, customer: Customer) -> list[RemovalBlocker]:
    """What every registered source says blocks the removal (today: the active subscriptions)."""
    return [blocker for source in _SOURCES for blocker in source(partner=partner, customer=customer)]
