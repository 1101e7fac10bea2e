"""The registry of ordering methods: the one list of them. Each channel registers itself with ``@register_channel``
when its module is imported, which ``DispatchConfig.ready()`` does at start-up.

Everything that names the ordering methods (the connection form, the onboarding questions, the catalogue, the
supplier guide) asks this registry, or ``choices`` for their names in the reader's language; nothing else keeps a
list of them. Like the channels, this module imports no Django.
"""

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


def get_channel(key: str) -> Channel:
    return get_channel_class(key)()


def get_channel_class(key: str) -> type[Channel]:
    try:
        return _CHANNELS[key]
    except KeyError:
        raise KeyError(f"Unknown ordering method {key!r}.") from None


def channel_keys() -> list[str]:
    return sorted(_CHANNELS)


def channel_classes() -> dict[str, type[Channel]]:
    return dict(_CHANNELS)
