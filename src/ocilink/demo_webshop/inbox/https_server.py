"""The demo supplier's cXML endpoint: a threaded HTTPS server that takes OrderRequests on ``POST /cxml/orders``.

Each OrderRequest is parsed with ``parse_order_request``, kept in the store under its payloadID (shared secret
redacted) and answered with a cXML ``Response`` 200 OK. Tests script the next answers::

    inbox.script([Reply.http_error(500), None])   # first an HTTP 500, then as usual
    inbox.script([Reply.cxml(401, "Unauthorized", "Unknown shared secret.")])
    inbox.script([Reply.slow(2.0)])               # keep the order, answer after 2 s (a client timeout)
    inbox.script([Reply.hang_up()])               # close the connection without answering
    inbox.script([Reply.already_processed()])     # cXML 500 "... has already been processed."

The certificate comes from ``make_tls_material()`` (a throw-away CA and a server certificate for ``localhost`` and
``127.0.0.1``); give the client ``ca_pem`` as the connection's CA bundle.
"""

from __future__ import annotations

import base64
import hmac
import logging
import os
import ssl
import tempfile
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ocilink.protocols.cxml import (
    MAX_DOCUMENT_BYTES,
    CxmlParseError,
    ParsedOrder,
    build_response,
    parse_order_request,
    redact_shared_secret,
)

from .store import InboxStore

log = logging.getLogger(__name__)

PATH = "/cxml/orders"
CHANNEL = "cxml_https"
SUPPLIER_DOMAIN = "supplier.demo"
# An idle or stalled client holds one handler thread at most this long.
HANDLER_TIMEOUT = 10


@dataclass(frozen=True)
class TlsMaterial:
    """A CA (PEM, for the client's CA bundle) and the server's certificate chain with its private key (PEM)."""

    ca_pem: str
    server_pem: bytes

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        # The ssl module loads a key only from a file: a private temporary one, removed at once.
        fd, path = tempfile.mkstemp(prefix="ocilink-inbox-", suffix=".pem")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(self.server_pem)
            context.load_cert_chain(path)
        finally:
            os.unlink(path)
        return context


def make_tls_material(*names: str) -> TlsMaterial:
    """A fresh CA and a server certificate for ``names`` (default: ``localhost`` and ``127.0.0.1``)."""
    import trustme

    ca = trustme.CA(organization_name="ocilink demo supplier")
    leaf = ca.issue_cert(*(names or ("localhost", "127.0.0.1")))
    return TlsMaterial(
        ca_pem=ca.cert_pem.bytes().decode("ascii"),
        server_pem=leaf.private_key_and_cert_chain_pem.bytes(),
    )


def load_or_make_tls_material(folder: Path) -> TlsMaterial:
    """The demo's certificate, kept in ``folder`` so that connections set up with its CA keep working."""
    ca_file, server_file = folder / "ca.pem", folder / "server.pem"
    if ca_file.exists() and server_file.exists():
        return TlsMaterial(ca_pem=ca_file.read_text(encoding="ascii"), server_pem=server_file.read_bytes())
    material = make_tls_material()
    folder.mkdir(parents=True, exist_ok=True)
    server_file.touch(mode=0o600)
    server_file.write_bytes(material.server_pem)
    ca_file.write_text(material.ca_pem, encoding="ascii")
    return material


