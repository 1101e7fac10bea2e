"""Ordering by cXML over HTTPS: POST an OrderRequest to the supplier's server and read its cXML Response.

Every try sends the same document: the payloadID and timestamp come from the dispatch envelope, fixed when the
dispatch was created. A timeout after the request went out is an unknown outcome and is retried with that same
document, so the supplier can recognise the repeat. What is recorded never holds the shared secret.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

from ocilink.dispatch.channels.base import (
    Channel,
    ConfigField,
    allowed_networks,
    connection_name,
    gettext_noop,
    private_target_error,
    send_timeout,
)
from ocilink.dispatch.exceptions import TECHNICAL, DispatchError, PermanentDispatchError, TransientDispatchError
from ocilink.dispatch.registry import register_channel
from ocilink.dispatch.transports import http, network
from ocilink.dispatch.types import ChannelConfig, DispatchEnvelope, DispatchResult, OutboundOrder
from ocilink.protocols.cxml import CxmlIdentity, ResponseVerdict, build_order_request, classify_response
from ocilink.protocols.cxml import redact_shared_secret as redact

# http.post's shape: (url, body, *, headers, timeout, verify, cert, auth, allowed_networks, total_timeout)
PostOrder = Callable[..., http.HttpReply]
CheckTls = Callable[..., http.TlsPeer]  # http.check_tls's shape: (url, *, timeout, verify, cert, allowed_networks)

# The response is kept on the attempt row for people to read; a cXML Response is far smaller than this.
MAX_RECORDED_RESPONSE = 200 * 1024
DEFAULT_TIMEOUT = 30  # seconds; Coupa gives suppliers 60 s to answer, most answer within a few
MAX_TIMEOUT = 300  # accepted for each wait; a whole send still ends at the platform's send timeout
# What the order page quotes of an answer that is not cXML: enough to recognise a login page or an error page.
MAX_EXCERPT_CHARACTERS = 500
# Failures before the request was written. They are told apart only in the technical detail for the platform's staff:
# refused, timed out, no TLS, an untrusted certificate would otherwise tell anyone who can edit an order URL what is
# behind a port. All are retried, as a supplier's server that is down, or renewing its certificate, comes back.
_CONNECT_FAILURES = frozenset(
    {"dns", "refused", "connect_timeout", "tls_certificate", "tls_rejected", "tls", "connect"}
)
REQUEST_HEADERS = {
    "Content-Type": "text/xml; charset=UTF-8",
    "Accept": "text/xml, application/xml;q=0.9, */*;q=0.1",
    "User-Agent": "ocilink",
}
_IDENTITIES = ("from", "to", "sender")
_UNSAFE_FILE_CHARACTERS = re.compile(r"[^A-Za-z0-9._-]+")
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@register_channel()
class CxmlHttpsChannel(Channel):
    """Send the purchase order as a cXML OrderRequest to the supplier's HTTPS endpoint."""

    key = "cxml_https"
    label = gettext_noop("HTTPS with cXML")
    address_setting = "order_url"
    username_setting = "basic_auth_username"
    password_secret = "basic_auth_password"
    sends_cxml = True
    config_fields: ClassVar[tuple[ConfigField, ...]] = (
        ConfigField("order_url", "Order URL", kind="url", help_text="The supplier's cXML endpoint; https:// only."),
        ConfigField("from_domain", "From domain", help_text="Your credential domain, e.g. NetworkId or DUNS."),
        ConfigField("from_identity", "From identity", help_text="Your identity in that domain."),
        ConfigField("to_domain", "To domain", help_text="The supplier's credential domain."),
        ConfigField("to_identity", "To identity", help_text="The supplier's identity in that domain."),
        ConfigField("sender_domain", "Sender domain", required=False, help_text="Empty: the same as From."),
        ConfigField("sender_identity", "Sender identity", required=False, help_text="Empty: the same as From."),
        ConfigField(
            "deployment_mode", "Deployment mode", default="production", help_text="production, or test for trials."
        ),
        ConfigField(
            "ca_bundle",
            "Trusted CA certificates",
            required=False,
            kind="textarea",
            help_text="PEM. When given, the supplier's certificate is checked against these CAs only.",
        ),
        ConfigField(
            "timeout_seconds",
            "Timeout in seconds",
            required=False,
            kind="integer",
            default=DEFAULT_TIMEOUT,
            help_text="For connecting and for each wait for the answer; a whole send ends after at most 60 seconds.",
        ),
        ConfigField("basic_auth_username", "HTTP user name", required=False),
    )
    sensitive_fields: ClassVar[tuple[ConfigField, ...]] = (
        ConfigField("shared_secret", "Shared secret", kind="password"),
        ConfigField("basic_auth_password", "HTTP password", required=False, kind="password"),
        ConfigField(
            "client_certificate",
            "Client certificate",
            required=False,
            kind="textarea",
            help_text="PEM holding the certificate chain and its unencrypted private key.",
        ),
    )

    def __init__(self, *, post: PostOrder | None = None, check_tls: CheckTls | None = None) -> None:
        self._post: PostOrder = post or http.post
        self._check_tls: CheckTls = check_tls or http.check_tls

    def validate(self, config: ChannelConfig) -> list[str]:
        """What is wrong with ``config``, as sentences a person can act on; an empty list when it is usable."""
        settings, secrets, name = config.settings, config.secrets, connection_name(config)
        problems = _url_problems(str(settings.get("order_url") or ""), name)
        for field in ("from_domain", "from_identity", "to_domain", "to_identity"):
            if not str(settings.get(field) or "").strip():
                problems.append(f"Connection {name} has no {field.replace('_', ' ')}.")
        if not secrets.get("shared_secret"):
            problems.append(f"Connection {name} has no shared secret.")
        if settings.get("deployment_mode", "production") not in ("production", "test"):
            problems.append(f"The deployment mode of connection {name} must be production or test.")
        try:
            timeout = float(settings.get("timeout_seconds") or DEFAULT_TIMEOUT)
        except (TypeError, ValueError):
            timeout = -1
        if not 0 < timeout <= MAX_TIMEOUT:
            problems.append(
                f"The timeout of connection {name} must be a number of seconds above 0 and at most {MAX_TIMEOUT}."
            )
        if secrets.get("basic_auth_password") and not settings.get("basic_auth_username"):
            problems.append(f"Connection {name} has an HTTP password but no HTTP user name.")
        for label, kwargs in (
            ("CA bundle", {"verify": settings.get("ca_bundle") or None}),
            ("client certificate", {"cert": secrets.get("client_certificate") or None}),
        ):
            if not any(kwargs.values()):
                continue  # nothing configured: the public CAs, no client certificate
            try:
                http.tls_context(**kwargs)
            except ValueError as exc:
                problems.append(f"The {label} of connection {name} cannot be used: {exc}")
        return problems

    def build_request(self, order: OutboundOrder, config: ChannelConfig, envelope: DispatchEnvelope) -> bytes:
        """The OrderRequest exactly as it is sent, shared secret included: never store or log this."""
        settings = config.settings
        identities = {
            role: CxmlIdentity(
                domain=str(settings.get(f"{role}_domain") or settings["from_domain"]),
                identity=str(settings.get(f"{role}_identity") or settings["from_identity"]),
            )
            for role in _IDENTITIES
        }
        return build_order_request(
            order,
            payload_id=envelope.payload_id,
            timestamp=envelope.timestamp,
            from_=identities["from"],
            to=identities["to"],
            sender=identities["sender"],
            shared_secret=config.secrets.get("shared_secret", ""),
            deployment_mode=str(settings.get("deployment_mode") or "production"),
        )

    def build_document(
        self, order: OutboundOrder, config: ChannelConfig, envelope: DispatchEnvelope
    ) -> tuple[str, bytes]:
        return xml_file_name(order), redact(self.build_request(order, config, envelope))

    def send(self, order: OutboundOrder, config: ChannelConfig, envelope: DispatchEnvelope) -> DispatchResult:
        problems = self.validate(config)
        if problems:
            raise PermanentDispatchError(" ".join(problems) + " The order was not sent.")
        document = self.build_request(order, config, envelope)
        recorded = redact(document)
        url = str(config.settings["order_url"])
        total = send_timeout(config)
        timeout = min(float(config.settings.get("timeout_seconds") or DEFAULT_TIMEOUT), total)
        evidence: dict[str, Any] = {"payload_id": envelope.payload_id, "url": _shown_url(url)}
        try:
            reply = self._post(
                url,
                document,
                headers=REQUEST_HEADERS,
                timeout=timeout,
                verify=config.settings.get("ca_bundle") or None,
                cert=config.secrets.get("client_certificate") or None,
                auth=_basic_auth(config),
                allowed_networks=allowed_networks(config),
                total_timeout=total,
            )
        except network.ForbiddenTarget as refused:
            raise _private_target(refused, config=config, request=recorded, evidence=evidence) from refused
        except http.HttpTransportError as error:
            raise _transport_failure(
                error, timeout=timeout, config=config, request=recorded, evidence=evidence
            ) from error
        verdict = classify_response(
            http_status=reply.status, body=reply.body, content_type=reply.headers.get("content-type")
        )
        evidence.update(
            http_status=reply.status,
            cxml_code=verdict.cxml_code,
            cxml_text=verdict.cxml_text,
            elapsed_ms=reply.elapsed_ms,
        )
        response = reply.body[:MAX_RECORDED_RESPONSE]
        if verdict.outcome == "delivered":
            evidence["already_processed"] = verdict.cxml_code is not None and verdict.cxml_code >= 300
            return DispatchResult(
                summary=verdict.message,
                request=recorded,
                response=response,
                evidence=evidence,
                document_name=xml_file_name(order),
                document=recorded,
            )
        if verdict.outcome == "transient":
            message = f"{verdict.message} The order will be sent again later with the same payloadID."
            raise TransientDispatchError(message, request=recorded, response=response, evidence=evidence)
        if verdict.cxml_code is None and 200 <= reply.status <= 299:
            raise _not_cxml(reply, request=recorded, response=response, evidence=evidence)
        message = f"{verdict.message} {_advice(verdict, config)}"
        raise PermanentDispatchError(message, request=recorded, response=response, evidence=evidence)

    def check(self, config: ChannelConfig) -> str:
        """Open a TLS connection to the order URL's host and verify its certificate; nothing is sent."""
        problems = self.validate(config)
        if problems:
            raise PermanentDispatchError(" ".join(problems))
        url = str(config.settings["order_url"])
        timeout = min(float(config.settings.get("timeout_seconds") or DEFAULT_TIMEOUT), send_timeout(config))
        evidence: dict[str, Any] = {"url": _shown_url(url)}
        try:
            peer = self._check_tls(
                url,
                timeout=timeout,
                verify=config.settings.get("ca_bundle") or None,
                cert=config.secrets.get("client_certificate") or None,
                allowed_networks=allowed_networks(config),
            )
        except network.ForbiddenTarget as refused:
            raise _private_target(refused, config=config, request=b"", evidence=evidence) from refused
        except http.HttpTransportError as error:
            raise _transport_failure(error, timeout=timeout, config=config, request=b"", evidence=evidence) from error
        return (
            f"Connected to {peer.host}:{peer.port} over {peer.tls_version}; its certificate ({peer.subject}, issued "
            f"by {peer.issuer}) is trusted and valid until {peer.not_after}. No order was sent."
        )


