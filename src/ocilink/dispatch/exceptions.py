"""Dispatch errors, split by what the caller must do: retry later, or stop and tell a person."""

from __future__ import annotations

from typing import Any

# Keys of ``DispatchError.evidence`` with a meaning of their own (the rest are facts about the supplier's answer):
MESSAGE_CODE = "message_code"  # which message this is, so a page can say it in the reader's language
MESSAGE_PARAMS = "message_params"  # the values that message names
# What only the platform's staff see: the libraries' own words about a failed connection. They tell what is behind
# a port (nothing, a firewall, something that is not TLS or SSH), so a customer's page must not show them.
TECHNICAL = "technical"


class DispatchError(Exception):
    """A try failed. ``message`` is one plain English sentence that says what happened and what to do.

    Where a channel names the message with a ``code`` and its ``params``, they are also kept in ``evidence``
    (``message_code``, ``message_params``), which every attempt records, so a page can show the message in the
    reader's language from them.
    """

    def __init__(
        self,
        message: str,
        *,
        request: bytes = b"",
        response: bytes = b"",
        evidence: dict[str, Any] | None = None,
        code: str = "",
        params: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.request = request
        self.response = response
        self.code = code
        self.params = dict(params or {})
        self.evidence = dict(evidence or {})
        if code:
            self.evidence[MESSAGE_CODE] = code
            self.evidence[MESSAGE_PARAMS] = self.params


class TransientDispatchError(DispatchError):
    """Worth retrying with the same document: a timeout, a refused connection, HTTP 5xx, SMTP 4xx."""


class PermanentDispatchError(DispatchError):
    """Retrying will not help: wrong credentials, a refused order, a host key mismatch, a private address, SMTP 5xx."""
