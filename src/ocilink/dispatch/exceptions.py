"""Dispatch errors, split by what the caller must do: retry later, or stop and tell a person."""

from __future__ import annotations

from typing import Any


class DispatchError(Exception):
    """A try failed. ``message`` is one plain sentence that says what happened and what to do."""

    def __init__(
        self, message: str, *, request: bytes = b"", response: bytes = b"", evidence: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.request = request
        self.response = response
        self.evidence = evidence or {}


class TransientDispatchError(DispatchError):
    """Worth retrying with the same document: a timeout, a refused connection, HTTP 5xx, SMTP 4xx."""


class PermanentDispatchError(DispatchError):
    """Retrying will not help: wrong credentials, a refused order, a bad certificate or host key, SMTP 5xx."""
