from partnercenter.errors import DomainError


class SubscriptionError(DomainError):
    """A subscription or support contact action was refused; `code` says why."""
