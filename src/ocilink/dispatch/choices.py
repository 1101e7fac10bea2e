"""The ordering methods' names in the reader's language, for forms, model choices and sentences."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy

from .registry import channel_classes, get_channel_class


def channel_label(key: str) -> Promise:
    """The method's name in the reader's language."""
    return gettext_lazy(get_channel_class(key).label)


def channel_choices() -> list[tuple[str, Promise]]:
    """``(key, label)`` of every ordering method, for form and model choices."""
    return [(key, gettext_lazy(cls.label)) for key, cls in sorted(channel_classes().items())]


def channel_labels_joined(*, logs_in: bool = False) -> str:
    """The methods' names in the reader's language, as a list in a sentence ("A, B or C").

    ``logs_in`` keeps only the methods that log in at the supplier with a user name and password.
    """
    labels = [
        str(gettext_lazy(cls.label))
        for _key, cls in sorted(channel_classes().items())
        if not logs_in or cls.password_secret is not None
    ]
    if len(labels) < 2:
        return "".join(labels)
    return gettext("%(first)s or %(last)s") % {"first": ", ".join(labels[:-1]), "last": labels[-1]}
