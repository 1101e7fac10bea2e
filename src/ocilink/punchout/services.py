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

from ocilink.accounts.models import DeliveryAddress, Membership, Organization
from ocilink.connections.selectors import credential_for
from ocilink.core import raw_documents
from ocilink.core.crypto import SecretError
from ocilink.core.states import InvalidTransition
from ocilink.protocols.oci import OciCart, OciError, Problem, build_punchout_fields, cart_report, parse_cart
from ocilink.requisitions.cart import CartFull, order_request_add_punchout_lines
from ocilink.suppliers.models import Supplier

from . import tracing
from .line_limit import cart_full_problem, kept_problems, too_many_lines_problem
from .models import CartReturn, PunchoutSession
from .quotas import QuotaExceeded, organization_quota_exceeded, selftest_quota_exceeded
from .states import ReturnOutcome, SessionPurpose, SessionStatus, ensure_transition, sources_of
from .tokens import hash_token, new_reference, new_token

logger = logging.getLogger(__name__)

# Request headers worth keeping with a raw return for diagnosis, each cut to KEPT_HEADER_CHARS (they come from
# outside). Cookies and authorization never are. The client's address (behind the trusted proxies) is kept too.
KEPT_HEADERS = ("CONTENT_TYPE", "CONTENT_LENGTH", "HTTP_USER_AGENT", "HTTP_ORIGIN", "HTTP_REFERER", "REMOTE_ADDR")
KEPT_HEADER_CHARS = 1000
# An over-size body to a valid punchout is refused, but its start is kept so a consultant can see what the webshop
# tried to send.
TRUNCATED_BODY_KEEP = 64 * 1024
# Anything else that is not a valid punchout's return (the token was used or had expired, or a storage quota was
# reached) keeps only this much of its start, with its size: enough to see what was sent, too little to fill a disk.
SPENT_BODY_KEEP = 2 * 1024
# A buyer's punchout keeps at most this many returns (the one that counts, and re-posts such as a double click);
# later ones store nothing. A trial keeps only its first.
MAX_RETURNS_PER_SESSION = 5
# The largest size a return records (the column's range); a declared Content-Length may claim anything.
MAX_RECORDED_SIZE = 2**31 - 1
# The folder of raw cart returns in the storage of raw documents (``core.raw_documents``).
CART_RETURNS = "cart-returns"


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
    """What happened to one POST to HOOK_URL (``quota``: the limit it passed, for ``over_quota``)."""

    outcome: str
    session: PunchoutSession | None
    cart_return: CartReturn | None
    quota: QuotaExceeded | None = None


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


def _token_spent(session: PunchoutSession, now: datetime) -> bool:
    """Whether a return to this session is no valid punchout's: its token expired, or was used (as far as this row
    knows; the atomic claim decides a race)."""
    return now >= session.expires_at or session.used_at is not None


def punchout_return_keep(*, session: PunchoutSession) -> int | None:
    """How many bytes of a return to this session are worth reading: only the start that would be kept for a used
    or expired token; ``None`` (all that the body limits allow) for a valid one."""
    if _token_spent(session, timezone.now()):
        return SPENT_BODY_KEEP
    return None


def _quota_exceeded(session: PunchoutSession, *, now: datetime) -> QuotaExceeded | None:
    """The storage quota that the returns kept so far, this one included (its row is written in this
    transaction), pass: its organization's, or a self-test's (per client and in all)."""
    if session.organization_id is not None:
        # One return of an organization at a time adds up, so parallel returns cannot all slip under. The lock is
        # held from here to the commit: taken last, it never waits on another return's parsing or import. It is
        # FOR NO KEY UPDATE (PostgreSQL): it excludes the other returns' quota checks, but not the key-share locks
        # of the rows that merely refer to the organization (a new punchout, cart or audit event checks its foreign
        # key with one), which a FOR UPDATE would keep waiting until this return commits.
        locked = Organization.objects.select_for_update(no_key=True).filter(pk=session.organization_id)
        list(locked.order_by().values_list("pk"))
        return organization_quota_exceeded(organization_id=session.organization_id, adding=0, now=now)
    if session.purpose == SessionPurpose.SUPPLIER_SELFTEST:
        return selftest_quota_exceeded(client_hash=session.client_hash, adding=0, now=now)
    return None


class _OverQuota(Exception):
    """Rolls back what a return did (its lines, its report) to the savepoint before it: the quota says no."""

    def __init__(self, exceeded: QuotaExceeded) -> None:
        super().__init__(exceeded)
        self.exceeded = exceeded


def punchout_find_session(*, token: str) -> PunchoutSession | None:
    """The session of a HOOK_URL's token, with its connection (how to read the cart); its other rows are named by
    id only: the return needs no more of them."""
    found = PunchoutSession.objects.select_related("connection").filter(token_hash=hash_token(token))
    return next(iter(found.order_by()[:1]), None)  # the hash is unique: no ORDER BY


@dataclass(frozen=True)
class _Received:
    """One POST to HOOK_URL as it is recorded: what was kept of its body, under which name, and how it was read."""

    session: PunchoutSession
    http_method: str
    meta: dict
    body: bytes
    name: str
    reference: str
    size: int
    truncated: bool
    expired: bool
    spent: bool
    now: datetime
    client_address: str
    parsed: OciCart | str | None  # the cart, why it cannot be read, or None (not parsed: spent or over-size)


def punchout_receive(
    *,
    session: PunchoutSession,
    http_method: str,
    meta: dict,
    body: bytes,
    truncated: bool = False,
    body_size: int | None = None,
    client_address: str = "",
) -> ReturnResult:
    """Handle one return to HOOK_URL, whatever the session's purpose: keep the raw body, claim the token once,
    parse it, then import the cart (an order) or check it and keep its report (a trial). The purposes differ in
    one more point, when the token is spent:

    * an order keeps its returns, also a re-post with a used token (it is recorded as a duplicate), up to
      ``MAX_RETURNS_PER_SESSION``; its token is spent only by a return that arrives in time, in size and within
      the organization's storage quota (a return over the quota spends it too: the buyer punches out again later);
    * a trial claims its token with its first return and keeps only that one, whatever it is: anyone may post to a
      self-test's HOOK_URL, so what it stores is capped. A later return stores nothing (outcome duplicate).

    Only a valid token's return (not expired, not used) keeps its whole body, and only within the storage quota of
    its organization or self-test client (``quotas.py``); any other keeps its first ``SPENT_BODY_KEEP`` bytes and
    its size, and a return over a quota is refused (``over_quota``). ``truncated`` says the body was over-size and
    holds only its start: it is kept and refused. ``body_size`` is the body's full size when ``body`` holds only
    its start (see ``punchout_return_keep``).

    The body is written to the storage of raw documents before it is parsed, and a failed write raises
    ``RawDocumentError`` with nothing recorded or imported (the token stays unused: the webshop can send it
    again). Then one transaction records the return, claims the token and imports the cart (or records why not):
    one commit for the whole return. Should that transaction fail, nothing of it stays but the body's file, which
    the error in the log names; its token is still unused.
    """
    now = timezone.now()
    if session.is_trial and session.used_at is not None:
        # A trial keeps only its first return: nothing more is even written.
        return ReturnResult(ReturnOutcome.DUPLICATE, session, None)
    expired = now >= session.expires_at
    spent = _token_spent(session, now)
    if not session.is_trial and spent and session.returns.count() >= MAX_RETURNS_PER_SESSION:
        # Enough of this punchout's returns are kept: answer as before, store nothing more.
        return ReturnResult(ReturnOutcome.EXPIRED if expired else ReturnOutcome.DUPLICATE, session, None)
    keep = SPENT_BODY_KEEP if spent else TRUNCATED_BODY_KEEP if truncated else len(body)
    kept = body[:keep]
    reference = new_reference()
    name = raw_documents.save(raw_documents.new_name(CART_RETURNS, reference, at=now), kept)
    try:
        received = _Received(
            session=session,
            http_method=http_method,
            meta=meta,
            body=body,
            name=name,
            reference=reference,
            size=min(max(body_size if body_size is not None else len(body), len(body)), MAX_RECORDED_SIZE),
            truncated=truncated,
            expired=expired,
            spent=spent,
            now=now,
            client_address=client_address,
            # Parsed outside the transaction: no lock is held while the codec works.
            parsed=_parse(session, body, meta) if not spent and not truncated else None,
        )
        with transaction.atomic():
            return _record(received, kept=kept)
    except Exception:
        logger.error(
            "Cart return %s of punchout session %s could not be recorded; its body is kept in the storage of raw "
            "documents as %s for %s days",
            reference,
            session.pk,
            name,
            raw_documents.ORPHAN_GRACE_DAYS,
        )
        raise


def _parse(session: PunchoutSession, body: bytes, meta: dict) -> OciCart | str:
    """The cart in the body, or why it cannot be read."""
    try:
        return parse_cart(
            body,
            str(meta.get("CONTENT_TYPE") or "") or None,
            max_fields=settings.PUNCHOUT_MAX_FIELDS,
            **session.cart_options(),
        )
    except OciError as exc:
        return str(exc)


