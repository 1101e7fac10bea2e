"""Punchout views: start (to the webshop), return (HOOK_URL), and the result page under the buyer's session.

The return is the one HOOK_URL of every punchout session, a buyer's or a trial's; the pages of a trial (its start
and its report) are in ``trial_views.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from ocilink.accounts.decorators import membership_required
from ocilink.accounts.permissions import MembershipRequest
from ocilink.accounts.selectors import default_delivery_address, delivery_addresses_of
from ocilink.core.client_address import client_address
from ocilink.core.raw_documents import RawDocumentError, RawDocumentMissing
from ocilink.protocols.oci import OciError, parse_cart
from ocilink.suppliers.selectors import suppliers_for_buyer

from .models import CartReturn, PunchoutSession
from .services import (
    TRUNCATED_BODY_KEEP,
    PunchoutError,
    ReturnResult,
    check_report,
    punchout_find_session,
    punchout_receive,
    punchout_return_keep,
    punchout_start,
)
from .states import ReturnOutcome


@require_POST
@membership_required
def start(request: MembershipRequest, supplier_id: int) -> HttpResponse:
    """Create a punchout session and answer with a page that auto-submits the OCI login form to the webshop."""
    membership = request.membership
    # Without the credential check: the service then says in words that the account for this address is missing.
    supplier = get_object_or_404(suppliers_for_buyer(membership=membership, check_credentials=False), pk=supplier_id)
    address = None
    address_id = request.POST.get("delivery_address")
    if address_id:
        address = delivery_addresses_of(organization=membership.organization).filter(pk=address_id).first()
        if address is None:
            raise Http404("No such delivery address")
    else:
        address = default_delivery_address(membership=membership)
    try:
        started = punchout_start(
            membership=membership,
            supplier=supplier,
            delivery_address=address,
            hook_url_for=lambda token: request.build_absolute_uri(reverse("punchout:return", args=[token])),
        )
    except PunchoutError as exc:
        messages.error(request, str(exc))
        return redirect("suppliers:list")
    # A page of its own, without the navigation: rendered without the request, so that no context processor counts
    # the buyer's approvals and orders for a page that shows none of them.
    context = {
        "supplier": supplier,
        "url": started.url,
        "method": started.method,
        "fields": started.fields,
        "LANGUAGE_CODE": get_language(),
    }
    response = HttpResponse(render_to_string("punchout/start.html", context))
    # The page holds the webshop password: never cache it, never leak its URL onwards.
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


@dataclass(frozen=True)
class HookRequest:
    """What a return to a HOOK_URL brought: the raw body (or only its start), its full size, and the headers."""

    body: bytes
    size: int
    too_large: bool
    meta: dict[str, str]
    method: str


def read_hook_request(request: HttpRequest, *, keep: int | None = None) -> HookRequest:
    """Read a cart return ourselves, within ``PUNCHOUT_MAX_BODY_BYTES`` (Django's global limits do not apply).

    Only the first ``keep`` bytes are read (by default all, within the limit), and of an over-size body at most its
    first ``TRUNCATED_BODY_KEEP``; ``size`` is the full size all the same, as Content-Length declares it (the WSGI
    server sets it, also for a chunked body; without it Django reads nothing). A GET's query string counts as a
    form-urlencoded body.
    """
    limit = settings.PUNCHOUT_MAX_BODY_BYTES
    # Of a body within the limit at most the limit is read, of an over-size one at most its start.
    within = limit if keep is None else min(keep, limit)
    over = TRUNCATED_BODY_KEEP if keep is None else min(keep, TRUNCATED_BODY_KEEP)
    if request.method == "GET":
        raw = request.META.get("QUERY_STRING", "").encode("latin-1", "replace")
        size = len(raw)
        body = raw[: over if size > limit else within]
    else:
        declared = request.META.get("CONTENT_LENGTH") or ""
        size = int(declared) if declared.isdigit() else 0
        body = request.read(over if size > limit else within)
    meta = {k: v for k, v in request.META.items() if isinstance(v, str)}
    if request.method == "GET" and "CONTENT_TYPE" not in meta:
        meta["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
    return HookRequest(body=body, size=size, too_large=size > limit, meta=meta, method=request.method or "POST")


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def return_(request: HttpRequest, token: str) -> HttpResponse:
    """HOOK_URL of every punchout session. A cross-site request without our session cookie and without a CSRF
    token: the token alone authenticates it. The raw body is read here directly, so Django's global field-count and
    body limits (which a 100-line cart already exceeds) do not apply; this view has its own, larger ones. A used or
    expired token's return is read and kept only as far as its start (``punchout_return_keep``)."""
    session = punchout_find_session(token=token)
    if session is None:
        return render(request, "punchout/return_unknown.html", status=404)
    received = read_hook_request(request, keep=punchout_return_keep(session=session))
    try:
        result = punchout_receive(
            session=session,
            http_method=received.method,
            meta=received.meta,
            body=received.body,
            body_size=received.size,
            truncated=received.too_large,
            client_address=client_address(request.META),
        )
    except RawDocumentError:
        # Nothing was imported and the token is still unused: the same cart can be sent again later.
        response = render(request, "punchout/return_not_stored.html", {"session": session}, status=503)
        response["Retry-After"] = "60"
        return response
    limit_mb = settings.PUNCHOUT_MAX_BODY_BYTES / (1024 * 1024)
    if result.outcome == ReturnOutcome.OVER_QUOTA:
        return _over_quota(request, result)
    if session.is_trial:
        if result.outcome == ReturnOutcome.TOO_LARGE:
            return render(request, "punchout/test_closed.html", {"test": session, "too_large_mb": limit_mb}, status=413)
        if result.outcome == ReturnOutcome.EXPIRED:
            return render(request, "punchout/test_closed.html", {"test": session, "expired": True}, status=410)
        # Checked, unreadable or a second return: the browser continues to the report (a top-level GET).
        return HttpResponseRedirect(reverse("punchout:test_report", args=[session.pk]), status=303)
    reference = result.cart_return.reference if result.cart_return is not None else ""
    if result.outcome == ReturnOutcome.TOO_LARGE:
        context = {"limit_mb": limit_mb, "reference": reference}
        return render(request, "punchout/return_too_large.html", context, status=413)
    if result.outcome == ReturnOutcome.EXPIRED:
        return render(request, "punchout/return_expired.html", {"reference": reference}, status=410)
    # Everything else continues under the buyer's own session (a top-level GET carries the Lax cookie).
    return HttpResponseRedirect(reverse("punchout:result", args=[session.pk]), status=303)


def _over_quota(request: HttpRequest, result: ReturnResult) -> HttpResponse:
    """429: a storage limit for cart returns was reached; the page says which, in words, and when to try again."""
    quota = result.quota
    session = result.session
    context = {
        "test": session,
        "over_quota": True,
        "scope": quota.scope if quota else "",
        "window": quota.window if quota else "",
        "limit_mb": (quota.limit / (1024 * 1024)) if quota else 0,
        "reference": result.cart_return.reference if result.cart_return is not None else "",
    }
    template = (
        "punchout/test_closed.html" if session is not None and session.is_trial else "punchout/return_over_quota.html"
    )
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(60 * 60)  # the quotas count a rolling hour and day: an hour frees some room
    return response


@membership_required
def result(request: MembershipRequest, session_id: str) -> HttpResponse:
    """Where the browser lands after the return: the cart, or what the webshop sent wrong, line by line."""
    membership = request.membership
    session = get_object_or_404(
        PunchoutSession.objects.orders().select_related("supplier"),
        pk=session_id,
        organization=membership.organization,
        user=request.user,
    )
    cart_return = session.cart_return
    if cart_return is None:
        return render(request, "punchout/result_waiting.html", {"session": session})
    if cart_return.outcome == ReturnOutcome.IMPORTED:
        messages.success(
            request,
            ngettext(
                "%(count)d line from %(supplier)s was added to your cart.",
                "%(count)d lines from %(supplier)s were added to your cart.",
                cart_return.line_count,
            )
            % {"count": cart_return.line_count, "supplier": session.supplier},
        )
        return redirect("requisitions:cart")
    over_quota = cart_return.outcome == ReturnOutcome.OVER_QUOTA
    return render(
        request,
        "punchout/result_rejected.html",
        {"session": session, "cart_return": cart_return, "over_quota": over_quota, **_quota_limits()},
        status=429 if over_quota else 422,
    )


def _quota_limits() -> dict[str, float]:
    """An organization's storage limits for cart returns, in MB, for the pages that explain a refusal."""
    return {
        "hour_limit_mb": settings.PUNCHOUT_ORG_MAX_BYTES_PER_HOUR / (1024 * 1024),
        "day_limit_mb": settings.PUNCHOUT_ORG_MAX_BYTES_PER_DAY / (1024 * 1024),
    }


# How much of a raw body a page shows.
BODY_PREVIEW_BYTES = 20_000


@staff_member_required
def return_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """For consultants and support: a raw return by its reference, with the check report of its body.

    A whole body is checked again; of a body kept only in part (its start) or already purged, the page shows the
    report and the errors and warnings kept when it arrived, and says why the body is not all there.
    """
    cart_return = get_object_or_404(
        CartReturn.objects.select_related("session__organization", "session__supplier", "session__connection"),
        reference=reference.strip().upper(),
    )
    report: dict[str, object] | None = cart_return.report
    decode_error = ""
    whole = cart_return.purged_at is None and not cart_return.body_truncated
    missing = False
    try:
        # The whole kept body to check it again (the body limits bound it), else only what the page shows.
        body = cart_return.read_body() if whole else cart_return.read_body(BODY_PREVIEW_BYTES)
    except RawDocumentMissing:
        body, whole, missing = b"", False, True
    if whole:
        try:
            cart = parse_cart(
                body,
                cart_return.content_type or None,
                max_fields=settings.PUNCHOUT_MAX_FIELDS,
                **cart_return.session.cart_options(),
            )
            report = check_report(cart)
        except OciError as exc:
            decode_error = str(exc)
    return render(
        request,
        "punchout/return_detail.html",
        {
            "cart_return": cart_return,
            "report": report,
            "decode_error": decode_error,
            "whole": whole,
            "partial_reason": PARTIAL_REASONS.get(cart_return.outcome, ""),
            "retention_days": (
                settings.PUNCHOUT_TRIAL_RETENTION_DAYS
                if cart_return.session.is_trial
                else settings.PUNCHOUT_RAW_RETENTION_DAYS
            ),
            "body_preview": body[:BODY_PREVIEW_BYTES].decode("utf-8", "replace"),
            "body_missing": missing,
        },
    )


# Why only the start of a body was kept, by the return's outcome (for the staff page).
PARTIAL_REASONS: dict[str, Promise] = {
    ReturnOutcome.TOO_LARGE: _("the body was larger than the limit for one cart return"),
    ReturnOutcome.EXPIRED: _("the punchout had expired when it arrived"),
    ReturnOutcome.DUPLICATE: _("the punchout had already returned (its one-time address was used)"),
    ReturnOutcome.OVER_QUOTA: _("the storage limit for cart returns was reached"),
}