@dataclass(frozen=True)
class Reply:
    """How the endpoint answers one request. ``Reply()`` is the usual: keep the order, answer cXML 200 OK."""

    http_status: int = 200
    cxml_code: int | None = 200  # None: a plain-text body instead of a cXML Response
    cxml_text: str = "OK"
    message: str = ""  # the Status content; "{order_id}" and "{payload_id}" are filled in
    delay: float = 0.0  # seconds to wait (after keeping the order) before answering
    drop: bool = False  # close the connection instead of answering
    keep: bool = True  # whether the order counts as received (goes to the store)
    body: bytes = b""  # without cXML: the body to answer with ("HTTP <status>" when empty)
    content_type: str = "text/plain; charset=utf-8"  # without cXML: its content type

    @classmethod
    def http_error(cls, status: int = 500) -> Reply:
        return cls(http_status=status, cxml_code=None, cxml_text="", keep=False)

    @classmethod
    def cxml(cls, code: int, text: str, message: str = "", *, http_status: int = 200) -> Reply:
        return cls(http_status=http_status, cxml_code=code, cxml_text=text, message=message, keep=200 <= code <= 299)

    @classmethod
    def raw(cls, status: int, content_type: str, body: bytes, *, keep: bool = True) -> Reply:
        """Answer with something else than cXML, e.g. a web page: ``Reply.raw(200, "text/html", b"<html>…")``."""
        return cls(http_status=status, cxml_code=None, cxml_text="", body=body, content_type=content_type, keep=keep)

    @classmethod
    def slow(cls, seconds: float, *, keep: bool = True) -> Reply:
        return cls(delay=seconds, keep=keep)

    @classmethod
    def hang_up(cls, *, keep: bool = False) -> Reply:
        return cls(drop=True, keep=keep)

    @classmethod
    def already_processed(cls) -> Reply:
        return cls.cxml(
            500, "Internal Server Error", "PO Number: {order_id} has already been processed.", http_status=500
        )


@dataclass(frozen=True)
class SeenRequest:
    """A request that reached the endpoint and parsed as an OrderRequest, whatever the answer was."""

    payload_id: str
    body: bytes  # as received, shared secret included: only in memory, for tests
    headers: dict[str, str]
    reply: Reply


