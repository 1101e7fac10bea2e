"""Punchout: start a session, receive the cart return, and import it into the buyer's cart or, for a trial, check it.

Every session, whatever its purpose, comes back through :func:`punchout_receive`: one token, one raw store, then
a branch on the purpose. Trials are made in ``trials.py``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ocilink.accounts.models import DeliveryAddress, Membership
from ocilink.connections.selectors import credential_for
from ocilink.core.crypto import SecretError
from ocilink.protocols.oci import OciCart, OciError, Problem, build_punchout_fields, cart_report, parse_cart
from ocilink.requisitions.cart import CartFull, order_request_add_punchout_lines
from ocilink.suppliers.models import Supplier

from .line_limit import cart_full_problem, too_many_lines_problem
from .models import CartReturn, PunchoutSession
from .states import ReturnOutcome, SessionPurpose, SessionStatus, ensure_transition
from .tokens import hash_token, new_reference, new_token

logger = logging.getLogger(__name__)

# Request headers worth keeping with a raw return for diagnosis. Cookies and authorization never are.
KEPT_HEADERS = ("CONTENT_TYPE", "CONTENT_LENGTH", "HTTP_USER_AGENT", "HTTP_ORIGIN", "HTTP_REFERER", "REMOTE_ADDR")
# An over-size body is refused, but its start is kept so a consultant can see what the webshop tried to send.
TRUNCATED_BODY_KEEP = 64 * 1024


class PunchoutError(Exception):
    """A punchout cannot start; the message says what the buyer or their administrator can do."""


@dataclass(frozen=True)
class PunchoutStart:
    """What a start page needs: where to send the browser, how, and with which fields (an order's or a trial's)."""

    session: PunchoutSession
    url: str
    method: str
    fields: list[tuple[str, str]]


@dataclass(frozen=True)
class ReturnResult:
    """What happened to one POST to HOOK_URL."""

    outcome: str
    session: PunchoutSession | None
    cart_return: CartReturn | None


def punchout_start(
    *,
    membership: Membership,
    supplier: Supplier,
    delivery_address: DeliveryAddress | None,
    hook_url_for: Callable[[str], str],
) -> PunchoutStart:
    """Create a session with a fresh one-time token and build the form that logs the buyer in at the webshop.

    ``hook_url_for(token)`` turns the token into the absolute HOOK_URL (the view knows the host).
    """
    organization = membership.organization
    if supplier.organization_id != organization.pk:
        raise PunchoutError(_("This supplier does not belong to your organization."))
    connection = supplier.external_connection
    if supplier.is_blocked:
        raise PunchoutError(
            _("%(supplier)s is blocked for ordering. Ask your administrator.") % {"supplier": supplier.name}
        )
    if connection is None or not connection.is_active:
        raise PunchoutError(
            _("%(supplier)s has no active webshop connection. Ask your administrator.") % {"supplier": supplier.name}
        )
    if delivery_address is not None and delivery_address.organization_id != organization.pk:
        raise PunchoutError(_("This delivery address belongs to another organization."))
    credential = credential_for(connection=connection, delivery_address=delivery_address)
    if credential is None:
        where = delivery_address.label if delivery_address else _("your organization")
        raise PunchoutError(
            _(
                "There is no webshop account of %(supplier)s for %(where)s. "
                "Your administrator can enter it under the connection's credentials."
            )
            % {"supplier": supplier.name, "where": where}
        )
    try:
        username, password = credential.username, credential.password
    except SecretError as exc:
        logger.error("OCI credential %s of connection %s cannot be decrypted", credential.pk, connection.pk)
        raise PunchoutError(
            _(
                "The webshop account of %(supplier)s cannot be read with this server's key ring. "
                "Ask your administrator to enter it again."
            )
            % {"supplier": supplier.name}
        ) from exc

    token = new_token()
    now = timezone.now()
    session = PunchoutSession.objects.create(
        purpose=SessionPurpose.ORDER,
        organization=organization,
        user=membership.user,
        supplier=supplier,
        connection=connection,
        delivery_address=delivery_address,
        token_hash=hash_token(token),
        created_at=now,
        expires_at=now + timedelta(seconds=settings.PUNCHOUT_TOKEN_TTL_SECONDS),
    )
    fields = build_punchout_fields(
        hook_url=hook_url_for(token),
        username=username,
        password=password,
        username_field=connection.username_field,
        password_field=connection.password_field,
        extra_params={str(k): str(v) for k, v in (connection.extra_params or {}).items()},
    )
    return PunchoutStart(session=session, url=connection.url, method=connection.method, fields=fields)


def _store_return(
    *, session: PunchoutSession, http_method: str, meta: dict, body: bytes, truncated: bool, outcome: str = ""
) -> CartReturn:
    headers = {key: str(meta[key]) for key in KEPT_HEADERS if key in meta}
    return CartReturn.objects.create(
        session=session,
        reference=new_reference(),
        http_method=http_method,
        content_type=str(meta.get("CONTENT_TYPE", ""))[:255],
        headers=headers,
        body=body[:TRUNCATED_BODY_KEEP] if truncated else body,
        body_size=int(meta.get("CONTENT_LENGTH") or len(body) or 0),
        body_truncated=truncated,
        outcome=outcome,
    )


def punchout_find_session(*, token: str) -> PunchoutSession | None:
    return (
        PunchoutSession.objects.select_related("connection", "supplier", "organization", "user")
        .filter(token_hash=hash_token(token))
        .first()
    )


def punchout_receive(
    *, session: PunchoutSession, http_method: str, meta: dict, body: bytes, truncated: bool = False
) -> ReturnResult:
    """Handle one return to HOOK_URL, whatever the session's purpose: store the raw body, claim the token once,
    parse it, then import the cart (an order) or check it and keep its report (a trial). The purposes differ in
    one more point, when the token is spent:

    * an order stores every return first, even a second one with a used token (it is recorded as a duplicate); its
      token is spent only by a return that arrives in time and in size;
    * a trial claims its token first and keeps only that first return, whatever it is: anyone may post to a
      self-test's HOOK_URL, so what it stores is capped. A later return stores nothing (outcome duplicate).

    ``truncated`` says the body was over-size and holds only its start: it is stored and refused. The raw return is
    committed before anything else can fail, so what the webshop sent is never lost.
    """
    now = timezone.now()
    if session.is_trial and not _claim(session, now):
        return ReturnResult(ReturnOutcome.DUPLICATE, session, None)
    cart_return = _store_return(
        session=session,
        http_method=http_method,
        meta=meta,
        body=body,
        truncated=truncated,
        outcome=ReturnOutcome.TOO_LARGE if truncated else "",
    )
    if truncated:
        return ReturnResult(ReturnOutcome.TOO_LARGE, session, cart_return)
    if now >= session.expires_at:
        _set_outcome(cart_return, ReturnOutcome.EXPIRED)
        return ReturnResult(ReturnOutcome.EXPIRED, session, cart_return)
    # Claim the single-use token atomically: only the first return gets here.
    if not session.is_trial and not _claim(session, now):
        _set_outcome(cart_return, ReturnOutcome.DUPLICATE)
        return ReturnResult(ReturnOutcome.DUPLICATE, session, cart_return)

    try:
        cart = parse_cart(
            body,
            str(meta.get("CONTENT_TYPE") or "") or None,
            max_fields=settings.PUNCHOUT_MAX_FIELDS,
            **session.cart_options(),
        )
    except OciError as exc:
        return _unreadable(session=session, cart_return=cart_return, message=str(exc))
    if session.is_trial:
        return _check(session=session, cart_return=cart_return, cart=cart)
    return _import(session=session, cart_return=cart_return, cart=cart)


def _claim(session: PunchoutSession, now: datetime) -> bool:
    """Spend the session's token with one atomic UPDATE; whether this call was the one that spent it."""
    return bool(PunchoutSession.objects.filter(pk=session.pk, used_at__isnull=True).update(used_at=now))


def _unreadable(*, session: PunchoutSession, cart_return: CartReturn, message: str) -> ReturnResult:
    errors = [{"line": None, "field": None, "message": message}]
    with transaction.atomic():
        cart_return.outcome = ReturnOutcome.UNREADABLE
        cart_return.errors = errors
        fields = ["outcome", "errors"]
        if session.is_trial:
            # The report of a body that cannot be read at all: one error, and "unreadable".
            cart_return.report = {
                "ok": False,
                "unreadable": True,
                "charset": "",
                "lines": [],
                "errors": errors,
                "warnings": [],
            }
            fields.append("report")
        cart_return.save(update_fields=fields)
        _session_transition(session, SessionStatus.CHECKED if session.is_trial else SessionStatus.REJECTED)
    return ReturnResult(ReturnOutcome.UNREADABLE, session, cart_return)


def _check(*, session: PunchoutSession, cart_return: CartReturn, cart: OciCart) -> ReturnResult:
    """A trial: keep the check report of the cart, as ``ocilink check-cart --json`` gives it; import nothing."""
    with transaction.atomic():
        _describe(cart_return, cart)
        cart_return.report = cart_report(cart)
        cart_return.outcome = ReturnOutcome.CHECKED
        cart_return.save(update_fields=["charset", "line_count", "errors", "warnings", "report", "outcome"])
        _session_transition(session, SessionStatus.CHECKED)
    return ReturnResult(ReturnOutcome.CHECKED, session, cart_return)


