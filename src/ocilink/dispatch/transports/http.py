"""HTTPS for dispatch: plain functions around httpx. TLS verification is always on and cannot be switched off.

Every failure below HTTP comes out as one ``HttpTransportError`` whose ``kind`` says what happened, so the channels
decide what is worth retrying without knowing httpx. A host that resolves to an address off the public internet is
refused before any connection (``network.ForbiddenTarget``), and a whole exchange ends at its deadline.
"""

from __future__ import annotations

import functools
import os
import socket
import ssl
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import SplitResult, urlsplit, urlunsplit

import httpx

from ocilink.dispatch.transports import network

# A cXML Response is a few hundred bytes; a supplier that streams megabytes back is misbehaving, so stop reading
# there rather than hold it all in a worker's memory.
MAX_RESPONSE_BYTES = 2 * 1024 * 1024

TransportFailure = Literal[
    "dns",  # the host name could not be resolved: nothing was sent
    "refused",  # nothing listens there: nothing was sent
    "connect_timeout",  # no TCP/TLS connection within the timeout: nothing was sent
    "tls_certificate",  # the server's certificate failed verification: nothing was sent
    "tls_rejected",  # the server refused our TLS handshake (e.g. our client certificate): nothing was sent
    "tls",  # another TLS failure during the handshake: nothing was sent
    "connect",  # another failure while connecting: nothing was sent
    "read_timeout",  # connected and sent, but no answer in time: the outcome is unknown
    "write_timeout",  # the request could not be written in time: the outcome is unknown
    "connection_lost",  # the server closed or reset the connection before answering: the outcome is unknown
    "protocol",  # the server's answer was not valid HTTP: the outcome is unknown
]

# TLS alerts a server sends when it does not accept us (as opposed to a network hiccup during the handshake).
_REJECTING_ALERTS = (
    "CERTIFICATE_REQUIRED",
    "BAD_CERTIFICATE",
    "UNKNOWN_CA",
    "CERTIFICATE_UNKNOWN",
    "ACCESS_DENIED",
    "HANDSHAKE_FAILURE",
    "WRONG_VERSION_NUMBER",  # a plain-HTTP server on the other end
)


@dataclass(frozen=True)
class HttpReply:
    """What the server answered. ``headers`` have lower-case names; ``body`` stops at ``MAX_RESPONSE_BYTES``."""

    status: int
    headers: dict[str, str]
    body: bytes
    elapsed_ms: float
    truncated: bool = False


@dataclass(frozen=True)
class TlsPeer:
    """What a TLS handshake showed about a server."""

    host: str
    port: int
    tls_version: str
    subject: str
    issuer: str
    not_after: str


class HttpTransportError(Exception):
    """The request did not get an HTTP answer. ``kind`` says why, ``detail`` is the library's own words.

    ``kind`` and ``detail`` tell what is behind a port (nothing, a firewall, something that is not TLS): they are for
    the platform's staff, never for the message a customer reads.
    """

    def __init__(self, kind: TransportFailure, detail: str, *, host: str, elapsed_ms: float, address: str = "") -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind: TransportFailure = kind
        self.detail = detail
        self.host = host
        self.elapsed_ms = elapsed_ms
        self.address = address  # the IP address tried last, "" when the name did not resolve

    @property
    def request_sent(self) -> bool:
        """Whether the server may have received (and acted on) the request."""
        return self.kind in ("read_timeout", "write_timeout", "connection_lost", "protocol")


def post(
    url: str,
    body: bytes,
    *,
    headers: Mapping[str, str],
    timeout: float,
    verify: str | None = None,
    cert: str | None = None,
    auth: tuple[str, str] | None = None,
    allowed_networks: Sequence[str] = (),
    total_timeout: float | None = None,
) -> HttpReply:
    """POST ``body`` to ``url`` once, with no retries and no redirects followed.

    ``verify`` is PEM text of the CAs to trust for this server (only these); ``None`` trusts the usual public CAs.
    ``cert`` is PEM text holding a client certificate chain and its unencrypted private key. ``timeout`` applies
    to connecting, to writing and to each wait for the answer; ``total_timeout`` (default: ``timeout``) bounds the
    whole exchange. The host name is resolved once and every address checked (``network.resolve``, which raises
    ``network.ForbiddenTarget``); the connection goes to a checked address, with the name kept for TLS and ``Host``.
    """
    parts = urlsplit(url)
    hostname = parts.hostname or ""
    host = _host_label(url)
    deadline = network.Deadline(total_timeout if total_timeout is not None else timeout)
    context = tls_context(verify=verify, cert=cert)
    started = time.perf_counter()
    try:
        addresses = network.resolve(
            hostname, parts.port or 443, allowed=allowed_networks, timeout=deadline.bound(timeout)
        )
    except OSError as exc:  # socket.gaierror or TimeoutError: the name does not resolve (in time)
        raise HttpTransportError("dns", _detail(exc), host=host, elapsed_ms=_since(started)) from exc
    failure: HttpTransportError | None = None
    for address in addresses:
        if failure is not None and deadline.expired:
            break
        try:
            return _post_to(address, parts, body, headers, timeout, deadline, context, auth, host, started)
        except HttpTransportError as error:
            if error.request_sent:
                raise
            failure = error  # nothing was sent to this address: the next one may answer
    assert failure is not None  # resolve() returns at least one address or raises
    raise failure


