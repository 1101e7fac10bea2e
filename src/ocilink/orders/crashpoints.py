"""Crash points, for the tests that prove no step of a send loses an order (tests/dispatch/test_worker_crash.py).

With ``OCILINK_TEST_KILL_AT=<step>`` in its environment, a worker kills itself (SIGKILL: no clean-up, no last
write) when it reaches that step of a dispatch. Nothing else reads the variable; unset, each point costs one
comparison of two strings. The steps, in order:

- ``task-running``: the task queue marked the task running; the dispatch is not claimed yet;
- ``claimed``: the dispatch is claimed (lease taken, attempt opened); nothing was sent;
- ``sent``: the supplier accepted the order; the outcome is not recorded yet.

(A kill *during* the send needs no hook: the test kills the worker while the supplier holds the request.)
"""

from __future__ import annotations

import os
import signal

TASK_RUNNING = "task-running"
CLAIMED = "claimed"
SENT = "sent"

KILL_AT = os.environ.get("OCILINK_TEST_KILL_AT", "")


def crash_point(step: str) -> None:
    if KILL_AT == step:
        os.kill(os.getpid(), signal.SIGKILL)
