from partnercenter.errors import DomainError


class GrantError(DomainError):
    """A delegated admin action was refused; `code` says why."""


class RelationshipError(DomainError):
    """A relationship action was refused; `code` says why."""
