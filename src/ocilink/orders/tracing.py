"""Log lines that let one follow an order: each names the ids that lead on, and carries the request id (``core``'s
log filter adds it). ``order_request=<id>`` leads from the cart's return (``punchout.tracing``) to its purchase
orders, ``purchase_order=<id>`` to their dispatch, ``dispatch=<id>`` to every try of the worker.

They observe saved rows (connected in ``OrdersConfig.ready``) and change nothing; each is written once the
transaction commits, so a rolled-back order leaves no line.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from .models import Dispatch, DispatchAttempt, PurchaseOrder
from .states import AttemptOutcome

logger = logging.getLogger("ocilink.trace")


def purchase_order_saved(sender: type, instance: PurchaseOrder, created: bool, **kw: Any) -> None:
    if created:
        transaction.on_commit(
            lambda: logger.info(
                "purchase order created: purchase_order=%s number=%s order_request=%s",
                instance.pk,
                instance.number,
                instance.order_request_id,
            )
        )


def dispatch_saved(sender: type, instance: Dispatch, created: bool, **kw: Any) -> None:
    if created:
        transaction.on_commit(
            lambda: logger.info(
                "dispatch created: dispatch=%s purchase_order=%s method=%s",
                instance.pk,
                instance.purchase_order_id,
                instance.method,
            )
        )


def attempt_saved(sender: type, instance: DispatchAttempt, created: bool, update_fields: Any = None, **kw: Any) -> None:
    if instance.outcome != AttemptOutcome.SENDING and (update_fields is None or "outcome" in update_fields):
        transaction.on_commit(
            lambda: logger.info(
                "dispatch attempt finished: dispatch=%s attempt=%s outcome=%s",
                instance.dispatch_id,
                instance.number,
                instance.outcome,
            )
        )
