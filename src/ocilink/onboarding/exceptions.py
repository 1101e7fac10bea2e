"""Errors of onboarding: each message says what to do, and is shown to the person as it is."""

from __future__ import annotations

from django.utils.translation import gettext as _


class OnboardingError(Exception):
    """A change to a connection request that cannot be made; the message says why."""


class NotAllowed(OnboardingError):
    """The person may not do this (another party's step, or not platform staff)."""


class ChargeNotAcknowledged(OnboardingError):
    """The connection would be charged and the requester has not confirmed that."""

    def __init__(self, position: int) -> None:
        self.position = position
        super().__init__(
            _(
                "This would be active connection number %(position)s. The first 5 are free; this one is charged. "
                "Confirm that you agree to request it."
            )
            % {"position": position}
        )