def _post_to(
    address: str,
    parts: SplitResult,
    body: bytes,
    headers: Mapping[str, str],
    timeout: float,
    deadline: network.Deadline,
    context: ssl.SSLContext,
    auth: tuple[str, str] | None,
    host: str,
    started: float,
) -> HttpReply:
    target = urlunsplit(("https", _netloc(address, parts.port), parts.path or "/", parts.query, ""))
    cutoff = network.Cutoff(deadline)

    def trace(event: str, info: Mapping[str, Any]) -> None:
        if event == "connection.connect_tcp.complete":
            stream = info.get("return_value")
            sock = stream.get_extra_info("socket") if stream is not None else None
            if isinstance(sock, socket.socket):
                cutoff.attach(sock)

    # The URL names the checked address; the server still sees (SNI, Host) and is verified as the name.
    extensions = {"sni_hostname": parts.hostname or "", "trace": trace}
    request_headers = {**headers, "Host": parts.netloc}
    try:
        # trust_env=False: no proxy or CA settings picked up silently from the environment of the worker.
        with (
            httpx.Client(
                verify=context, timeout=deadline.bound(timeout), follow_redirects=False, trust_env=False
            ) as client,
            cutoff,
            client.stream(
                "POST", target, content=body, headers=request_headers, auth=auth, extensions=extensions
            ) as response,
        ):
            data, truncated = _read_capped(response.iter_bytes(), MAX_RESPONSE_BYTES)
            return HttpReply(
                status=response.status_code,
                headers={name.lower(): value for name, value in response.headers.items()},
                body=data,
                elapsed_ms=_since(started),
                truncated=truncated,
            )
    except httpx.RequestError as exc:  # transport failures, and a body that cannot be decoded
        kind, detail = _failure_kind(exc), _detail(exc)
        if cutoff.fired:
            detail = f"the whole exchange took longer than {deadline.seconds:g} seconds ({detail})"
            if kind in ("connection_lost", "protocol"):
                kind = "read_timeout"
        raise HttpTransportError(kind, detail, host=host, elapsed_ms=_since(started), address=address) from exc


def check_tls(
    url: str,
    *,
    timeout: float,
    verify: str | None = None,
    cert: str | None = None,
    allowed_networks: Sequence[str] = (),
) -> TlsPeer:
    """Open a TLS connection to the host of ``url`` the way ``post`` would, and report the server's certificate.

    Nothing is sent over the connection. The address is checked as ``post`` checks it.
    """
    parts = urlsplit(url)
    hostname = parts.hostname or ""
    port = parts.port or 443
    context = tls_context(verify=verify, cert=cert)
    deadline = network.Deadline(timeout)
    started = time.perf_counter()
    address = ""
    try:
        addresses = network.resolve(hostname, port, allowed=allowed_networks, timeout=deadline.bound(timeout))
        address = addresses[0]
        with network.connect(addresses, port, timeout=deadline.bound(timeout)) as raw:
            address = str(raw.getpeername()[0])
            raw.settimeout(deadline.bound(timeout))
            with context.wrap_socket(raw, server_hostname=hostname) as tls:
                peer = tls.getpeercert() or {}
                return TlsPeer(
                    host=hostname,
                    port=port,
                    tls_version=tls.version() or "",
                    subject=_name(peer.get("subject", ())),
                    issuer=_name(peer.get("issuer", ())),
                    not_after=str(peer.get("notAfter", "")),
                )
    except OSError as exc:
        raise HttpTransportError(
            _failure_kind(exc), _detail(exc), host=_host_label(url), elapsed_ms=_since(started), address=address
        ) from exc


