"""What every state machine shares: the error for a transition its table does not allow.

Each stateful app keeps its own ``states.py`` with its TextChoices, its transition table ``{from: {allowed to}}`` and
a pure ``ensure_…_transition`` that raises :class:`InvalidTransition`.
"""

from __future__ import annotations


class InvalidTransition(Exception):
    """A state change that the transition table does not allow; the message says which."""
