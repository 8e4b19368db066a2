from partnercenter.errors import DomainError


class BatchError(DomainError):
    """A bulk invitation action was refused (file unreadable, batch not confirmable...); `code` says why."""