def tls_context(*, verify: str | None = None, cert: str | None = None) -> ssl.SSLContext:
    """A client context that verifies the server (always) and, if given, presents a client certificate.

    Raises ``ValueError`` with a readable sentence when the CA bundle or the client certificate cannot be loaded.
    Contexts are cached per (CA bundle, certificate): loading the public CA bundle costs ~35 ms, more than a whole
    order round trip, and a context may be shared by any number of connections.
    """
    return _tls_context(verify, cert)


@functools.lru_cache(maxsize=64)
def _tls_context(verify: str | None, cert: str | None) -> ssl.SSLContext:
    if verify is None:
        context = httpx.create_ssl_context(trust_env=False)
    else:
        try:
            context = ssl.create_default_context(cadata=verify)
        except (ssl.SSLError, ValueError) as exc:
            raise ValueError(f"The CA bundle is not valid PEM text of one or more certificates ({exc}).") from exc
    # Belt and braces: whatever built the context, these two stay on.
    context.verify_mode = ssl.CERT_REQUIRED
    context.check_hostname = True
    if cert:
        _load_client_certificate(context, cert)
    return context


def _load_client_certificate(context: ssl.SSLContext, pem: str) -> None:
    # The ssl module loads a certificate and key only from a file: write a private temporary file (0600),
    # load it and remove it at once, so the key is on disk for as short as possible.
    fd, path = tempfile.mkstemp(prefix="ocilink-client-", suffix=".pem")
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(pem)
        context.load_cert_chain(path)
    except (ssl.SSLError, ValueError, UnicodeEncodeError) as exc:
        raise ValueError(
            "The client certificate must be PEM text holding the certificate and its unencrypted private key."
        ) from exc
    finally:
        os.unlink(path)


def _read_capped(chunks: Iterator[bytes], limit: int) -> tuple[bytes, bool]:
    data = bytearray()
    for chunk in chunks:
        data += chunk
        if len(data) > limit:
            return bytes(data[:limit]), True
    return bytes(data), False


def _failure_kind(exc: BaseException) -> TransportFailure:
    causes = list(_chain(exc))
    if any(isinstance(cause, ssl.SSLCertVerificationError) for cause in causes):
        return "tls_certificate"
    for cause in causes:
        if isinstance(cause, ssl.SSLError):
            reason = str(getattr(cause, "reason", "") or cause).upper()
            return "tls_rejected" if any(alert in reason for alert in _REJECTING_ALERTS) else "tls"
    if any(isinstance(cause, socket.gaierror) for cause in causes):
        return "dns"
    if any(isinstance(cause, ConnectionRefusedError) for cause in causes):
        return "refused"
    if isinstance(exc, httpx.ConnectTimeout):
        return "connect_timeout"
    if isinstance(exc, httpx.ReadTimeout):
        return "read_timeout"
    if isinstance(exc, httpx.WriteTimeout):
        return "write_timeout"
    if isinstance(exc, httpx.ConnectError):
        return "connect"
    if isinstance(exc, httpx.ReadError | httpx.WriteError | httpx.RemoteProtocolError):
        # A server that closes the connection without a word shows up as a RemoteProtocolError.
        return "connection_lost" if _closed_without_answer(exc) else "protocol"
    if isinstance(exc, TimeoutError):  # check_tls, outside httpx
        return "connect_timeout"
    if isinstance(exc, ConnectionError):
        return "connect"
    return "protocol" if isinstance(exc, httpx.RequestError) else "connect"


def _closed_without_answer(exc: httpx.TransportError) -> bool:
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return True
    text = str(exc).lower()
    return "disconnected" in text or "closed" in text or "without sending" in text


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _detail(exc: BaseException) -> str:
    for cause in _chain(exc):
        if isinstance(cause, ssl.SSLCertVerificationError):
            return str(cause.verify_message or cause.reason or cause)
        if isinstance(cause, ssl.SSLError):
            return str(cause.reason or cause)
        if isinstance(cause, OSError) and cause.strerror:
            return str(cause.strerror)
    return str(exc) or type(exc).__name__


def _netloc(address: str, port: int | None) -> str:
    literal = f"[{address}]" if ":" in address else address
    return f"{literal}:{port}" if port else literal


def _host_label(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or url
    return f"{host}:{parts.port}" if parts.port else host


def _name(rdns: object) -> str:
    # getpeercert() gives ((("commonName", "x"),), (("organizationName", "y"),)); show it as "commonName=x, ...".
    pairs: list[str] = []
    if isinstance(rdns, tuple):
        for rdn in rdns:
            for attribute in rdn:
                if isinstance(attribute, tuple) and len(attribute) == 2:
                    pairs.append(f"{attribute[0]}={attribute[1]}")
    return ", ".join(pairs)


def _since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
