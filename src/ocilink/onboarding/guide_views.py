"""The public supplier integration guide (no login): the guide, generated from the code by ``connections.guide``, and
the supplier self-test, a trial punchout into the supplier's webshop with a test account."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from ocilink.connections.forms import SupplierSelfTestForm
from ocilink.connections.guide import guide_context
from ocilink.core.client_address import client_address
from ocilink.punchout.trials import (
    SELFTEST_REFERENCE,
    SESSION_SELFTESTS_KEY,
    TooManyTrials,
    TrialError,
    trial_create_for_supplier,
)


@require_GET
def guide_index(request: HttpRequest) -> HttpResponse:
    """The supplier integration guide, generated from the code (public, no login)."""
    hook_url = request.build_absolute_uri(reverse("punchout:return", args=["TOKEN"]))
    return render(request, "onboarding/guide.html", guide_context(hook_url=hook_url))


@require_http_methods(["GET", "POST"])
def guide_selftest(request: HttpRequest) -> HttpResponse:
    """The supplier self-test (public): punch into your webshop with a test account and see the check report."""
    form = SupplierSelfTestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                test = trial_create_for_supplier(
                    webshop_url=data["webshop_url"],
                    method=data["method"],
                    username_field=data["username_field"],
                    password_field=data["password_field"],
                    extra_params=data["extra_params"],
                    username=data["username"],
                    password=data["password"],
                    reference=SELFTEST_REFERENCE,
                    client=client_address(request.META),
                    created_by=request.user,
                )
            except TrialError as exc:
                form.add_error(None, str(exc))
                status = 429 if isinstance(exc, TooManyTrials) else 400
            else:
                # Only this browser may open the start page, which holds the test password.
                mine = [*request.session.get(SESSION_SELFTESTS_KEY, []), str(test.pk)][-20:]
                request.session[SESSION_SELFTESTS_KEY] = mine
                return redirect("punchout:test_start", test.pk)
        else:
            status = 400
    return render(request, "onboarding/guide_selftest.html", {"form": form}, status=status)
