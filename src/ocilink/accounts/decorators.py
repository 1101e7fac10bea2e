"""Page guards: each resolves who the user acts as and refuses, with a page that says why, whoever may not.

Built on the checks in ``permissions.py``; every view of the platform uses one of these four.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render

from .permissions import MembershipRequest, acts_as_administrator, is_platform_staff, is_support
from .selectors import SESSION_ORGANIZATION_KEY, membership_for

View = Callable[..., HttpResponseBase]


def membership_required(view: View) -> View:
    """Require a logged-in user with a membership; put it on ``request.membership`` (see ``MembershipRequest``).

    Platform staff get the transient administrator membership of the organization they chose (see
    ``accounts.selectors``); without a choice they are sent to choose one.
    """

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        membership = membership_for(user=request.user, organization_id=request.session.get(SESSION_ORGANIZATION_KEY))
        if membership is None:
            if is_platform_staff(user=request.user):
                return redirect("accounts:choose_organization")
            return render(request, "accounts/no_membership.html", status=403)
        cast(MembershipRequest, request).membership = membership
        return view(request, *args, **kwargs)

    return wrapper


def administrator_required(view: View) -> View:
    """Like ``membership_required``, for the organization's administrators and platform staff acting in it."""

    @membership_required
    @wraps(view)
    def wrapper(request: MembershipRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not acts_as_administrator(request.membership):
            return render(request, "accounts/administrators_only.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def _staff_guard(check: Callable[..., bool], template: str) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not check(user=request.user):
                return render(request, template, status=403)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


platform_staff_required = _staff_guard(is_platform_staff, "accounts/staff_only.html")
"""Platform staff only: consultants, support, Django staff."""

support_required = _staff_guard(is_support, "accounts/support_only.html")
"""Platform support only: it keeps the catalogue of available webshops."""
