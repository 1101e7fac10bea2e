"""View decorators that resolve the current organization from the logged-in user."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .models import Role
from .selectors import SESSION_ORGANIZATION_KEY, is_platform_staff, membership_for


def membership_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Require a logged-in user with a membership; put it on ``request.membership``.

    Platform staff get the transient administrator membership of the organization they chose (see
    ``accounts.selectors``); without a choice they are sent to choose one.
    """

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        membership = membership_for(user=request.user, organization_id=request.session.get(SESSION_ORGANIZATION_KEY))
        if membership is None:
            if is_platform_staff(user=request.user):
                return redirect("accounts:choose_organization")
            return render(request, "accounts/no_membership.html", status=403)
        request.membership = membership  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper


def administrator_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Like ``membership_required``, for administrators of the organization (and platform staff acting in it)."""

    @membership_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.membership.role != Role.ADMINISTRATOR:  # type: ignore[attr-defined]
            return render(request, "accounts/administrators_only.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper
