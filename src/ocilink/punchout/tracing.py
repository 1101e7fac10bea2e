"""Log lines that let one follow a cart: each names the ids that lead on, and carries the request id (``core``'s
log filter adds it), so ``grep request_id=<id>`` finds the return and ``grep order_request=<id>`` what came of it.

They observe saved rows (connected in ``PunchoutConfig.ready``) and change nothing. A line is written when its row
is saved: the raw return's row first in its transaction, then its outcome (a transaction that rolls back leaves
the lines of what it did not keep; the error that follows them says so).
"""

from __future__ import annotations

import logging
from typing import Any

from ocilink.requisitions.models import OrderRequestLine

from .models import CartReturn
from .states import ReturnOutcome

logger = logging.getLogger("ocilink.trace")


def _log_returned(cart_return: CartReturn) -> None:
    logger.info(
        "cart return stored: cart_return=%s session=%s bytes=%s",
        cart_return.reference,
        cart_return.session_id,
        cart_return.body_size,
    )


def _log_outcome(cart_return: CartReturn) -> None:
    order_request = ""
    if cart_return.outcome == ReturnOutcome.IMPORTED:
        found = OrderRequestLine.objects.filter(cart_return_id=cart_return.pk).values_list("order_request_id").first()
        order_request = f" order_request={found[0]}" if found else ""
    logger.info(
        "cart return handled: cart_return=%s session=%s outcome=%s%s",
        cart_return.reference,
        cart_return.session_id,
        cart_return.outcome,
        order_request,
    )


def cart_return_saved(sender: type, instance: CartReturn, created: bool, update_fields: Any = None, **kw: Any) -> None:
    if created:
        _log_returned(instance)
    if instance.outcome and (created or update_fields is None or "outcome" in update_fields):
        _log_outcome(instance)
