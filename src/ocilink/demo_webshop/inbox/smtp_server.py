"""The demo supplier's mailbox: a real SMTP server (aiosmtpd, in its own thread) that keeps what it accepts.

Accepted messages go to the store under their Message-ID. Tests can script the next replies at each step::

    inbox.script(["451 4.3.0 Try again later", None])          # first DATA refused for now, the next accepted
    inbox.script(["550 5.1.1 No such mailbox"], stage="rcpt")  # the next recipient refused
    inbox.script([DROP])                                       # close the connection instead of answering DATA

``None`` means "answer as usual". Each MAIL, RCPT (one per recipient) or DATA command takes the next entry of its
own stage's queue; a refused DATA or a dropped connection stores nothing.
"""

from __future__ import annotations

import asyncio
import collections
import threading
import uuid
from collections.abc import Sequence
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from typing import Any, Literal

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from .store import InboxStore, ReceivedOrder

Stage = Literal["mail", "rcpt", "data"]
DROP = "drop"  # a script entry: close the connection without a reply
CHANNEL = "email_pdf"
# Larger than any purchase order with its PDF; the demo mailbox refuses anything bigger with 552.
DATA_SIZE_LIMIT = 25 * 1024 * 1024


class SmtpInbox:
    """An SMTP server on ``host:port`` (port 0: a free one, see ``.port`` after ``start()``)."""

    def __init__(
        self,
        store: InboxStore,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        login: tuple[str, str] | None = None,
        server_name: str = "mail.supplier.demo",
    ) -> None:
        self.store = store
        self.host = host
        self.port = port
        self.login = login
        self.server_name = server_name
        self.received: list[ReceivedOrder] = []  # accepted messages, in order
        self._scripts: dict[Stage, collections.deque[str | None]] = {
            stage: collections.deque() for stage in ("mail", "rcpt", "data")
        }
        self._lock = threading.Lock()
        self._controller: _Controller | None = None

    def script(self, replies: Sequence[str | None], *, stage: Stage = "data") -> None:
        """Queue replies for the next commands of ``stage``: a reply line, ``None`` for the usual, or ``DROP``."""
        with self._lock:
            self._scripts[stage].extend(replies)

    def start(self) -> None:
        options: dict[str, Any] = {"server_hostname": self.server_name, "data_size_limit": DATA_SIZE_LIMIT}
        if self.login is not None:
            # The login is checked when offered (a wrong one gets 535) but not demanded: aiosmtpd only demands it
            # together with TLS, and plain-text AUTH is fine on a loopback demo server.
            options.update(authenticator=self._authenticate, auth_require_tls=False)
        controller = _Controller(_Handler(self), hostname=self.host, port=self.port, **options)
        controller.start()
        self.port = controller.port
        self._controller = controller

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> SmtpInbox:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _next(self, stage: Stage) -> str | None:
        with self._lock:
            queue = self._scripts[stage]
            return queue.popleft() if queue else None

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = (
            self.login is not None
            and isinstance(auth_data, LoginPassword)
            and (auth_data.login.decode(), auth_data.password.decode()) == self.login
        )
        # handled=False: aiosmtpd then sends the usual 235 or 535 reply itself.
        return AuthResult(success=ok, handled=False)

    def _accept(self, envelope: Envelope, peer: object) -> ReceivedOrder:
        content = envelope.original_content or b""
        headers = BytesHeaderParser(policy=default_policy).parsebytes(content)
        message_id = str(headers.get("Message-ID") or "").strip() or f"<no-message-id-{uuid.uuid4().hex}@inbox>"
        order = self.store.record(
            CHANNEL,
            message_id,
            content,
            {
                "mail_from": envelope.mail_from,
                "rcpt_tos": list(envelope.rcpt_tos),
                "subject": str(headers.get("Subject") or ""),
                "peer": str(peer),
            },
        )
        with self._lock:
            self.received.append(order)
        return order


class _Handler:
    """aiosmtpd hooks: play the script, otherwise accept, and store accepted messages."""

    def __init__(self, inbox: SmtpInbox) -> None:
        self.inbox = inbox

    async def handle_MAIL(  # noqa: N802 - aiosmtpd's hook names
        self, server: SMTP, session: Session, envelope: Envelope, address: str, mail_options: list[str]
    ) -> str:
        scripted = self._scripted(server, "mail")
        if scripted is not None:
            return scripted
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 Ok"

    async def handle_RCPT(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        scripted = self._scripted(server, "rcpt")
        if scripted is not None:
            return scripted
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 Ok"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        scripted = self._scripted(server, "data")
        if scripted is not None:
            return scripted
        self.inbox._accept(envelope, session.peer)
        return f"250 2.0.0 Ok: queued as {uuid.uuid4().hex[:10].upper()}"

    def _scripted(self, server: SMTP, stage: Stage) -> str | None:
        reply = self.inbox._next(stage)
        if reply == DROP:
            # Close without a word; aiosmtpd's own reply then goes nowhere.
            if server.transport is not None:
                server.transport.close()
            return "421 4.3.0 Closing"
        return reply


class _Controller(Controller):
    """aiosmtpd's Controller, which can bind port 0: it reads the port the OS chose before its first connection."""

    def _trigger_server(self) -> None:
        if self.port == 0 and isinstance(self.server, asyncio.Server) and self.server.sockets:
            self.port = int(self.server.sockets[0].getsockname()[1])
        super()._trigger_server()  # type: ignore[no-untyped-call, unused-ignore]
