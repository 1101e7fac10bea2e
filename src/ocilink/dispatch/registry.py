"""The registry of ordering methods: each channel registers itself with ``@register_channel``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from ocilink.dispatch.channels.base import Channel

_CHANNELS: dict[str, type[Channel]] = {}

C = TypeVar("C", bound=type[Channel])


def register_channel() -> Callable[[C], C]:
    def decorator(cls: C) -> C:
        if cls.key in _CHANNELS and _CHANNELS[cls.key] is not cls:
            raise ValueError(f"An ordering method {cls.key!r} is already registered.")
        _CHANNELS[cls.key] = cls
        return cls

    return decorator


def _load() -> None:
    # Importing the modules registers them.
    from ocilink.dispatch.channels import cxml_https, cxml_sftp, email_pdf  # noqa: F401


def get_channel(key: str) -> Channel:
    _load()
    try:
        return _CHANNELS[key]()
    except KeyError:
        raise KeyError(f"Unknown ordering method {key!r}.") from None


def channel_choices() -> list[tuple[str, str]]:
    _load()
    return [(key, cls.label) for key, cls in sorted(_CHANNELS.items())]


def channel_classes() -> dict[str, type[Channel]]:
    _load()
    return dict(_CHANNELS)