def xml_file_name(order: OutboundOrder) -> str:
    return f"{_UNSAFE_FILE_CHARACTERS.sub('-', order.order_number)}.xml"


def _url_problems(url: str, name: str) -> list[str]:
    if not url:
        return [f"Connection {name} has no order URL."]
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return [f"The order URL {url!r} of connection {name} is not a valid URL."]
    if parts.scheme.lower() != "https":
        # Also for 127.0.0.1 and localhost: the order carries the shared secret, so TLS is never optional.
        return [f"The order URL of connection {name} must start with https://; orders are only sent over TLS."]
    if not parts.hostname:
        return [f"The order URL {url!r} of connection {name} has no host name."]
    if parts.username or parts.password:
        return [f"The order URL of connection {name} must not hold a user name or password; use the HTTP login."]
    return []


def _advice(verdict: ResponseVerdict, config: ChannelConfig) -> str:
    name = connection_name(config)
    code = verdict.cxml_code
    if code == 401:
        return f"Check the shared secret of connection {name}."
    if code == 403:
        return f"Check the From, To and Sender identities of connection {name}."
    if code is not None and 400 <= code <= 499:
        return "The order was not delivered; correct what the supplier names, then send it again."
    if code is None and verdict.http_status in (401, 403):
        return f"Check the HTTP user name and password and the client certificate of connection {name}."
    if code is None and verdict.http_status in (404, 405, 410):
        return f"Check the order URL of connection {name}."
    return "The order was not delivered."


