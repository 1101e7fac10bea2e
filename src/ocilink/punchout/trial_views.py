"""Views of the test punchout (a trial): start (to the webshop), return (its HOOK_URL) and the check report.

The return reads the raw body itself, with the same helper and limits as the real HOOK_URL view, and never
imports anything into a cart. The start and report pages open for the same people: for an organization's test its
administrators and platform staff, for a supplier's self-test the browser that made it.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from .models import TestPunchout
from .trials import (
    TrialError,
    TrialOutcome,
    trial_find,
    trial_may_open,
    trial_receive,
    trial_start,
)
from .views import read_hook_request


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_GET
def start(request: HttpRequest, test_id: str) -> HttpResponse:
    """The page that auto-submits the OCI login form to the webshop, like the real start page."""
    test = get_object_or_404(TestPunchout, pk=test_id)
    if not trial_may_open(test=test, user=request.user, session=request.session):
        if test.organization_id is not None and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise Http404("No such test punchout")
    try:
        started = trial_start(
            test=test,
            hook_url_for=lambda token: request.build_absolute_uri(reverse("punchout:test_return", args=[token])),
        )
    except TrialError as exc:
        return _private(render(request, "punchout/test_closed.html", {"test": test, "problem": str(exc)}, status=410))
    response = render(
        request,
        "punchout/test_start.html",
        {"test": test, "url": started.url, "method": started.method, "fields": started.fields},
    )
    # The page holds the webshop password: never cache it, never leak its URL onwards.
    return _private(response)


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def return_(request: HttpRequest, token: str) -> HttpResponse:
    """HOOK_URL of a test: a cross-site request authenticated by its token alone (single use, two hours)."""
    test = trial_find(token=token)
    if test is None:
        return render(request, "punchout/test_unknown.html", status=404)
    received = read_hook_request(request)
    outcome = trial_receive(
        test=test, http_method=received.method, meta=received.meta, body=received.body, truncated=received.too_large
    )
    if outcome == TrialOutcome.TOO_LARGE:
        limit_mb = settings.PUNCHOUT_MAX_BODY_BYTES / (1024 * 1024)
        return render(request, "punchout/test_closed.html", {"test": test, "too_large_mb": limit_mb}, status=413)
    if outcome == TrialOutcome.EXPIRED:
        return render(request, "punchout/test_closed.html", {"test": test, "expired": True}, status=410)
    # Checked, unreadable or a second return: the browser continues to the report (a top-level GET).
    return HttpResponseRedirect(reverse("punchout:test_report", args=[test.pk]), status=303)


@require_GET
def report(request: HttpRequest, test_id: str) -> HttpResponse:
    """The check report of what the webshop sent back."""
    test = get_object_or_404(TestPunchout.objects.select_related("organization", "connection"), pk=test_id)
    if not trial_may_open(test=test, user=request.user, session=request.session):
        if test.organization_id is not None and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise Http404("No such test punchout")
    body = bytes(test.return_body or b"")
    return _private(
        render(
            request,
            "punchout/test_report.html",
            {
                "test": test,
                "report": test.report,
                "outcome_label": TrialOutcome(test.outcome).label if test.outcome else "",
                "body_preview": body[:20000].decode("utf-8", "replace"),
                "body_cut": len(body) > 20000,
            },
        )
    )
