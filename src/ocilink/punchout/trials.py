"""Trials (test punchouts): punch into a webshop, receive what it sends back, check it, and import nothing.

Two kinds, one model (``TestPunchout``):

* the **technical roundtrip test** of a connection (onboarding, step "activate and test"): made by
  :func:`trial_create` with the organization's own OCI account of that connection;
* the **supplier self-test** of the public integration guide: made by :func:`trial_create_for_supplier`
  with the webshop URL, field names and test account the supplier typed in (no organization).

Both are started by ``punchout:test_start`` (the same auto-submitting form as a real punchout) and come back to
``punchout:test_return``, whose token is single use and lives two hours. The raw body is stored before it is
parsed; the report is ``protocols.oci.cart_report`` of the parsed cart, the same check as ``ocilink check-cart``.
The report page ``punchout:test_report`` is open to whoever holds its link: the test's id is a random UUID and is
the capability (a supplier has no account).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ocilink.accounts.models import DeliveryAddress, Membership, Organization, Role
from ocilink.accounts.selectors import is_platform_staff
from ocilink.connections.models import Connection, OciCredential
from ocilink.core.crypto import SecretError
from ocilink.protocols.oci import OciError, build_punchout_fields, cart_report, parse_cart

from .models import TestPunchout
from .services import KEPT_HEADERS, TRUNCATED_BODY_KEEP
from .tokens import hash_token, new_token

TRIAL_TTL = timedelta(hours=2)
SELFTEST_REFERENCE = "supplier-selftest"
# The public self-test stores what strangers send, so it is capped: per client address and in all, per hour.
SELFTEST_MAX_PER_CLIENT_PER_HOUR = 10
SELFTEST_MAX_PER_HOUR = 500
# Test ids a browser made through the public self-test form: only that browser may open their start page.
SESSION_SELFTESTS_KEY = "ocilink.selftests"
MAX_SECRET_CHARS = 200
MAX_FIELD_NAME_CHARS = 60


class TrialOutcome(models.TextChoices):
    CHECKED = "checked", gettext_lazy("Checked")
    UNREADABLE = "unreadable", gettext_lazy("The body could not be read")
    EXPIRED = "expired", gettext_lazy("Arrived after the test had expired")
    TOO_LARGE = "too_large", gettext_lazy("The body was too large")
    DUPLICATE = "duplicate", gettext_lazy("Ignored: this test had already received a cart")


class TrialError(Exception):
    """A test punchout cannot be made or started; the message says what to change (and holds no secret)."""


class TooManyTrials(TrialError):
    """The cap on self-tests per hour was reached."""


@dataclass(frozen=True)
class TrialStart:
    """What the start page needs: where to send the browser, how, and with which fields."""

    test: TestPunchout
    url: str
    method: str
    fields: list[tuple[str, str]]


def _new(**values: Any) -> TestPunchout:
    """An unsaved test with a fresh token; the account is sealed by the caller (the context needs the id)."""
    token, now = new_token(), timezone.now()
    test = TestPunchout(token_hash=hash_token(token), created_at=now, expires_at=now + TRIAL_TTL, **values)
    test.token_encrypted = test.seal("token", token)
    return test


def _check_fields(
    *, username_field: str, password_field: str, extra_params: dict[str, str], username: str, password: str
) -> None:
    """Refuse field names or parameters the punchout form cannot be built with (the codec's own rules)."""
    try:
        build_punchout_fields(
            hook_url="https://example.invalid/",
            username=username,
            password=password,
            username_field=username_field,
            password_field=password_field,
            extra_params=extra_params,
        )
    except ValueError as exc:
        raise TrialError(
            _("The field names or extra parameters cannot be used: %(problem)s.") % {"problem": exc}
        ) from exc


def trial_create(
    *,
    organization: Organization,
    connection: Connection,
    credential_user: DeliveryAddress | OciCredential | None = None,
    reference: str,
    created_by: Any,
) -> TestPunchout:
    """A roundtrip test of ``connection`` with the organization's account: the organization-wide one, or the one of
    the delivery address (or credential) given as ``credential_user``.

    Raises :class:`TrialError` when the connection is not the organization's or the account is missing or
    cannot be opened.
    """
    if connection.organization_id != organization.pk:
        raise TrialError(_("This connection belongs to another organization."))
    credentials = OciCredential.objects.filter(organization=organization, connection=connection)
    address: DeliveryAddress | None = None
    if isinstance(credential_user, OciCredential):
        credential = credentials.filter(pk=credential_user.pk).first()
        if credential is None:
            raise TrialError(_("This account does not belong to the connection."))
        address = credential.delivery_address
    elif isinstance(credential_user, DeliveryAddress):
        if credential_user.organization_id != organization.pk:
            raise TrialError(_("This delivery address belongs to another organization."))
        address = credential_user
        credential = credentials.filter(delivery_address=address).first()
        if credential is None:
            raise TrialError(
                _("There is no account of %(connection)s for the delivery address %(address)s.")
                % {"connection": connection.name, "address": address.label}
            )
    else:
        credential = credentials.filter(delivery_address__isnull=True).first()
        if credential is None:
            raise TrialError(
                _("There is no organization-wide account of %(connection)s yet; enter it under its credentials.")
                % {"connection": connection.name}
            )
    try:
        username, password = credential.username, credential.password
    except SecretError as exc:
        raise TrialError(
            _("The account cannot be read with this server's key ring; enter it again under the credentials.")
        ) from exc
    extra_params = {str(k): str(v) for k, v in (connection.extra_params or {}).items()}
    _check_fields(
        username_field=connection.username_field,
        password_field=connection.password_field,
        extra_params=extra_params,
        username=username,
        password=password,
    )
    test = _new(
        organization=organization,
        connection=connection,
        delivery_address=address,
        webshop_url=connection.url,
        method=connection.method,
        username_field=connection.username_field,
        password_field=connection.password_field,
        extra_params=extra_params,
        charset_override=connection.charset_override or "",
        unit_map={str(k): str(v) for k, v in (connection.unit_map or {}).items()},
        created_by=created_by if getattr(created_by, "is_authenticated", False) else None,
        reference=reference[:100],
    )
    test.username_encrypted = test.seal("username", username)
    test.password_encrypted = test.seal("password", password)
    test.save()
    return test


def client_hash(address: str) -> str:
    """A keyed hash of a client's IP address: enough to count its self-tests, without keeping the address."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:selftest:{address}".encode()).hexdigest()


def trial_create_for_supplier(
    *,
    webshop_url: str,
    method: str,
    username_field: str,
    password_field: str,
    extra_params: dict[str, str],
    username: str,
    password: str,
    reference: str = SELFTEST_REFERENCE,
    client: str = "",
    created_by: Any = None,
) -> TestPunchout:
    """A self-test of a supplier's webshop with the test account they typed in; no organization is involved.

    ``client`` (the requester's IP address) caps self-tests at ``SELFTEST_MAX_PER_CLIENT_PER_HOUR`` per address
    and ``SELFTEST_MAX_PER_HOUR`` in all. Raises :class:`TrialError` for input that cannot be used.
    """
    parts = urlsplit(webshop_url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TrialError(_("The webshop URL must start with https:// (or http://) and name a host."))
    method = method.strip().upper()
    if method not in ("POST", "GET"):
        raise TrialError(_("The method must be POST or GET."))
    if len(username) > MAX_SECRET_CHARS or len(password) > MAX_SECRET_CHARS:
        raise TrialError(
            _("The test username and password may have at most %(max)d characters.") % {"max": MAX_SECRET_CHARS}
        )
    names = [username_field, password_field, *extra_params]
    if any(len(name) > MAX_FIELD_NAME_CHARS for name in names):
        raise TrialError(
            _("Field and parameter names may have at most %(max)d characters.") % {"max": MAX_FIELD_NAME_CHARS}
        )
    _check_fields(
        username_field=username_field,
        password_field=password_field,
        extra_params=extra_params,
        username=username,
        password=password,
    )
    hashed = client_hash(client) if client else ""
    hour_ago = timezone.now() - timedelta(hours=1)
    recent = TestPunchout.objects.filter(reference=SELFTEST_REFERENCE, created_at__gte=hour_ago)
    if recent.count() >= SELFTEST_MAX_PER_HOUR or (
        hashed and recent.filter(client_hash=hashed).count() >= SELFTEST_MAX_PER_CLIENT_PER_HOUR
    ):
        raise TooManyTrials(
            _("Too many self-tests were started in the last hour. Try again later, or finish an open test first.")
        )
    test = _new(
        organization=None,
        webshop_url=webshop_url.strip(),
        method=method,
        username_field=username_field,
        password_field=password_field,
        extra_params=dict(extra_params),
        created_by=created_by if getattr(created_by, "is_authenticated", False) else None,
        reference=reference[:100],
        client_hash=hashed,
    )
    test.username_encrypted = test.seal("username", username)
    test.password_encrypted = test.seal("password", password)
    test.save()
    return test


def trial_may_open(*, test: TestPunchout, user: Any, session: Any) -> bool:
    """Whether this browser may open the start page, which holds the webshop password.

    An organization's test: platform staff, or an administrator of that organization. A supplier self-test: the
    browser that made it (its id is in the session), or the logged-in user who made it.
    """
    authenticated = bool(getattr(user, "is_authenticated", False))
    if test.organization_id is not None:
        if not authenticated:
            return False
        return (
            is_platform_staff(user=user)
            or Membership.objects.filter(
                user=user, organization_id=test.organization_id, role=Role.ADMINISTRATOR
            ).exists()
        )
    if authenticated and test.created_by_id == user.pk:
        return True
    return str(test.pk) in (session.get(SESSION_SELFTESTS_KEY) or [])


def trial_start(*, test: TestPunchout, hook_url_for: Any) -> TrialStart:
    """The form that logs the browser in at the webshop, with HOOK_URL pointing at the test return.

    ``hook_url_for(token)`` turns the token into the absolute HOOK_URL. Raises :class:`TrialError` when the
    test has expired or already received its cart.
    """
    if test.used_at is not None:
        raise TrialError(_("This test has already received a cart. Start a new test to try again."))
    if test.is_expired:
        raise TrialError(_("This test has expired. Start a new test."))
    try:
        token, username, password = test.unseal("token"), test.unseal("username"), test.unseal("password")
    except SecretError as exc:
        raise TrialError(_("This test cannot be read with this server's key ring. Start a new test.")) from exc
    fields = build_punchout_fields(
        hook_url=hook_url_for(token),
        username=username,
        password=password,
        username_field=test.username_field,
        password_field=test.password_field,
        extra_params={str(k): str(v) for k, v in (test.extra_params or {}).items()},
    )
    if test.started_at is None:
        TestPunchout.objects.filter(pk=test.pk, started_at__isnull=True).update(started_at=timezone.now())
    return TrialStart(test=test, url=test.webshop_url, method=test.method, fields=fields)


def trial_find(*, token: str) -> TestPunchout | None:
    return TestPunchout.objects.filter(token_hash=hash_token(token)).first()


def trial_receive(*, test: TestPunchout, http_method: str, meta: dict, body: bytes, truncated: bool) -> str:
    """Take one return to the test's HOOK_URL; returns a :class:`TrialOutcome` value.

    The token is claimed atomically first (a second return stores nothing and changes nothing); then the raw body
    is stored, committed, and only then parsed. An expired test or an over-size body keeps the body (the start of
    it) and is not checked. Nothing is ever imported into a cart.
    """
    now = timezone.now()
    claimed = TestPunchout.objects.filter(pk=test.pk, used_at__isnull=True).update(used_at=now)
    if not claimed:
        return TrialOutcome.DUPLICATE
    outcome = ""
    if now >= test.expires_at:
        outcome = TrialOutcome.EXPIRED
    elif truncated:
        outcome = TrialOutcome.TOO_LARGE
    content_type = str(meta.get("CONTENT_TYPE", ""))[:255]
    stored = body[:TRUNCATED_BODY_KEEP] if truncated else body
    TestPunchout.objects.filter(pk=test.pk).update(
        return_body=stored,
        return_content_type=content_type,
        return_headers={key: str(meta[key]) for key in KEPT_HEADERS if key in meta},
        return_size=int(meta.get("CONTENT_LENGTH") or len(body) or 0),
        outcome=outcome,
    )
    if outcome:
        return outcome
    report = trial_check(test=test, body=body, content_type=content_type)
    outcome = TrialOutcome.UNREADABLE if report.get("unreadable") else TrialOutcome.CHECKED
    TestPunchout.objects.filter(pk=test.pk).update(report=report, outcome=outcome)
    return outcome


def trial_check(*, test: TestPunchout, body: bytes, content_type: str) -> dict[str, object]:
    """The check report of a body, as ``ocilink check-cart --json`` gives it (with the test's charset and units).

    A body that cannot be read at all gives a report with one error and ``"unreadable": True``.
    """
    try:
        cart = parse_cart(
            body,
            content_type or None,
            charset_override=test.charset_override or None,
            unit_map={str(k): str(v) for k, v in (test.unit_map or {}).items()},
            max_fields=settings.PUNCHOUT_MAX_FIELDS,
        )
    except OciError as exc:
        return {
            "ok": False,
            "unreadable": True,
            "charset": "",
            "lines": [],
            "errors": [{"line": None, "field": None, "message": str(exc)}],
            "warnings": [],
        }
    return cart_report(cart)


def trials_with_reference(*, reference: str, organization: Organization | None = None) -> Any:
    """The tests made under a reference (e.g. ``"onboarding-step:12"``), newest first; scoped to an organization
    when one is given (``None`` returns the supplier self-tests, which have none)."""
    return TestPunchout.objects.filter(reference=reference, organization=organization).order_by("-created_at")