def _private_target(
    refused: network.ForbiddenTarget, *, config: ChannelConfig, request: bytes, evidence: dict[str, Any]
) -> PermanentDispatchError:
    return private_target_error(
        refused,
        sentence=(
            "The order URL of connection {name} points to an address inside a private network ({shown}). ocilink does "
            "not send orders there: check the order URL with the supplier. If their server really is on a private "
            "network, ask the platform's operator to allow that network. The order was not sent."
        ),
        code="private_target",
        config=config,
        request=request,
        evidence=evidence,
    )


def _transport_failure(
    error: http.HttpTransportError,
    *,
    timeout: float,
    config: ChannelConfig,
    request: bytes,
    evidence: dict[str, Any],
) -> DispatchError:
    name, host = connection_name(config), error.host
    evidence = {
        **evidence,
        TECHNICAL: {
            "failure": error.kind,
            "detail": error.detail,
            "address": error.address,
            "elapsed_ms": error.elapsed_ms,
        },
    }
    unknown = (
        "the order may or may not have arrived. It will be sent again later with the same payloadID, "
        "so the supplier can recognise the repeat."
    )
    params: dict[str, Any] = {"host": host, "connection": name}
    if error.kind in _CONNECT_FAILURES:
        code = "connect_failed"
        message = (
            f"Could not connect to the supplier's server at {host}. The order was not sent; it will be sent again "
            f"later. If this goes on, check the order URL of connection {name} with the supplier."
        )
    elif error.kind in ("read_timeout", "write_timeout"):
        code, params["seconds"] = "no_answer", timeout
        message = f"The supplier's server at {host} did not answer within {timeout:g} seconds; {unknown}"
    elif error.kind == "connection_lost":
        code = "connection_lost"
        message = f"The supplier's server at {host} closed the connection without answering; {unknown}"
    else:
        code = "invalid_http"
        message = f"The supplier's server at {host} sent an answer that is not valid HTTP; {unknown}"
    return TransientDispatchError(message, request=request, evidence=evidence, code=code, params=params)