def _record(received: _Received, *, kept: bytes) -> ReturnResult:
    """Record one return in the caller's transaction (see ``punchout_receive``)."""
    session, now = received.session, received.now
    if session.is_trial and not _claim(session, now):
        # Another return of this trial came first (a race): it is the one kept.
        raw_documents.delete_on_commit(received.name)
        return ReturnResult(ReturnOutcome.DUPLICATE, session, None)
    outcome = ""
    if received.truncated:
        outcome = ReturnOutcome.TOO_LARGE
    elif received.expired:
        outcome = ReturnOutcome.EXPIRED
    elif received.spent:
        outcome = ReturnOutcome.DUPLICATE  # an order's used token, as far as its row knew
    headers = {key: str(received.meta[key])[:KEPT_HEADER_CHARS] for key in KEPT_HEADERS if key in received.meta}
    if received.client_address:
        headers["CLIENT_ADDRESS"] = received.client_address
    cart_return = CartReturn.objects.create(
        session=session,
        organization_id=session.organization_id,
        reference=received.reference,
        received_at=now,
        http_method=received.http_method[:8],
        content_type=str(received.meta.get("CONTENT_TYPE", ""))[:255],
        headers=headers,
        body=received.name,
        body_size=received.size,
        body_truncated=received.truncated or len(kept) < received.size,
        stored_bytes=len(kept),
        outcome=outcome,
    )
    tracing.cart_return_stored(cart_return)
    if outcome:
        tracing.cart_return_handled(cart_return)
    if received.spent:
        return ReturnResult(outcome, session, cart_return)
    if received.truncated:
        # Kept (its start) and refused; a buyer's token stays unused, so the webshop may send a smaller cart.
        if _quota_exceeded(session, now=now) is not None:
            _keep_start(cart_return, received.body)
        return ReturnResult(ReturnOutcome.TOO_LARGE, session, cart_return)
    # Claim the single-use token atomically: only the first return gets on.
    if not session.is_trial and not _claim(session, now):
        # Another return spent the token after this one was read (a double click): keep only this one's start.
        _keep_start(cart_return, received.body)
        _set_outcome(cart_return, ReturnOutcome.DUPLICATE)
        return ReturnResult(ReturnOutcome.DUPLICATE, session, cart_return)
    try:
        with transaction.atomic():  # a savepoint: a return over its quota keeps nothing of what it did
            result = _handle(received, cart_return)
            exceeded = _quota_exceeded(session, now=now)
            if exceeded is not None:
                raise _OverQuota(exceeded)
    except _OverQuota as over:
        return _over_quota(session=session, cart_return=cart_return, exceeded=over.exceeded, body=received.body)
    return result


def _handle(received: _Received, cart_return: CartReturn) -> ReturnResult:
    session, parsed = received.session, received.parsed
    if not isinstance(parsed, OciCart):
        return _unreadable(session=session, cart_return=cart_return, message=str(parsed or ""))
    if session.is_trial:
        return _check(session=session, cart_return=cart_return, cart=parsed)
    return _import(session=session, cart_return=cart_return, cart=parsed)


def _over_quota(
    *, session: PunchoutSession, cart_return: CartReturn, exceeded: QuotaExceeded, body: bytes
) -> ReturnResult:
    """A return past a storage quota: its start is kept and nothing is imported. A buyer's punchout is over (its
    token spent, so re-posts are duplicates); the buyer punches out again once the quota has room."""
    # What the return did in memory was rolled back in the database: read its row and session again.
    cart_return.refresh_from_db()
    session.refresh_from_db(fields=["status", "used_at"])
    _keep_start(cart_return, body)
    _set_outcome(cart_return, ReturnOutcome.OVER_QUOTA)
    if not session.is_trial:
        _session_transition(session, SessionStatus.REJECTED)
    return ReturnResult(ReturnOutcome.OVER_QUOTA, session, cart_return, quota=exceeded)


def _keep_start(cart_return: CartReturn, body: bytes) -> None:
    """Keep only the first ``SPENT_BODY_KEEP`` bytes of a kept body (a return that turned out not to count): they
    are written as a document of their own, and the whole one is deleted once this transaction commits."""
    if cart_return.stored_bytes <= SPENT_BODY_KEEP:
        return
    whole = cart_return.body.name or ""
    start = body[:SPENT_BODY_KEEP]
    cart_return.body = raw_documents.save(
        raw_documents.new_name(CART_RETURNS, cart_return.reference, at=cart_return.received_at), start
    )
    cart_return.stored_bytes = len(start)
    cart_return.body_truncated = True
    cart_return.save(update_fields=["body", "stored_bytes", "body_truncated"])
    raw_documents.delete_on_commit(whole)


def _claim(session: PunchoutSession, now: datetime) -> bool:
    """Spend the session's token with one atomic UPDATE; whether this call was the one that spent it."""
    return bool(PunchoutSession.objects.filter(pk=session.pk, used_at__isnull=True).update(used_at=now))


