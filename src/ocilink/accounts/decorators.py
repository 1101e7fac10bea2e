"""View decorators that resolve the current organization from the logged-in user."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .selectors import SESSION_ORGANIZATION_KEY, membership_for


def membership_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Require a logged-in user with a membership; put it on ``request.membership``."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        membership = membership_for(user=request.user, organization_id=request.session.get(SESSION_ORGANIZATION_KEY))
        if membership is None:
            return render(request, "accounts/no_membership.html", status=403)
        request.membership = membership  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper
