"""Exceptions raised by the OCI codec."""

from __future__ import annotations


class OciError(Exception):
    """Base class of every error the OCI codec raises on purpose."""


class OciDecodeError(OciError):
    """The cart body cannot be read at all.

    ``str(error)`` is a sentence a person can act on. ``charset`` is the best
    guess of the body's charset at the time of the failure ("" when unknown).
    """

    def __init__(self, message: str, *, charset: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.charset = charset

    def __str__(self) -> str:
        return self.message
