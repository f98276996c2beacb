"""Errors the domain raises for input people can fix; interfaces show them as they are."""

from __future__ import annotations

from typing import Sequence


class DomainError(ValueError):
    """A request the store cannot carry out as asked; the message says what to do."""

    title = "Cannot do that"

    def __init__(self, message: str, suggestions: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.suggestions = tuple(suggestions)


class ValidationError(DomainError):
    title = "Invalid value"


class UnknownReference(DomainError):
    title = "Unknown name"


class DuplicateRecord(DomainError):
    title = "Already recorded"


class RecordNotFound(DomainError):
    title = "No such record"


class InUse(DomainError):
    title = "Still in use"
