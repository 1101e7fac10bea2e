"""Reads on order requests, always scoped to an organization: the cart (``cart``), which requests a member sees and
the list pages (``request_lists``), and the request page (``request_detail``)."""

from __future__ import annotations

from .cart import CartView, cart_for, cart_request_for, own_order_request_of_line
from .request_detail import (
    EventView,
    LastPrice,
    LineView,
    RequestDetail,
    StepView,
    order_request_detail,
)
from .request_lists import (
    LONGEST_WAITING_FIRST,
    NEWEST_FIRST,
    ROW_FIELDS,
    WAITING_COUNT_LIMIT,
    RequestRow,
    approval_steps_waiting_for,
    approvals_waiting_count,
    approvals_waiting_query,
    order_request_list,
    order_request_list_page,
    order_requests_visible_to,
    order_requests_waiting_for,
    request_rows,
    row_values,
    sees_all_requests,
    waiting_page,
)

__all__ = [
    "LONGEST_WAITING_FIRST",
    "NEWEST_FIRST",
    "ROW_FIELDS",
    "WAITING_COUNT_LIMIT",
    "CartView",
    "EventView",
    "LastPrice",
    "LineView",
    "RequestDetail",
    "RequestRow",
    "StepView",
    "approval_steps_waiting_for",
    "approvals_waiting_count",
    "approvals_waiting_query",
    "cart_for",
    "cart_request_for",
    "order_request_detail",
    "order_request_list",
    "order_request_list_page",
    "order_requests_visible_to",
    "order_requests_waiting_for",
    "own_order_request_of_line",
    "request_rows",
    "row_values",
    "sees_all_requests",
    "waiting_page",
]
