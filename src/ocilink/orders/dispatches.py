"""Dispatches: create, claim, send, record. The Dispatch row is the truth; tasks only wake a worker.

Every transition locks the row, checks the transition, saves, writes the purchase order's history and schedules
side effects on commit. A send happens outside any transaction, between a claim (which sets a lease, renewed by a
heartbeat while the send is alive) and a record (which only counts if the dispatch is still ours or the send
delivered).
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ocilink.connections.models import Connection
from ocilink.connections.ordering import channel_config_for, file_name_for
from ocilink.core import raw_documents
from ocilink.core.crypto import SecretError
from ocilink.core.raw_documents import RawDocumentError
from ocilink.dispatch.exceptions import DispatchError, PermanentDispatchError, TransientDispatchError
from ocilink.dispatch.registry import get_channel
from ocilink.dispatch.types import DispatchEnvelope, DispatchResult

from .crashpoints import CLAIMED, SENT, crash_point
from .delivery import (
    delivery_claim,
    delivery_fail,
    delivery_is_current,
    delivery_mark_sent,
    delivery_retry_later,
    delivery_still_ours,
    delivery_wake,
)
from .leases import LeaseHeartbeat
from .models import Dispatch, DispatchAttempt, DispatchDocument, PurchaseOrder
from .notifications import notice_create_dispatch_failed
from .services import purchase_order_set_status
from .snapshots import snapshot_from_json
from .states import SENDABLE, AttemptOutcome, DispatchStatus, PurchaseOrderStatus
from .states import ensure_dispatch_transition as ensure_transition

logger = logging.getLogger(__name__)

# What one attempt keeps of a supplier's answer; the rest is cut (a supplier may answer with a whole web page).
MAX_STORED_RESPONSE = 200 * 1024
# The folders of the documents and of what each try sent and got back, in the storage of raw documents.
DISPATCH_DOCUMENTS = "dispatch-documents"
DISPATCH_ATTEMPTS = "dispatch-attempts"


@dataclass(frozen=True)
class Claim:
    dispatch: Dispatch
    attempt: DispatchAttempt


def envelope_of(dispatch: Dispatch) -> DispatchEnvelope:
    return DispatchEnvelope(
        dispatch_id=dispatch.pk,
        payload_id=dispatch.payload_id,
        timestamp=dispatch.timestamp,
        file_name=dispatch.file_name,
        message_id=dispatch.message_id,
    )


def dispatch_create(*, purchase_order: PurchaseOrder, connection: Connection) -> Dispatch:
    """Create the dispatch of a new purchase order; call inside the transaction that creates the order.

    A connection that holds its next order (a test order) gets it built but held for inspection.
    """
    now = timezone.now()
    unique = uuid.uuid4().hex
    payload_id = f"{int(now.timestamp())}.{unique}@ocilink.{purchase_order.organization.slug}"
    dispatch = Dispatch.objects.create(
        organization=purchase_order.organization,
        purchase_order=purchase_order,
        method=connection.ordering_method,
        payload_id=payload_id,
        timestamp=now.replace(microsecond=0),
        file_name=file_name_for(connection=connection, order_number=purchase_order.number, payload_id=payload_id),
        message_id=f"<{purchase_order.number.lower()}.{unique[:16]}@ocilink>",
        created_at=now,
        give_up_at=now + timedelta(seconds=settings.DISPATCH_RETRY_WINDOW_SECONDS),
        next_attempt_at=now,
    )
    locked = Connection.objects.select_for_update().get(pk=connection.pk)
    if locked.hold_next_order:
        locked.hold_next_order = False
        locked.save(update_fields=["hold_next_order"])
        dispatch.status = DispatchStatus.HELD
        dispatch.save(update_fields=["status"])
        _store_document(dispatch)
        purchase_order_set_status(
            purchase_order=purchase_order,
            status=PurchaseOrderStatus.HELD,
            action="held_test_order",
            note=_("Test order: built but not sent. Review the document, then release or cancel it."),
        )
    else:
        transaction.on_commit(lambda: dispatch_enqueue(dispatch_id=dispatch.pk))
    return dispatch


def _store_document(dispatch: Dispatch, result: DispatchResult | None = None) -> None:
    """Keep the exact document (secrets redacted): from the send's result, or built now for a held order."""
    if result is not None and result.document:
        name, content = result.document_name, result.document
    else:
        order = snapshot_from_json(dispatch.purchase_order.snapshot)
        connection = dispatch.purchase_order.connection
        config = channel_config_for(connection=connection) if connection else None
        if config is None:
            return
        name, content = get_channel(dispatch.method).build_document(order, config, envelope_of(dispatch))
    now = timezone.now()
    stored = _keep(DISPATCH_DOCUMENTS, f"{dispatch.pk}-{name}", content, at=now)
    if not stored:
        return  # the storage refused (logged): the order goes on, an earlier copy of the document stays
    earlier = DispatchDocument.objects.filter(dispatch=dispatch).values_list("content", flat=True).first()
    DispatchDocument.objects.update_or_create(
        dispatch=dispatch, defaults={"name": name, "content": stored, "built_at": now}
    )
    if earlier:
        raw_documents.delete_on_commit(earlier)


def _keep(kind: str, key: str, content: bytes, *, at: datetime) -> str:
    """Write evidence (a document, what a try sent or got back) to the storage of raw documents; its name, or ""
    when there is none or the storage refused. A refusal is logged and nothing more: what happened to an order
    must be recorded whether or not its evidence can be kept (else a delivered order would be sent again)."""
    if not content:
        return ""
    try:
        return raw_documents.save(raw_documents.new_name(kind, key, at=at), content)
    except RawDocumentError:
        logger.error("Dispatch evidence %s of %s was not kept: the storage of raw documents refused it", key, kind)
        return ""


def _keep_exchange(claim: Claim, *, request: bytes, response: bytes) -> dict[str, str]:
    """Keep what one try sent and got back (the start of it); the names, for the attempt's row."""
    attempt = claim.attempt
    key = f"{claim.dispatch.pk}-{attempt.number}"
    return {
        "request": _keep(DISPATCH_ATTEMPTS, f"{key}-request", request, at=attempt.started_at),
        "response": _keep(DISPATCH_ATTEMPTS, f"{key}-response", response[:MAX_STORED_RESPONSE], at=attempt.started_at),
    }


def dispatch_enqueue(*, dispatch_id: int, run_after: datetime | None = None) -> None:
    """Wake a worker for this dispatch (now, or at ``run_after``), and note when: the sweeper wakes a due dispatch
    again when that is longer ago than the lease (a task can be lost, or its worker die before the claim)."""
    from .tasks import send_dispatch

    delivery_wake(Dispatch, send_dispatch, dispatch_id, run_after)


def _wake_later(dispatch_id: int, run_after: datetime) -> None:
    dispatch_enqueue(dispatch_id=dispatch_id, run_after=run_after)


def dispatch_claim(*, dispatch_id: int, worker_id: str) -> Claim | None:
    """Take a dispatch for one try: only if it is sendable and due. Sets a lease and opens an attempt row."""
    now = timezone.now()
    with transaction.atomic():
        dispatch = delivery_claim(
            Dispatch.objects.select_related("purchase_order", "purchase_order__connection", "purchase_order__buyer"),
            dispatch_id,
            sendable=SENDABLE,
            worker_id=worker_id,
            ensure=ensure_transition,
        )
        if dispatch is None:
            return None
        attempt = DispatchAttempt.objects.create(
            dispatch=dispatch, number=dispatch.attempt_count, worker_id=worker_id[:64], started_at=now
        )
    return Claim(dispatch=dispatch, attempt=attempt)


def dispatch_send(*, dispatch_id: int, worker_id: str) -> str:
    """One try: claim, send through the channel, record. Returns the dispatch's status afterwards."""
    claim = dispatch_claim(dispatch_id=dispatch_id, worker_id=worker_id)
    if claim is None:
        return "skipped"
    crash_point(CLAIMED)
    started = time.monotonic()
    still_ours = delivery_still_ours(Dispatch, claim.dispatch.pk, claim.attempt.number)
    try:
        with LeaseHeartbeat(still_ours, what=f"dispatch {claim.dispatch.pk}"):
            result = _deliver(claim.dispatch)
    except DispatchError as exc:
        return dispatch_record_failure(claim=claim, error=exc, duration_ms=_elapsed(started))
    except Exception as exc:  # a bug or an unexpected library error: keep it, retry, and say so
        logger.exception("Dispatch %s: unexpected error", claim.dispatch.pk)
        error = TransientDispatchError(
            _(
                "An unexpected error occurred while sending (%(error)s). "
                "It will be retried; if it persists, contact support."
            )
            % {"error": type(exc).__name__}
        )
        return dispatch_record_failure(
            claim=claim, error=error, duration_ms=_elapsed(started), error_class=type(exc).__name__
        )
    crash_point(SENT)
    return dispatch_record_success(claim=claim, result=result, duration_ms=_elapsed(started))


def _deliver(dispatch: Dispatch) -> DispatchResult:
    """Build the configuration and send through the channel; raises a DispatchError when it did not deliver."""
    purchase_order = dispatch.purchase_order
    if purchase_order.connection is None:
        raise PermanentDispatchError(_("The order's connection was deleted; nothing can be sent."))
    try:
        config = channel_config_for(connection=purchase_order.connection, reply_to=purchase_order.buyer.email)
    except SecretError as exc:
        raise PermanentDispatchError(
            _("The secrets of connection %(name)s cannot be decrypted with this server's key ring. Enter them again.")
            % {"name": purchase_order.connection.name}
        ) from exc
    channel = get_channel(dispatch.method)
    return channel.send(snapshot_from_json(purchase_order.snapshot), config, envelope_of(dispatch))