def _unreadable(*, session: PunchoutSession, cart_return: CartReturn, message: str) -> ReturnResult:
    errors = [{"line": None, "field": None, "message": message}]
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
    _save_outcome(cart_return, fields)
    _session_transition(session, SessionStatus.CHECKED if session.is_trial else SessionStatus.REJECTED)
    return ReturnResult(ReturnOutcome.UNREADABLE, session, cart_return)


def _check(*, session: PunchoutSession, cart_return: CartReturn, cart: OciCart) -> ReturnResult:
    """A trial: keep the check report of the cart, as ``ocilink check-cart --json`` gives it; import nothing."""
    _describe(cart_return, cart)
    cart_return.report = check_report(cart)
    cart_return.outcome = ReturnOutcome.CHECKED
    _save_outcome(cart_return, ["charset", "line_count", "errors", "warnings", "report", "outcome"])
    _session_transition(session, SessionStatus.CHECKED)
    return ReturnResult(ReturnOutcome.CHECKED, session, cart_return)


def _import(*, session: PunchoutSession, cart_return: CartReturn, cart: OciCart) -> ReturnResult:
    _describe(cart_return, cart)
    organization_id, user_id, supplier_id = session.organization_id, session.user_id, session.supplier_id
    connection_id = session.connection_id
    if organization_id is None or user_id is None or supplier_id is None or connection_id is None:
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
        added = order_request_add_punchout_lines(
            organization_id=organization_id,
            requester_id=user_id,
            supplier_id=supplier_id,
            connection_id=connection_id,
            delivery_address_id=session.delivery_address_id,
            cart_return_id=cart_return.pk,
            cart=cart,
            max_lines=settings.PUNCHOUT_MAX_LINES,
        )
    except CartFull as exc:
        cart_return.errors = [cart_full_problem(exc)]
        return _reject(session, cart_return)
    cart_return.outcome = ReturnOutcome.IMPORTED
    _save_outcome(
        cart_return,
        ["charset", "line_count", "errors", "warnings", "outcome"],
        order_request_id=added.order_request_id,
    )
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
    _save_outcome(cart_return, ["charset", "line_count", "errors", "warnings", "outcome"])
    _session_transition(session, SessionStatus.REJECTED)
    return ReturnResult(ReturnOutcome.REJECTED, session, cart_return)


def _describe(cart_return: CartReturn, cart: OciCart) -> None:
    cart_return.charset = cart.charset
    cart_return.line_count = len(cart.lines)
    limit = settings.PUNCHOUT_MAX_KEPT_PROBLEMS
    cart_return.errors = kept_problems(cart.errors, _problem, limit=limit)
    cart_return.warnings = kept_problems(cart.warnings, _problem, limit=limit)


def check_report(cart: OciCart) -> dict[str, object]:
    """The check report of a cart as it is kept (a trial's) and shown (also on a return's staff page).

    It lists at most ``PUNCHOUT_MAX_LINES`` lines and ``PUNCHOUT_MAX_KEPT_PROBLEMS`` errors and warnings each, with
    the counts of all. A cart with more lines than a buyer could import is not usable, and the report says so first.
    """
    report = cart_report(cart, max_lines=settings.PUNCHOUT_MAX_LINES, max_problems=settings.PUNCHOUT_MAX_KEPT_PROBLEMS)
    refusal = _over_line_limit(cart)
    if refusal is not None:
        errors = report["errors"]
        assert isinstance(errors, list)
        report["ok"] = False
        report["errors"] = [refusal, *errors]
    return report


def _session_transition(session: PunchoutSession, target: str) -> None:
    """Move the session to ``target`` with one conditional UPDATE: its WHERE is the guard of the transition table, and
    the row stays locked until the commit, so a session another transaction moved first is refused, not overwritten."""
    moved = PunchoutSession.objects.filter(pk=session.pk, status__in=sources_of(target)).update(status=target)
    if not moved:
        current = PunchoutSession.objects.filter(pk=session.pk).values_list("status", flat=True).first()
        ensure_transition(current or "", target)
        raise InvalidTransition(f"Punchout session {session.pk} changed while it was moved to {target}.")
    session.status = target


def _set_outcome(cart_return: CartReturn, outcome: str) -> None:
    cart_return.outcome = outcome
    _save_outcome(cart_return, ["outcome"])


def _save_outcome(cart_return: CartReturn, fields: list[str], *, order_request_id: int | None = None) -> None:
    """Save a return's outcome (and the ``fields`` that go with it), with its trace line."""
    cart_return.save(update_fields=fields)
    tracing.cart_return_handled(cart_return, order_request_id=order_request_id)


def _problem(problem: Problem) -> dict[str, object]:
    return {"line": problem.line, "field": problem.field, "message": problem.message}
