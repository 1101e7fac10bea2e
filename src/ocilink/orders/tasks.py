"""Tasks only wake a worker: they take an id and call the service, which reads the row (the truth).

A task is not the guarantee: a task can be lost, or its worker die after the queue marked it running. The sweeper
wakes such a dispatch or notice again by its own row, whatever the queue says; a doubled task finds nothing to do.
"""

from __future__ import annotations

import os
import socket

from django_tasks import task
from django_tasks.base import TaskContext

from .crashpoints import TASK_RUNNING, crash_point
from .dispatches import dispatch_send
from .notifications import notice_send


def _worker_name(context: TaskContext) -> str:
    worker_ids = getattr(context.task_result, "worker_ids", None) or []
    return worker_ids[-1] if worker_ids else f"{socket.gethostname()}:{os.getpid()}"


@task(takes_context=True)
def send_dispatch(context: TaskContext, dispatch_id: int) -> str:
    """Try to deliver one dispatch. Retries are scheduled by the service as new tasks, never by re-raising."""
    crash_point(TASK_RUNNING)
    return dispatch_send(dispatch_id=dispatch_id, worker_id=_worker_name(context))


@task(takes_context=True)
def send_notice(context: TaskContext, notice_id: int) -> str:
    """Try to send one notice. Retries are scheduled by the service as new tasks, never by re-raising."""
    return notice_send(notice_id=notice_id, worker_id=_worker_name(context))
