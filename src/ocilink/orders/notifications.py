"""Notices: e-mails that tell people about an order (so far: that it could not be placed), kept as rows until sent.

The failure writes its notice in its own transaction (:func:`notice_create_dispatch_failed`), so a notice is never
lost to a mail server that happens to be away. A task wakes a worker, which claims the notice (a lease, renewed by a
heartbeat), sends it outside any transaction and records the outcome, exactly like a dispatch. A mail server that
cannot be reached, drops the connection or answers 4xx means: try again later, with the dispatches' backoff and
window. A 5xx answer, or the end of the window, fails the notice: the order's history and the log say so, and staff
see it in the admin (Notices), where they can send it again. The sweeper wakes notices whose worker died or whose
task went missing.
"""

from __future__ import annotations

import logging
import smtplib
import time
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ocilink.accounts.models import Membership, Role

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
from .models import Notice, PurchaseOrder
from .services import purchase_order_event
from .states import NOTICE_SENDABLE, NoticeStatus, ensure_notice_transition

logger = logging.getLogger(__name__)


def _recipients(purchase_order: PurchaseOrder) -> list[str]:
    """The organization's administrators and the buyer."""
    recipients = set(
        Membership.objects.filter(organization_id=purchase_order.organization_id, role=Role.ADMINISTRATOR)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    if purchase_order.buyer.email:
        recipients.add(purchase_order.buyer.email)
    return sorted(recipients)


def notice_create_dispatch_failed(*, purchase_order: PurchaseOrder, reason: str) -> Notice | None:
    """Write the notice that an order could not be placed; call inside the transaction that fails the order.

    Its task is enqueued on commit. Returns None, and writes nothing, when nobody has an e-mail address.
    """
    recipients = _recipients(purchase_order)
    if not recipients:
        logger.warning("Order %s failed and nobody has an e-mail address to be told", purchase_order.number)
        return None
    now = timezone.now()
    notice = Notice.objects.create(
        organization_id=purchase_order.organization_id,
        purchase_order=purchase_order,
        kind=Notice.Kind.DISPATCH_FAILED,
        reason=reason,
        recipients=recipients,
        message_id=f"<notice.{purchase_order.number.lower()}.{uuid.uuid4().hex[:16]}@ocilink>",
        created_at=now,
        next_attempt_at=now,
        give_up_at=now + timedelta(seconds=settings.DISPATCH_RETRY_WINDOW_SECONDS),
    )
    transaction.on_commit(lambda: notice_enqueue(notice_id=notice.pk))
    return notice


def notice_enqueue(*, notice_id: int, run_after: datetime | None = None) -> None:
    """Wake a worker for this notice (now, or at ``run_after``), and note when, for the sweeper."""
    from .tasks import send_notice

    delivery_wake(Notice, send_notice, notice_id, run_after)


def _wake_later(notice_id: int, run_after: datetime) -> None:
    notice_enqueue(notice_id=notice_id, run_after=run_after)


def notice_claim(*, notice_id: int, worker_id: str) -> Notice | None:
    """Take a notice for one try: only if it is sendable and due. Sets a lease."""
    with transaction.atomic():
        return delivery_claim(
            Notice.objects.select_related("purchase_order__supplier"),
            notice_id,
            sendable=NOTICE_SENDABLE,
            worker_id=worker_id,
            ensure=ensure_notice_transition,
        )


def notice_message(notice: Notice) -> EmailMessage:
    """The e-mail, in the platform's language, with the Message-ID fixed when the notice was written."""
    purchase_order = notice.purchase_order
    link = settings.OCILINK_BASE_URL.rstrip("/") + reverse("orders:detail", args=[purchase_order.pk])
    subject = _("Order %(number)s to %(supplier)s could not be placed") % {
        "number": purchase_order.number,
        "supplier": purchase_order.supplier.name,
    }
    body = _(
        "Order %(number)s to %(supplier)s could not be placed.\n\n%(reason)s\n\n"
        "Open the order to retry it, place it by phone, or cancel it:\n%(link)s\n"
    ) % {
        "number": purchase_order.number,
        "supplier": purchase_order.supplier.name,
        "reason": notice.reason,
        "link": link,
    }
    return EmailMessage(
        subject, body, settings.DEFAULT_FROM_EMAIL, list(notice.recipients), headers={"Message-ID": notice.message_id}
    )


def _failure(exc: BaseException) -> tuple[bool, str]:
    """Whether a failed send is permanent (the mail server said no: 5xx), and what happened, in words."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        answers = {address: (code, text) for address, (code, text) in exc.recipients.items()}
        permanent = bool(answers) and all(code >= 500 for code, _text in answers.values())
        detail = "; ".join(
            f"{address}: {code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
            for address, (code, text) in sorted(answers.items())
        )
        return permanent, _("The mail server refused every recipient (%(answers)s).") % {"answers": detail}
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return exc.smtp_code >= 500, _("The mail server answered %(code)s %(text)s.") % {
            "code": exc.smtp_code,
            "text": text,
        }
    if isinstance(exc, OSError):  # refused, timed out, dropped: smtplib's own errors are OSErrors too
        return False, _("The mail server could not be reached or dropped the connection (%(error)s).") % {
            "error": type(exc).__name__
        }
    return False, _("An unexpected error occurred while sending (%(error)s).") % {"error": type(exc).__name__}


def notice_send(*, notice_id: int, worker_id: str) -> str:
    """One try: claim, send, record. Returns the notice's status afterwards ("skipped" when there was nothing to do)."""
    notice = notice_claim(notice_id=notice_id, worker_id=worker_id)
    if notice is None:
        return "skipped"
    number = notice.attempt_count
    still_ours = delivery_still_ours(Notice, notice.pk, number)
    started = time.monotonic()
    try:
        with LeaseHeartbeat(still_ours, what=f"notice {notice.pk}"):
            notice_message(notice).send(fail_silently=False)
    except Exception as exc:  # every failure is recorded; only the classification differs
        permanent, message = _failure(exc)
        logger.warning("Notice %s (order %s): %s", notice.pk, notice.purchase_order.number, message)
        return notice_record_failure(notice_id=notice.pk, attempt=number, message=message, permanent=permanent)
    logger.info("Notice %s sent in %.0f ms", notice.pk, (time.monotonic() - started) * 1000)
    return notice_record_sent(notice_id=notice.pk)


def notice_record_sent(*, notice_id: int) -> str:
    """The mail server accepted the notice: it is sent (even if its lease ran out meanwhile)."""
    with transaction.atomic():
        notice = Notice.objects.select_for_update(of=("self",)).get(pk=notice_id)
        if notice.status != NoticeStatus.SENT:
            delivery_mark_sent(notice)
    return NoticeStatus.SENT


def notice_record_failure(*, notice_id: int, attempt: int, message: str, permanent: bool) -> str:
    """A failed try: retry later (within the window), or fail: the order's history says so and staff can see it."""
    with transaction.atomic():
        notice = Notice.objects.select_for_update(of=("self",)).select_related("purchase_order").get(pk=notice_id)
        if not delivery_is_current(notice, attempt):
            return notice.status  # the lease ran out and the notice moved on: this try no longer decides
        if delivery_retry_later(
            notice, message=message, permanent=permanent, ensure=ensure_notice_transition, wake=_wake_later
        ):
            return notice.status
        delivery_fail(notice, message=message, ensure=ensure_notice_transition)
        purchase_order = PurchaseOrder.objects.select_for_update().get(pk=notice.purchase_order_id)
        purchase_order_event(
            purchase_order=purchase_order,
            action="notice_failed",
            from_status=purchase_order.status,
            note=_("The e-mail telling %(recipients)s that this order could not be placed was not delivered: %(error)s")
            % {"recipients": ", ".join(notice.recipients), "error": message},
        )
    logger.error(
        "Notice %s about order %s could not be sent after %s tries: %s",
        notice.pk,
        notice.purchase_order.number,
        notice.attempt_count,
        message,
    )
    return NoticeStatus.FAILED


def notice_send_again(*, notice: Notice, actor: Any = None) -> Notice:
    """Staff send a failed notice again (the same e-mail, the same Message-ID), with a fresh retry window."""
    with transaction.atomic():
        locked = Notice.objects.select_for_update().get(pk=notice.pk)
        ensure_notice_transition(locked.status, NoticeStatus.PENDING)
        now = timezone.now()
        locked.status = NoticeStatus.PENDING
        locked.next_attempt_at = now
        locked.give_up_at = now + timedelta(seconds=settings.DISPATCH_RETRY_WINDOW_SECONDS)
        locked.save(update_fields=["status", "next_attempt_at", "give_up_at"])
        purchase_order = PurchaseOrder.objects.select_for_update().get(pk=locked.purchase_order_id)
        purchase_order_event(
            purchase_order=purchase_order,
            action="notice_sent_again",
            actor=actor,
            from_status=purchase_order.status,
            note=_("The e-mail that this order could not be placed is sent again."),
        )
        transaction.on_commit(lambda: notice_enqueue(notice_id=locked.pk))
    return locked
