"""Pages of a trial (a roundtrip test or a supplier self-test): its start page and its check report.

The cart comes back to the one HOOK_URL of every punchout session (``views.return_``), which never imports a
trial's cart. The start and report pages open for the same people: for an organization's test its administrators
and platform staff, for a supplier's self-test the browser that made it.
"""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from ocilink.core.raw_documents import RawDocumentMissing

from . import trials
from .models import PunchoutSession
from .states import ReturnOutcome
from .views import BODY_PREVIEW_BYTES

# How the report names the outcome of a trial's return (a trial refuses nothing: it reports).
OUTCOME_LABELS: dict[str, Promise] = {
    ReturnOutcome.CHECKED: _("Checked"),
    ReturnOutcome.UNREADABLE: _("The body could not be read"),
    ReturnOutcome.EXPIRED: _("Arrived after the test had expired"),
    ReturnOutcome.TOO_LARGE: _("The body was too large"),
    ReturnOutcome.OVER_QUOTA: _("Not checked: the storage limit for cart returns was reached"),
}


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _trial(request: HttpRequest, test_id: str) -> PunchoutSession | HttpResponse:
    """The trial, if this browser may open it; else a login page (an organization's test) or a 404."""
    trial = get_object_or_404(PunchoutSession.objects.trials().select_related("organization", "connection"), pk=test_id)
    if not trials.trial_may_open(trial=trial, user=request.user, browser_session=request.session):
        if trial.organization_id is not None and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise Http404("No such test punchout")
    return trial


@require_GET
def start(request: HttpRequest, test_id: str) -> HttpResponse:
    """The page that auto-submits the OCI login form to the webshop, like the real start page."""
    trial = _trial(request, test_id)
    if isinstance(trial, HttpResponse):
        return trial
    try:
        started = trials.trial_start(
            trial=trial,
            hook_url_for=lambda token: request.build_absolute_uri(reverse("punchout:return", args=[token])),
        )
    except trials.TrialError as exc:
        return _private(render(request, "punchout/test_closed.html", {"test": trial, "problem": str(exc)}, status=410))
    response = render(
        request,
        "punchout/test_start.html",
        {"test": trial, "url": started.url, "method": started.method, "fields": started.fields},
    )
    # The page holds the webshop password: never cache it, never leak its URL onwards.
    return _private(response)


@require_GET
def report(request: HttpRequest, test_id: str) -> HttpResponse:
    """The check report of what the webshop sent back."""
    trial = _trial(request, test_id)
    if isinstance(trial, HttpResponse):
        return trial
    cart_return = trial.cart_return
    body, missing = b"", False
    if cart_return is not None:
        try:
            body = cart_return.read_body(BODY_PREVIEW_BYTES + 1)
        except RawDocumentMissing:
            missing = True
    return _private(
        render(
            request,
            "punchout/test_report.html",
            {
                "test": trial,
                "cart_return": cart_return,
                "report": cart_return.report if cart_return is not None else None,
                "outcome_label": OUTCOME_LABELS.get(cart_return.outcome, "") if cart_return is not None else "",
                "body_preview": body[:BODY_PREVIEW_BYTES].decode("utf-8", "replace"),
                "body_cut": len(body) > BODY_PREVIEW_BYTES,
                "body_missing": missing,
            },
        )
    )