def _import(*, session: PunchoutSession, cart_return: CartReturn, cart: OciCart) -> ReturnResult:
    with transaction.atomic():
        _describe(cart_return, cart)
        organization, user, supplier = session.organization, session.user, session.supplier
        connection = session.connection
        if organization is None or user is None or supplier is None or connection is None:
            # The buyer or the connection was deleted while the buyer was in the webshop: keep it, import nothing.
            message = _("The buyer or the connection of this punchout no longer exists.")
            cart_return.errors = [{"line": None, "field": None, "message": message}, *cart_return.errors]
            return _reject(session, cart_return)
        if not cart.ok:
            return _reject(session, cart_return)
        if refusal := _over_line_limit(cart):
            cart_return.errors = [refusal]
            return _reject(session, cart_return)
        try:
            order_request_add_punchout_lines(
                organization=organization,
                requester=user,
                supplier=supplier,
                connection=connection,
                delivery_address=session.delivery_address,
                cart_return=cart_return,
                cart=cart,
                max_lines=settings.PUNCHOUT_MAX_LINES,
            )
        except CartFull as exc:
            cart_return.errors = [cart_full_problem(exc)]
            return _reject(session, cart_return)
        cart_return.outcome = ReturnOutcome.IMPORTED
        cart_return.save(update_fields=["charset", "line_count", "errors", "warnings", "outcome"])
        _session_transition(session, SessionStatus.IMPORTED)
    return ReturnResult(ReturnOutcome.IMPORTED, session, cart_return)


def _over_line_limit(cart: OciCart) -> dict[str, object] | None:
    """The refusal of a return with more lines than ``PUNCHOUT_MAX_LINES``, else None: the cart page shows every
    line, so one return may not bring more than it renders in good time."""
    if len(cart.lines) <= settings.PUNCHOUT_MAX_LINES:
        return None
    return too_many_lines_problem(count=len(cart.lines), limit=settings.PUNCHOUT_MAX_LINES)


def _reject(session: PunchoutSession, cart_return: CartReturn) -> ReturnResult:
    cart_return.outcome = ReturnOutcome.REJECTED
    cart_return.save(update_fields=["charset", "line_count", "errors", "warnings", "outcome"])
    _session_transition(session, SessionStatus.REJECTED)
    return ReturnResult(ReturnOutcome.REJECTED, session, cart_return)


def _describe(cart_return: CartReturn, cart: OciCart) -> None:
    cart_return.charset = cart.charset
    cart_return.line_count = len(cart.lines)
    cart_return.errors = [_problem(p) for p in cart.errors]
    cart_return.warnings = [_problem(p) for p in cart.warnings]


def _session_transition(session: PunchoutSession, target: str) -> None:
    locked = PunchoutSession.objects.select_for_update().get(pk=session.pk)
    ensure_transition(locked.status, target)
    locked.status = target
    locked.save(update_fields=["status"])
    session.status = target


def _set_outcome(cart_return: CartReturn, outcome: str) -> None:
    cart_return.outcome = outcome
    cart_return.save(update_fields=["outcome"])


def _problem(problem: Problem) -> dict[str, object]:
    return {"line": problem.line, "field": problem.field, "message": problem.message}
