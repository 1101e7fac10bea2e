"""How long a login lasts: platform staff get a shorter session than customers."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .permissions import is_platform_staff


def session_expiry_set(sender: Any, *, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """On login (``user_logged_in``), give platform staff a session of ``STAFF_SESSION_SECONDS``.

    Staff can act in every organization, so a forgotten browser should not stay logged in for Django's two weeks
    (``SESSION_COOKIE_AGE``, what customers keep). A receiver rather than a login view: staff log in through the
    platform's login page and the Django admin's, and both send this signal.
    """
    if request is None or not hasattr(request, "session"):
        return
    if is_platform_staff(user=user):
        request.session.set_expiry(settings.STAFF_SESSION_SECONDS)
