from partnercenter.errors import DomainError


class InvitationError(DomainError):
    """An invitation action was refused; `code` says why (stable, machine-readable)."""
