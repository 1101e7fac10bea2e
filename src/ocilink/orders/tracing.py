"""Log lines that let one follow an order: each names the ids that lead on, and carries the request id (``core``'s
log filter adds it). ``order_request=<id>`` leads from the cart's return (``punchout.tracing``) to its purchase
orders and their dispatches, ``dispatch=<id>`` to every try of the worker.

They observe saved rows (connected in ``OrdersConfig.ready``) and change nothing. A line is written when its row
is saved, inside the transaction: should that transaction fail afterwards, the request's own lines say so.
"""

from __future__ import annotations

import logging
from typing import Any

from .models import Dispatch, DispatchAttempt
from .states import AttemptOutcome

logger = logging.getLogger("ocilink.trace")


def dispatch_saved(sender: type, instance: Dispatch, created: bool, **kw: Any) -> None:
    """A new dispatch is the last step of placing one purchase order: one line for both."""
    if created:
        purchase_order = instance.purchase_order
        logger.info(
            "purchase order placed: purchase_order=%s number=%s order_request=%s dispatch=%s method=%s",
            purchase_order.pk,
            purchase_order.number,
            purchase_order.order_request_id,
            instance.pk,
            instance.method,
        )


def attempt_saved(sender: type, instance: DispatchAttempt, created: bool, update_fields: Any = None, **kw: Any) -> None:
    if instance.outcome != AttemptOutcome.SENDING and (update_fields is None or "outcome" in update_fields):
        logger.info(
            "dispatch attempt finished: dispatch=%s attempt=%s outcome=%s",
            instance.dispatch_id,
            instance.number,
            instance.outcome,
        )
