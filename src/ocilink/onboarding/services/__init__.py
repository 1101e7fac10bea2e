"""Writes on connection requests: create, update the details, tick / skip / reopen a step, cancel, go live.

Every write locks its rows, checks the transition and who may do it, saves, records a ``RequestEvent`` and an
audit event in the same transaction, and sends e-mail only after commit.

- ``connection_requests``: the request as a whole (create, change the details, cancel);
- ``steps``: tick, skip or reopen a step, and going live when the last required step is closed;
- ``step_requirements``: what must be true before a step is done (login details, active connection, first order);
- ``common``: the locking and recording every write shares.

Activation, the first order and the catalogue actions are in ``activation.py``.
"""

from __future__ import annotations

from .common import ensure_open, lock_request, record_event
from .connection_requests import connection_request_cancel, connection_request_create, connection_request_update_details
from .steps import after_step_closed, append_note, request_step_complete, request_step_reopen, request_step_skip

__all__ = [
    "after_step_closed",
    "append_note",
    "connection_request_cancel",
    "connection_request_create",
    "connection_request_update_details",
    "ensure_open",
    "lock_request",
    "record_event",
    "request_step_complete",
    "request_step_reopen",
    "request_step_skip",
]
