from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from partnercenter.errors import DomainError

if TYPE_CHECKING:
    from invitations.duplicates import DuplicateFinding


class InvitationError(DomainError):
    """An invitation action was refused; `code` says why (stable, machine-readable).

    `findings`: when the duplicate check refused a create, everything it found (blocking ones
    first), so a page can link to the customer or offer to resend the pending invitation.
    """

    def __init__(self, code: str, message: str, *, field: str | None = None,
                 findings: Sequence[DuplicateFinding] = ()) -> None:
        super().__init__(code, message, field=field)
        self.findings: tuple[DuplicateFinding, ...] = tuple(findings)
