"""One vocabulary of domain errors with stable, machine-readable codes.

Services raise these; pages show `message`, the API maps `code` to a problem response.
"""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused the action. Nothing was written."""

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


class PermissionDeniedError(DomainError):
    """The actor may see the object but not do this to it."""
