"""HOOK_URL tokens: 256 random bits, handed out once, stored only as a SHA-256 hash."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_BYTES = 32  # 256 bits; the issue asks for at least 128


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_reference() -> str:
    """A short reference a buyer can read out to a consultant, e.g. ``RT-7QK2M9XD``."""
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    return "RT-" + "".join(secrets.choice(alphabet) for _ in range(8))
