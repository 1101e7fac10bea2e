"""Secrets at rest: a Fernet key ring (MultiFernet), the first key encrypts, every key decrypts.

Fernet has no associated data, so each secret is sealed together with a *context* string that names where it
belongs (for example ``oci-credential:<organization>:<connection>:password``). A ciphertext copied to another
row or another tenant then fails to open instead of leaking across.
"""

from __future__ import annotations

import json
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class SecretError(Exception):
    """A stored secret cannot be opened: wrong key ring, or it was moved to a row it does not belong to."""


@lru_cache(maxsize=4)
def _ring(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("OCILINK_KEYRING is empty: give at least one Fernet key.")
    try:
        return MultiFernet([Fernet(k.encode()) for k in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "OCILINK_KEYRING holds a value that is not a Fernet key (32 url-safe base64-encoded bytes). "
            "Make one with `ocilink generate_key`."
        ) from exc


def keyring() -> MultiFernet:
    """The configured key ring."""
    return _ring(tuple(settings.OCILINK_KEYRING))


def generate_key() -> str:
    """A new random Fernet key, as text."""
    return Fernet.generate_key().decode()


def encrypt_secret(value: str, *, context: str) -> str:
    """Seal ``value`` under the first key of the ring, bound to ``context``."""
    envelope = json.dumps({"c": context, "v": value}, separators=(",", ":"))
    return keyring().encrypt(envelope.encode()).decode()


def decrypt_secret(token: str, *, context: str) -> str:
    """Open a secret sealed by :func:`encrypt_secret`; raise :class:`SecretError` if it cannot be opened here."""
    try:
        envelope = json.loads(keyring().decrypt(token.encode()))
    except (InvalidToken, ValueError) as exc:
        raise SecretError("The secret cannot be decrypted with the configured key ring.") from exc
    if envelope.get("c") != context:
        raise SecretError("The secret belongs to another record and was refused.")
    return str(envelope["v"])


def rotate_secret(token: str) -> str:
    """Re-encrypt a sealed secret under the current first key, keeping its context."""
    try:
        return keyring().rotate(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretError("The secret cannot be decrypted with the configured key ring.") from exc


def mask(value: str | None) -> str:
    """A hint of a secret for display: never more than its last two characters."""
    if not value:
        return ""
    if len(value) <= 4:
        return "•" * 4
    return "•" * 6 + value[-2:]