def _not_cxml(
    reply: http.HttpReply, *, request: bytes, response: bytes, evidence: dict[str, Any]
) -> PermanentDispatchError:
    """HTTP 2xx with something else than cXML: the supplier's server may have taken the order, so a person checks."""
    raw_type = reply.headers.get("content-type", "")
    content_type = raw_type.split(";", 1)[0].strip().lower()[:100]
    size = len(reply.body)
    described = f"{content_type or 'no content type'} ({'more than ' if reply.truncated else ''}{size} bytes)"
    return PermanentDispatchError(
        f"The supplier's server answered HTTP {reply.status} with {described} instead of a cXML Response. "
        "It may have taken the order: check with the supplier whether it arrived before you send it again.",
        request=request,
        response=response,
        evidence=evidence,
        code="not_cxml",
        params={
            "http_status": reply.status,
            "content_type": content_type,
            "size": size,
            "truncated": reply.truncated,
            "excerpt": _excerpt(reply.body, raw_type),
        },
    )


def _excerpt(body: bytes, content_type: str) -> str:
    """The start of an answer as text, for a person to recognise it (the page escapes it)."""
    match = re.search(r"charset=[\"']?([A-Za-z0-9._-]+)", content_type)
    head = body[: MAX_EXCERPT_CHARACTERS * 4]
    try:
        text = head.decode(match.group(1) if match else "utf-8", "replace")
    except LookupError:  # a charset Python does not know
        text = head.decode("utf-8", "replace")
    text = _CONTROL_CHARACTERS.sub("", text.replace("\r\n", "\n"))
    return text[:MAX_EXCERPT_CHARACTERS]


def _basic_auth(config: ChannelConfig) -> tuple[str, str] | None:
    username = str(config.settings.get("basic_auth_username") or "")
    return (username, config.secrets.get("basic_auth_password", "")) if username else None


def _shown_url(url: str) -> str:
    # A query string may carry a token: keep it out of the evidence.
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "(query removed)" if parts.query else "", ""))


def _name(config: ChannelConfig) -> str:
    return config.label or config.method
