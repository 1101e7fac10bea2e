"""Tasks only wake a worker: they take an id and call the service, which reads the Dispatch row (the truth)."""

from __future__ import annotations

import os
import socket

from django_tasks import task
from django_tasks.base import TaskContext

from .dispatches import dispatch_send


def _worker_name(context: TaskContext) -> str:
    worker_ids = getattr(context.task_result, "worker_ids", None) or []
    return worker_ids[-1] if worker_ids else f"{socket.gethostname()}:{os.getpid()}"


@task(takes_context=True)
def send_dispatch(context: TaskContext, dispatch_id: int) -> str:
    """Try to deliver one dispatch. Retries are scheduled by the service as new tasks, never by re-raising."""
    return dispatch_send(dispatch_id=dispatch_id, worker_id=_worker_name(context))
