from partnercenter.errors import DomainError


class DirectoryError(DomainError):
    """A directory user or license action was refused; `code` says why."""
