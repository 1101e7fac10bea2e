"""Log lines that let one follow a cart: each names the ids that lead on, and carries the request id (``core``'s
log filter adds it), so ``grep request_id=<id>`` finds the return and ``grep order_request=<id>`` what came of it.

The services call them as they save (``services.py``), and they change nothing: the raw return's line when its row is
written, then the line of its outcome, with the order request an imported cart joined (a transaction that rolls back
leaves the lines of what it did not keep; the error that follows them says so).
"""

from __future__ import annotations

import logging

from .models import CartReturn

logger = logging.getLogger("ocilink.trace")


def cart_return_stored(cart_return: CartReturn) -> None:
    logger.info(
        "cart return stored: cart_return=%s session=%s bytes=%s",
        cart_return.reference,
        cart_return.session_id,
        cart_return.body_size,
    )


def cart_return_handled(cart_return: CartReturn, *, order_request_id: int | None = None) -> None:
    logger.info(
        "cart return handled: cart_return=%s session=%s outcome=%s%s",
        cart_return.reference,
        cart_return.session_id,
        cart_return.outcome,
        f" order_request={order_request_id}" if order_request_id is not None else "",
    )