class CxmlInbox:
    """The HTTPS endpoint on ``host:port`` (port 0: a free one; see ``.url`` after ``start()``)."""

    def __init__(
        self,
        store: InboxStore,
        host: str = "127.0.0.1",
        port: int = 0,
        certificate: TlsMaterial | None = None,
        *,
        shared_secret: str | None = None,
        basic_auth: tuple[str, str] | None = None,
    ) -> None:
        self.store = store
        self.host = host
        self.port = port
        self.certificate = certificate or make_tls_material()
        self.shared_secret = shared_secret  # when set, other secrets get cXML 401
        self.basic_auth = basic_auth  # when set, requests without it get HTTP 401
        self.requests: list[SeenRequest] = []
        self.handshake_failures = 0  # TLS handshakes that failed, e.g. a client that does not trust us
        self._script: list[Reply | None] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = "localhost" if self.host in ("", "0.0.0.0", "::") else self.host
        return f"https://{host}:{self.port}{PATH}"

    @property
    def ca_pem(self) -> str:
        return self.certificate.ca_pem

    @property
    def received(self) -> list[str]:
        """The payloadIDs of every OrderRequest that reached the endpoint, in order (answered or not)."""
        with self._lock:
            return [request.payload_id for request in self.requests]

    def script(self, replies: Sequence[Reply | None]) -> None:
        """Queue answers for the next requests; ``None`` is the usual answer."""
        with self._lock:
            self._script.extend(replies)

    def start(self) -> None:
        self._stopping.clear()
        server = _Server((self.host, self.port), self, self.certificate.server_context())
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="cxml-inbox", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()  # ends any scripted delay at once
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def __enter__(self) -> CxmlInbox:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _next(self) -> Reply:
        with self._lock:
            scripted = self._script.pop(0) if self._script else None
        return scripted or Reply()

    def _seen(self, request: SeenRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _handshake_failed(self) -> None:
        with self._lock:
            self.handshake_failures += 1

    def _authorised(self, order: ParsedOrder) -> bool:
        if self.shared_secret is None:
            return True
        return hmac.compare_digest(order.shared_secret.encode(), self.shared_secret.encode())

    def _basic_auth_ok(self, header: str | None) -> bool:
        if self.basic_auth is None:
            return True
        expected = "Basic " + base64.b64encode(":".join(self.basic_auth).encode()).decode("ascii")
        return hmac.compare_digest((header or "").encode(), expected.encode())

    def _keep(self, order: ParsedOrder, body: bytes, peer: object) -> None:
        self.store.record(
            CHANNEL,
            order.payload_id,
            redact_shared_secret(body),
            {
                "order_id": order.order_id,
                "order_type": order.order_type,
                "deployment_mode": order.deployment_mode,
                "total": str(order.total),
                "currency": order.currency,
                "lines": len(order.lines),
                "from": order.from_.identity if order.from_ else "",
                "peer": str(peer),
            },
        )


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # stop() must not wait for a scripted slow answer

    def __init__(self, address: tuple[str, int], inbox: CxmlInbox, context: ssl.SSLContext) -> None:
        super().__init__(address, _Handler)
        self.inbox = inbox
        # The handshake runs in the request's own thread (see _Handler.setup), not in the accepting one, so a
        # client that never completes it cannot block the server.
        self.socket = context.wrap_socket(self.socket, server_side=True, do_handshake_on_connect=False)

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("cXML inbox: request from %s failed", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # without it each answer waits ~40 ms for the client's delayed ACK
    timeout = HANDLER_TIMEOUT
    server_version = "ocilink-demo-supplier"

    def setup(self) -> None:
        super().setup()
        try:
            self.connection.do_handshake()
        except (ssl.SSLError, OSError):
            self.server.inbox._handshake_failed()
            raise

    def do_GET(self) -> None:  # noqa: N802 - http.server's method names
        self._answer(405, b"POST cXML OrderRequests to this address.\n", "text/plain; charset=utf-8")

    def do_POST(self) -> None:  # noqa: N802
        inbox = self.server.inbox
        if urlsplit(self.path).path != PATH:
            self._answer(404, b"Not found.\n", "text/plain; charset=utf-8")
            return
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            self._answer(411, b"Content-Length is required.\n", "text/plain; charset=utf-8")
            return
        if not 0 <= length <= MAX_DOCUMENT_BYTES:
            self._answer(413, b"The document is too large.\n", "text/plain; charset=utf-8")
            return
        body = self.rfile.read(length)
        if not inbox._basic_auth_ok(self.headers.get("Authorization")):
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="cxml"')
            self._finish(b"", "text/plain; charset=utf-8")
            return
        try:
            order = parse_order_request(body)
        except CxmlParseError as exc:
            self._cxml(400, 400, "Bad Request", f"Not a cXML OrderRequest: {exc}")
            return
        reply = inbox._next()
        inbox._seen(SeenRequest(order.payload_id, body, dict(self.headers.items()), reply))
        if not inbox._authorised(order):
            self._cxml(200, 401, "Unauthorized", "Unknown shared secret")
            return
        if reply.keep:
            inbox._keep(order, body, self.client_address)
        if reply.delay and inbox._stopping.wait(reply.delay):
            self.close_connection = True
            return
        if reply.drop:
            self.close_connection = True  # no answer at all: the client sees the connection close
            return
        if reply.cxml_code is None:
            self._answer(reply.http_status, reply.body or f"HTTP {reply.http_status}\n".encode(), reply.content_type)
            return
        message = reply.message.replace("{order_id}", order.order_id).replace("{payload_id}", order.payload_id)
        self._cxml(reply.http_status, reply.cxml_code, reply.cxml_text, message)

    def _cxml(self, http_status: int, code: int, text: str, message: str = "") -> None:
        document = build_response(
            payload_id=f"{uuid.uuid4().hex}@{SUPPLIER_DOMAIN}",
            code=code,
            text=text,
            timestamp=datetime.now(UTC),
            message=message,
        )
        self._answer(http_status, document, "text/xml; charset=UTF-8")

    def _answer(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self._finish(body, content_type)

    def _finish(self, body: bytes, content_type: str) -> None:
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's signature
        log.debug("cXML inbox: " + format, *args)