def _elapsed(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _close_attempt(attempt: DispatchAttempt, **values: Any) -> None:
    for key, value in values.items():
        setattr(attempt, key, value)
    attempt.finished_at = timezone.now()
    attempt.save()


def dispatch_record_success(*, claim: Claim, result: DispatchResult, duration_ms: int) -> str:
    """Positive evidence of delivery: the dispatch is sent and the order is to be received."""
    exchange = _keep_exchange(claim, request=result.request, response=result.response)
    with transaction.atomic():
        dispatch = (
            Dispatch.objects.select_for_update(of=("self",)).select_related("purchase_order").get(pk=claim.dispatch.pk)
        )
        _close_attempt(
            claim.attempt,
            **exchange,
            outcome=AttemptOutcome.SENT,
            message=result.summary,
            evidence=result.evidence,
            duration_ms=duration_ms,
        )
        if dispatch.status == DispatchStatus.SENT:
            return dispatch.status  # another worker's try delivered too; the supplier has the same document
        # Delivered is delivered, even if the lease ran out meanwhile or a person acted on the order.
        delivery_mark_sent(dispatch)
        _store_document(dispatch, result)
        purchase_order = PurchaseOrder.objects.select_for_update().get(pk=dispatch.purchase_order_id)
        if purchase_order.status != PurchaseOrderStatus.TO_BE_RECEIVED:
            purchase_order_set_status(
                purchase_order=purchase_order,
                status=PurchaseOrderStatus.TO_BE_RECEIVED,
                action="delivered",
                note=result.summary,
            )
    return DispatchStatus.SENT


def dispatch_record_failure(*, claim: Claim, error: DispatchError, duration_ms: int, error_class: str = "") -> str:
    """A failed try: retry later (transient, within the window) or fail and tell a person (permanent)."""
    permanent = isinstance(error, PermanentDispatchError)
    exchange = _keep_exchange(claim, request=error.request, response=error.response)
    with transaction.atomic():
        dispatch = (
            Dispatch.objects.select_for_update(of=("self",)).select_related("purchase_order").get(pk=claim.dispatch.pk)
        )
        _close_attempt(
            claim.attempt,
            **exchange,
            outcome=AttemptOutcome.PERMANENT if permanent else AttemptOutcome.TRANSIENT,
            error_class=error_class or type(error).__name__,
            message=error.message,
            evidence=error.evidence,
            duration_ms=duration_ms,
        )
        if not delivery_is_current(dispatch, claim.attempt.number):
            return dispatch.status  # the lease ran out and the dispatch moved on: this try no longer decides
        if delivery_retry_later(
            dispatch, message=error.message, permanent=permanent, ensure=ensure_transition, wake=_wake_later
        ):
            return dispatch.status
        if not permanent:
            error_message = _("Gave up after trying for %(hours)d hours. The last try said: %(message)s") % {
                "hours": round(settings.DISPATCH_RETRY_WINDOW_SECONDS / 3600),
                "message": error.message,
            }
        else:
            error_message = error.message
        delivery_fail(dispatch, message=error_message, ensure=ensure_transition)
        _fail_order(dispatch, error_message)
    return DispatchStatus.FAILED


def _fail_order(dispatch: Dispatch, message: str) -> None:
    purchase_order = PurchaseOrder.objects.select_for_update().get(pk=dispatch.purchase_order_id)
    if purchase_order.status in (PurchaseOrderStatus.SENDING, PurchaseOrderStatus.HELD):
        purchase_order_set_status(
            purchase_order=purchase_order, status=PurchaseOrderStatus.FAILED, action="failed", note=message
        )
        # In this transaction: the failure and the notice that tells people about it are kept together or not at all.
        notice_create_dispatch_failed(purchase_order=purchase_order, reason=message)


def dispatch_transition(*, dispatch: Dispatch, status: str, next_attempt_at: datetime | None = None) -> Dispatch:
    """A person's action on a (locked) dispatch: hold, release, retry now, cancel. Enqueues on commit if sendable."""
    ensure_transition(dispatch.status, status)
    dispatch.status = status
    dispatch.lease_expires_at = None
    if status == DispatchStatus.PENDING:
        now = timezone.now()
        dispatch.next_attempt_at = next_attempt_at or now
        dispatch.give_up_at = max(dispatch.give_up_at, now + timedelta(seconds=settings.DISPATCH_RETRY_WINDOW_SECONDS))
        transaction.on_commit(lambda: dispatch_enqueue(dispatch_id=dispatch.pk))
    dispatch.save(update_fields=["status", "lease_expires_at", "next_attempt_at", "give_up_at"])
    if status == DispatchStatus.HELD and not DispatchDocument.objects.filter(dispatch=dispatch).exists():
        _store_document(dispatch)
    return dispatch
