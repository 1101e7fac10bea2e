"""Trials: punchout sessions that punch into a webshop, receive what it sends back, check it, and import nothing.

Two purposes of :class:`~ocilink.punchout.models.PunchoutSession`:

* the **roundtrip test** of a connection (onboarding, step "activate and test"): made by :func:`trial_create` with
  the organization's own OCI account of that connection;
* the **supplier self-test** of the public integration guide: made by :func:`trial_create_for_supplier` with the
  webshop URL, field names and test account the supplier typed in (no organization).

A trial is made first and started later from ``punchout:test_start`` (the same auto-submitting form as a real
punchout). Its token is made, hashed and claimed like every session's, and lives two hours; the webshop sends the
cart back to the one HOOK_URL, ``punchout:return``, whose flow (``services.punchout_receive``) stores the raw body,
checks it with ``protocols.oci.cart_report`` (the same check as ``ocilink check-cart``) and keeps the report with
the return. The start and report pages (``punchout:test_report``) open for an organization's test to its
administrators and platform staff, and for a self-test to the browser (or the logged-in user) that made it.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ocilink.accounts.models import DeliveryAddress, Membership, Organization, Role
from ocilink.accounts.permissions import is_platform_staff
from ocilink.connections.models import Connection, OciCredential
from ocilink.core.client_address import client_key
from ocilink.core.crypto import SecretError
from ocilink.protocols.oci import build_punchout_fields

from .models import PunchoutSession
from .quotas import selftest_quota_exceeded
from .services import PunchoutStart
from .states import SessionPurpose
from .tokens import hash_token, new_token

# How long a trial may wait for its cart: the pages say "two hours".
TRIAL_TTL = timedelta(hours=2)
SELFTEST_REFERENCE = "supplier-selftest"
# The public self-test stores what strangers send, so it is capped: how many self-tests start per client address
# and in all per hour (here), and how many bytes their returns keep per client address and in all per day (the
# settings SELFTEST_MAX_BYTES_PER_CLIENT_PER_DAY and SELFTEST_MAX_BYTES_PER_DAY, checked in quotas.py).
SELFTEST_MAX_PER_CLIENT_PER_HOUR = 10
SELFTEST_MAX_PER_HOUR = 500
# Ids of the self-tests a browser made through the public form: only that browser may open their pages.
SESSION_SELFTESTS_KEY = "ocilink.selftests"
MAX_SECRET_CHARS = 200
MAX_FIELD_NAME_CHARS = 60


class TrialError(Exception):
    """A trial cannot be made or started; the message says what to change (and holds no secret)."""


class TooManyTrials(TrialError):
    """The cap on self-tests per hour was reached."""


def _create(*, username: str, password: str, **values: Any) -> PunchoutSession:
    """Save a trial with a fresh token, its account and token sealed for this row."""
    token, now = new_token(), timezone.now()
    trial = PunchoutSession(token_hash=hash_token(token), created_at=now, expires_at=now + TRIAL_TTL, **values)
    trial.token_encrypted = trial.seal("token", token)
    trial.username_encrypted = trial.seal("username", username)
    trial.password_encrypted = trial.seal("password", password)
    trial.save()
    return trial


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
) -> PunchoutSession:
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
    return _create(
        purpose=SessionPurpose.ROUNDTRIP_TEST,
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
        user=created_by if getattr(created_by, "is_authenticated", False) else None,
        reference=reference[:100],
        username=username,
        password=password,
    )


def client_hash(address: str) -> str:
    """A keyed hash of a client's IP address (of its /64 network for IPv6, see ``core.client_address.client_key``):
    enough to count its self-tests, without keeping the address."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:selftest:{client_key(address)}".encode()).hexdigest()


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
) -> PunchoutSession:
    """A self-test of a supplier's webshop with the test account they typed in; no organization is involved.

    ``client`` (the requester's IP address, behind the trusted proxies: ``core.client_address``) caps self-tests at
    ``SELFTEST_MAX_PER_CLIENT_PER_HOUR`` per address and ``SELFTEST_MAX_PER_HOUR`` in all, and refuses a new one
    while the returns of that address, or of all self-tests, have used up their bytes for the day. Raises
    :class:`TooManyTrials` then, and :class:`TrialError` for input that cannot be used.
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
    now = timezone.now()
    recent = PunchoutSession.objects.filter(
        purpose=SessionPurpose.SUPPLIER_SELFTEST, created_at__gte=now - timedelta(hours=1)
    )
    if recent.count() >= SELFTEST_MAX_PER_HOUR or (
        hashed and recent.filter(client_hash=hashed).count() >= SELFTEST_MAX_PER_CLIENT_PER_HOUR
    ):
        raise TooManyTrials(
            _("Too many self-tests were started in the last hour. Try again later, or finish an open test first.")
        )
    if selftest_quota_exceeded(client_hash=hashed, adding=1, now=now) is not None:
        raise TooManyTrials(
            _(
                "The self-tests have sent back as much as this platform keeps for one day. "
                "Try again tomorrow, or test with a smaller cart."
            )
        )
    return _create(
        purpose=SessionPurpose.SUPPLIER_SELFTEST,
        organization=None,
        webshop_url=webshop_url.strip(),
        method=method,
        username_field=username_field,
        password_field=password_field,
        extra_params=dict(extra_params),
        user=created_by if getattr(created_by, "is_authenticated", False) else None,
        reference=reference[:100],
        client_hash=hashed,
        username=username,
        password=password,
    )


def trial_may_open(*, trial: PunchoutSession, user: Any, browser_session: Any) -> bool:
    """Whether this browser may open the trial's start page (it holds the webshop password) and its report.

    An organization's test: platform staff, or an administrator of that organization. A supplier self-test: the
    browser that made it (its id is in the browser's session), or the logged-in user who made it.
    """
    if not trial.is_trial:
        return False
    authenticated = bool(getattr(user, "is_authenticated", False))
    if trial.organization_id is not None:
        if not authenticated:
            return False
        return (
            is_platform_staff(user=user)
            or Membership.objects.filter(
                user=user, organization_id=trial.organization_id, role=Role.ADMINISTRATOR
            ).exists()
        )
    if authenticated and trial.user_id == user.pk:
        return True
    return str(trial.pk) in (browser_session.get(SESSION_SELFTESTS_KEY) or [])


def trial_start(*, trial: PunchoutSession, hook_url_for: Any) -> PunchoutStart:
    """The form that logs the browser in at the webshop, with the trial's HOOK_URL.

    ``hook_url_for(token)`` turns the token into the absolute HOOK_URL. Raises :class:`TrialError` when the
    test has expired or already received its cart.
    """
    if trial.used_at is not None:
        raise TrialError(_("This test has already received a cart. Start a new test to try again."))
    if trial.is_expired:
        raise TrialError(_("This test has expired. Start a new test."))
    try:
        token, username, password = trial.unseal("token"), trial.unseal("username"), trial.unseal("password")
    except SecretError as exc:
        raise TrialError(_("This test cannot be read with this server's key ring. Start a new test.")) from exc
    fields = build_punchout_fields(
        hook_url=hook_url_for(token),
        username=username,
        password=password,
        username_field=trial.username_field,
        password_field=trial.password_field,
        extra_params={str(k): str(v) for k, v in (trial.extra_params or {}).items()},
    )
    if trial.started_at is None:
        PunchoutSession.objects.filter(pk=trial.pk, started_at__isnull=True).update(started_at=timezone.now())
    return PunchoutStart(session=trial, url=trial.webshop_url, method=trial.method, fields=fields)


def trials_with_reference(*, reference: str, organization: Organization | None = None) -> QuerySet[PunchoutSession]:
    """The trials made under a reference (e.g. ``"onboarding-step:12"``), newest first; scoped to an organization
    when one is given (``None`` returns the supplier self-tests, which have none)."""
    return (
        PunchoutSession.objects.trials().filter(reference=reference, organization=organization).order_by("-created_at")
    )
