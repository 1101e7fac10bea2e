"""SMTP for dispatch: plain functions around smtplib that hand back the server's own reply to DATA.

The low-level ``mail``/``rcpt``/``data`` calls are used instead of ``send_message`` so that the evidence holds the
server's real words ("250 2.0.0 Ok: queued as 4F2A1") and a refusal says at which step and for which recipient.
The mail server is the platform's own, so its address is not checked like a supplier's; a whole conversation ends at
its deadline (``SmtpServer.total_timeout``).
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

from ocilink.dispatch.transports import network

SmtpStage = Literal["connect", "tls", "auth", "mail", "rcpt", "data"]


@dataclass(frozen=True)
class SmtpServer:
    """The mail server the platform sends through, with its login if it needs one."""

    host: str
    port: int
    starttls: bool = True
    ssl: bool = False  # SMTPS (implicit TLS, usually port 465); excludes ``starttls``
    timeout: float = 30.0  # for connecting and for each reply
    username: str | None = None
    password: str | None = None
    total_timeout: float | None = None  # the whole conversation (default: ``timeout``)

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class SmtpReply:
    """One reply of the server: ``250`` and ``2.0.0 Ok: queued as 4F2A1``."""

    code: int
    text: str

    def __str__(self) -> str:
        return f"{self.code} {self.text}".strip()


class SmtpError(Exception):
    """The server refused, or the conversation broke off.

    ``code`` is the server's reply code, or ``None`` when there was no reply (connection refused, timed out or
    closed). ``recipient`` names the address a RCPT refusal was about. ``certificate`` is set when the server's TLS
    certificate could not be verified.
    """

    def __init__(
        self,
        stage: SmtpStage,
        code: int | None,
        text: str,
        *,
        recipient: str | None = None,
        certificate: bool = False,
    ) -> None:
        super().__init__(f"{stage}: {code or ''} {text}".strip())
        self.stage: SmtpStage = stage
        self.code = code
        self.text = text
        self.recipient = recipient
        self.certificate = certificate

    @property
    def reply(self) -> str:
        return f"{self.code} {self.text}" if self.code else self.text

    @property
    def transient(self) -> bool:
        """RFC 5321: 4yz may succeed when repeated, 5yz will not; a lost connection counts as a 451."""
        if self.certificate:
            return False
        return self.code is None or 400 <= self.code < 500


def send(server: SmtpServer, *, sender: str, recipients: Sequence[str], message: bytes) -> SmtpReply:
    """Hand ``message`` (with CRLF line ends) to the server for ``recipients``; return the reply to DATA.

    Refused recipients abort the whole transaction, so either every recipient gets the message or none does.
    """
    with _session(server) as smtp:
        _envelope(smtp, sender=sender, recipients=recipients)
        try:
            code, text = smtp.data(message)
        except smtplib.SMTPDataError as exc:  # the reply to DATA itself was not 354
            raise SmtpError("data", exc.smtp_code, _text(exc.smtp_error)) from exc
        except (OSError, smtplib.SMTPServerDisconnected) as exc:
            raise _lost("data", exc) from exc
        if code != 250:
            raise SmtpError("data", code, _text(text))
        return SmtpReply(code, _text(text))


def probe(server: SmtpServer, *, sender: str, recipients: Sequence[str]) -> SmtpReply:
    """Connect, log in and offer the sender and recipients, then reset: checks a set-up without sending."""
    with _session(server) as smtp:
        reply = _envelope(smtp, sender=sender, recipients=recipients)
        smtp.rset()
        return reply


@contextmanager
def _session(server: SmtpServer) -> Iterator[smtplib.SMTP]:
    deadline = network.Deadline(server.total_timeout if server.total_timeout is not None else server.timeout)
    timeout = deadline.bound(server.timeout)
    smtp = _connect(server, timeout)
    cutoff = network.Cutoff(deadline)
    try:
        if smtp.sock is not None:
            cutoff.attach(smtp.sock)
        with cutoff:
            try:
                _greet(smtp, server)
                yield smtp
            except SmtpError as exc:
                if cutoff.fired and exc.code is None:
                    exc.text = f"no answer within {deadline.seconds:g} seconds for the whole exchange"
                raise
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


def _connect(server: SmtpServer, timeout: float) -> smtplib.SMTP:
    try:
        if server.ssl:
            return smtplib.SMTP_SSL(server.host, server.port, timeout=timeout, context=ssl.create_default_context())
        return smtplib.SMTP(server.host, server.port, timeout=timeout)
    except smtplib.SMTPConnectError as exc:  # a greeting other than 220, e.g. "421 too busy" or "554 go away"
        raise SmtpError("connect", exc.smtp_code, _text(exc.smtp_error)) from exc
    except ssl.SSLCertVerificationError as exc:
        raise SmtpError("tls", None, str(exc.verify_message or exc), certificate=True) from exc
    except (OSError, smtplib.SMTPServerDisconnected) as exc:
        raise _lost("connect", exc) from exc


def _greet(smtp: smtplib.SMTP, server: SmtpServer) -> None:
    stage: SmtpStage = "connect"
    try:
        smtp.ehlo_or_helo_if_needed()
        if server.starttls and not server.ssl:
            stage = "tls"
            code, text = smtp.starttls(context=ssl.create_default_context())
            if code != 220:
                raise SmtpError("tls", code, _text(text))
            smtp.ehlo()
        if server.username:
            stage = "auth"
            smtp.login(server.username, server.password or "")
    except smtplib.SMTPAuthenticationError as exc:
        raise SmtpError("auth", exc.smtp_code, _text(exc.smtp_error)) from exc
    except smtplib.SMTPResponseException as exc:
        raise SmtpError(stage, exc.smtp_code, _text(exc.smtp_error)) from exc
    except smtplib.SMTPNotSupportedError as exc:  # no STARTTLS or no AUTH offered: a set-up error, not a hiccup
        raise SmtpError(stage, 502, str(exc)) from exc
    except ssl.SSLCertVerificationError as exc:
        raise SmtpError("tls", None, str(exc.verify_message or exc), certificate=True) from exc
    except (OSError, smtplib.SMTPServerDisconnected) as exc:
        raise _lost(stage, exc) from exc
    except smtplib.SMTPException as exc:  # "No suitable authentication method found."
        raise SmtpError(stage, 504, str(exc)) from exc


def _envelope(smtp: smtplib.SMTP, *, sender: str, recipients: Sequence[str]) -> SmtpReply:
    stage: SmtpStage = "mail"
    try:
        code, text = smtp.mail(sender)
        if code != 250:
            raise SmtpError("mail", code, _text(text))
        stage = "rcpt"
        for recipient in recipients:
            code, text = smtp.rcpt(recipient)
            if code not in (250, 251):
                raise SmtpError("rcpt", code, _text(text), recipient=recipient)
        return SmtpReply(code, _text(text))
    except (OSError, smtplib.SMTPServerDisconnected) as exc:
        raise _lost(stage, exc) from exc


def _lost(stage: SmtpStage, exc: BaseException) -> SmtpError:
    # smtplib turns a timeout while waiting for a reply into SMTPServerDisconnected; the timeout is its context.
    if isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError):
        return SmtpError(stage, None, "no answer within the time limit")
    if isinstance(exc, ConnectionRefusedError):
        return SmtpError(stage, None, "connection refused")
    if isinstance(exc, socket.gaierror):
        return SmtpError(stage, None, f"the host name could not be resolved ({exc.strerror})")
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return SmtpError(stage, None, "the server closed the connection")
    detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc) or type(exc).__name__
    return SmtpError(stage, None, detail)


def _text(raw: bytes | str) -> str:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    return " ".join(text.split())  # multi-line replies come joined with "\n"
