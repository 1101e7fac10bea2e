"""Two approvers decide the same request at the same moment: one wins, and it is ordered at most once.

Each thread has its own database connection. On PostgreSQL the second waits on the row lock
(``select_for_update``); on SQLite the IMMEDIATE transaction mode makes it wait for the write lock. Either way it
then sees the first decision and is refused. The winner holds its lock until the other thread has called the
service, so the two really overlap.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection

from ocilink.orders.models import Dispatch, PurchaseOrder
from ocilink.requisitions import handoff
from ocilink.requisitions.handoff import order_request_approve_and_place
from ocilink.requisitions.models import ApprovalStep, OrderRequest
from ocilink.requisitions.services import ApprovalError, order_request_reject
from ocilink.requisitions.states import OrderRequestStatus

from .conftest import make_org, rule, submitted


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("first", "second"), [("approve", "approve"), ("approve", "reject")])
def test_concurrent_decisions_one_wins_and_orders_are_made_at_most_once(monkeypatch, first, second):
    org = make_org()
    rule(org.organization, approver_role="approver")
    order_request = submitted(org, prices=("250.00",))
    barrier = threading.Barrier(2)
    called = {"one": threading.Event(), "two": threading.Event()}
    overlapped: list[bool] = []
    outcomes: dict[str, str] = {}
    real_create = handoff.registered_placer()

    def create_while_the_other_waits(**kwargs: Any) -> Any:
        # Inside the winner's transaction, with the lock held: wait until the other approver has called too.
        other = "two" if threading.current_thread().name == "one" else "one"
        overlapped.append(called[other].wait(timeout=10))
        time.sleep(0.2)  # let the other thread reach the lock; the outcome does not depend on it
        return real_create(**kwargs)

    monkeypatch.setattr(handoff, "_placer", create_while_the_other_waits)

    def decide(action: str, approver: Any, name: str) -> None:
        try:
            target = OrderRequest.objects.get(pk=order_request.pk)
            barrier.wait(timeout=10)
            called[name].set()
            if action == "approve":
                order_request_approve_and_place(order_request=target, approver=approver, comment=name)
            else:
                order_request_reject(order_request=target, approver=approver, comment=name)
            outcomes[name] = action
        except ApprovalError as exc:
            outcomes[name] = str(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(first, org.approver, "one"), name="one"),
        threading.Thread(target=decide, args=(second, org.second_approver, "two"), name="two"),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    order_request.refresh_from_db()
    winners = {name: action for name, action in outcomes.items() if action in ("approve", "reject")}
    assert len(winners) == 1, outcomes
    (winner, action), (loser,) = next(iter(winners.items())), [name for name in outcomes if name not in winners]
    expected_status = OrderRequestStatus.APPROVED if action == "approve" else OrderRequestStatus.REJECTED
    assert order_request.status == expected_status
    assert outcomes[loser] == (
        f"Order request #{order_request.pk} is not waiting for approval: it is {expected_status.label.lower()}."
    )
    orders = 1 if action == "approve" else 0
    assert PurchaseOrder.objects.filter(order_request=order_request).count() == orders
    assert Dispatch.objects.filter(purchase_order__order_request=order_request).count() == orders
    step = ApprovalStep.objects.get(order_request=order_request)
    assert (step.status, step.comment) == ("approved" if action == "approve" else "rejected", winner)
    if action == "approve":
        assert overlapped == [True]
