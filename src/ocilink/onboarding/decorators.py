"""View decorators for pages of the platform's own staff (across organizations)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .permissions import is_platform_staff, is_support


def _require(
    check: Callable[[Any], bool], template: str
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not check(request.user):
                return render(request, template, status=403)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


platform_staff_required = _require(is_platform_staff, "onboarding/staff_only.html")
"""Platform staff only: consultants, support, Django staff."""

support_required = _require(is_support, "onboarding/support_only.html")
"""Platform support only: it keeps the catalogue of available webshops."""
