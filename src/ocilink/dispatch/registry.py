"""The registry of ordering methods: the one list of them. Each channel registers itself with ``@register_channel``
when its module is imported, which ``DispatchConfig.ready()`` does at start-up.

Everything that names the ordering methods (the connection form, the onboarding questions, the catalogue, the
supplier guide) asks this registry; nothing else keeps a list of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy

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


def channel_label(key: str) -> Promise:
    """The method's name in the reader's language."""
    return gettext_lazy(get_channel_class(key).label)


def channel_choices() -> list[tuple[str, Promise]]:
    """``(key, label)`` of every ordering method, for form and model choices."""
    return [(key, gettext_lazy(cls.label)) for key, cls in sorted(_CHANNELS.items())]


def channel_keys() -> list[str]:
    return sorted(_CHANNELS)


def channel_classes() -> dict[str, type[Channel]]:
    return dict(_CHANNELS)


def channel_labels_joined(*, logs_in: bool = False) -> str:
    """The methods' names in the reader's language, as a list in a sentence ("A, B or C").

    ``logs_in`` keeps only the methods that log in at the supplier with a user name and password.
    """
    labels = [
        str(gettext_lazy(cls.label))
        for _key, cls in sorted(_CHANNELS.items())
        if not logs_in or cls.password_secret is not None
    ]
    if len(labels) < 2:
        return "".join(labels)
    return gettext("%(first)s or %(last)s") % {"first": ", ".join(labels[:-1]), "last": labels[-1]}
