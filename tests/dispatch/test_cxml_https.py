"""The cXML-over-HTTPS channel against the demo supplier's real TLS endpoint, over a real socket."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from ocilink.demo_webshop.inbox import CxmlInbox, InboxStore, Reply, TlsMaterial, make_tls_material
from ocilink.dispatch.channels.cxml_https import CxmlHttpsChannel
from ocilink.dispatch.choices import channel_choices
from ocilink.dispatch.exceptions import PermanentDispatchError, TransientDispatchError
from ocilink.dispatch.registry import get_channel
from ocilink.dispatch.types import ChannelConfig, DispatchEnvelope, OutboundOrder
from ocilink.protocols.cxml import parse_order_request

LABEL = "Bürobedarf Müller (cXML)"
LOOPBACK = ["127.0.0.0/8", "::1"]  # what tests/settings.py allows: the test servers run on loopback
SHARED_SECRET = "s3cr3t-Shared-Ätsch"
PAYLOAD_ID = "dispatch-17.8f3a2c@ocilink.test"


def eventually(condition: Callable[[], bool], timeout: float = 1.0) -> bool:
    """The server thread may note a failed handshake a moment after the client gave up: wait for it, briefly."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def cxml_config(
    url: str, ca_pem: str | None, *, secrets: dict[str, str] | None = None, **settings: Any
) -> ChannelConfig:
    return ChannelConfig(
        method="cxml_https",
        settings={
            "order_url": url,
            "from_domain": "NetworkId",
            "from_identity": "ACME-BV",
            "to_domain": "DUNS",
            "to_identity": "315673901",
            "sender_domain": "NetworkId",
            "sender_identity": "ocilink",
            "deployment_mode": "production",
            "ca_bundle": ca_pem,
            "timeout_seconds": 1,
            "allowed_private_networks": LOOPBACK,
            **settings,
        },
        secrets={"shared_secret": SHARED_SECRET, **(secrets or {})},
        label=LABEL,
    )


def test_delivered_order_carries_the_cxml_status_as_evidence(
    cxml_inbox: CxmlInbox, cxml_ca_pem: str, store: InboxStore, order: OutboundOrder, envelope: DispatchEnvelope
) -> None:
    # given
    config = cxml_config(cxml_inbox.url, cxml_ca_pem)

    # when
    result = CxmlHttpsChannel().send(order, config, envelope)

    # then
    assert result.summary == "The supplier accepted the order: 200 OK."
    elapsed_ms = result.evidence.pop("elapsed_ms")
    assert 0 < elapsed_ms < 1000
    assert result.evidence == {
        "payload_id": PAYLOAD_ID,
        "url": cxml_inbox.url,
        "http_status": 200,
        "cxml_code": 200,
        "cxml_text": "OK",
        "already_processed": False,
    }
    assert b'<Status code="200" text="OK"' in result.response
    assert result.document_name == "PO-2026-000123.xml"
    assert result.document == result.request
    # and the supplier has the order once, under its payloadID
    assert cxml_inbox.received == [PAYLOAD_ID]
    [stored] = store.list("cxml_https")
    assert stored.key == PAYLOAD_ID
    assert stored.duplicate is False
    assert stored.meta["order_id"] == "PO-2026-000123"
    assert stored.meta["total"] == "67.45"
    assert stored.meta["currency"] == "EUR"
    assert stored.meta["lines"] == 3
    parsed = parse_order_request(cxml_inbox.requests[0].body)
    assert [line.description for line in parsed.lines] == [
        "Büroklammern 26/6 (Größe M)",
        "Kopierpapier A4, 80 g/m², 500 Blatt",
        "Schrauben M4x20 verzinkt",
    ]
    assert [str(line.price_basis_quantity) for line in parsed.lines] == ["1", "1", "100"]
    assert cxml_inbox.requests[0].headers["Content-Type"] == "text/xml; charset=UTF-8"


def test_http_500_is_retried_with_the_same_payload_id(
    cxml_inbox: CxmlInbox, cxml_ca_pem: str, store: InboxStore, order: OutboundOrder, envelope: DispatchEnvelope
) -> None:
    # given the server fails once
    cxml_inbox.script([Reply.http_error(500), None])
    config = cxml_config(cxml_inbox.url, cxml_ca_pem)
    channel = CxmlHttpsChannel()

    # when the first try fails
    with pytest.raises(TransientDispatchError) as first:
        channel.send(order, config, envelope)

    # then nothing was delivered
    assert first.value.message == (
        "The supplier's server failed and a later attempt may work: HTTP 500 Internal Server Error. "
        "The order will be sent again later with the same payloadID."
    )
    assert first.value.evidence["http_status"] == 500
    assert store.list() == []

    # when the retry goes through
    result = channel.send(order, config, envelope)

    # then the server saw the same document twice, and keeps one order
    assert result.evidence["cxml_code"] == 200
    assert cxml_inbox.received == [PAYLOAD_ID, PAYLOAD_ID]
    assert cxml_inbox.requests[0].body == cxml_inbox.requests[1].body
    assert [item.key for item in store.list("cxml_https")] == [PAYLOAD_ID]


def test_a_timeout_is_transient_and_the_retry_is_recognisable_as_a_repeat(
    cxml_inbox: CxmlInbox, cxml_ca_pem: str, store: InboxStore, order: OutboundOrder, envelope: DispatchEnvelope
) -> None:
    # given a server that keeps the order but answers after the client gave up
    cxml_inbox.script([Reply.slow(3.0)])
    config = cxml_config(cxml_inbox.url, cxml_ca_pem, timeout_seconds=0.3)
    channel = CxmlHttpsChannel()

    # when
    with pytest.raises(TransientDispatchError) as error:
        channel.send(order, config, envelope)

    # then the outcome is unknown, and said so
    assert error.value.message == (
        f"The supplier's server at 127.0.0.1:{cxml_inbox.port} did not answer within 0.3 seconds; the order may or "
        "may not have arrived. It will be sent again later with the same payloadID, so the supplier can recognise "
        "the repeat."
    )
    assert error.value.evidence["technical"]["failure"] == "read_timeout"

    # when it is sent again
    result = channel.send(order, config, envelope)

    # then the supplier sees the same payloadID twice: the second one is a recognisable repeat
    assert result.evidence["cxml_code"] == 200
    assert [(item.key, item.duplicate) for item in store.list("cxml_https")] == [
        (PAYLOAD_ID, True),
        (PAYLOAD_ID, False),
    ]


def test_cxml_401_inside_http_200_is_permanent_and_names_the_shared_secret(
    cxml_inbox: CxmlInbox, cxml_ca_pem: str, store: InboxStore, order: OutboundOrder, envelope: DispatchEnvelope
) -> None:
    # given
    cxml_inbox.script([Reply.cxml(401, "Unauthorized", "Unknown shared secret")])

    # when
    with pytest.raises(PermanentDispatchError) as error:
        CxmlHttpsChannel().send(order, cxml_config(cxml_inbox.url, cxml_ca_pem), envelope)

    # then
    assert error.value.message == (
        "The supplier's server refused the order: 401 Unauthorized: Unknown shared secret. "
        f"Check the shared secret of connection {LABEL}."
    )
    assert error.value.evidence["http_status"] == 200
    assert error.value.evidence["cxml_code"] == 401
    assert store.list() == []


def test_a_wrong_shared_secret_is_refused_by_the_supplier(
    store: InboxStore, order: OutboundOrder, envelope: DispatchEnvelope
) -> None:
    # given a supplier that knows another secret
    with CxmlInbox(store, shared_secret="the-real-secret") as inbox:
        # when
        with pytest.raises(PermanentDispatchError) as error:
            CxmlHttpsChannel().send(order, cxml_config(inbox.url, inbox.ca_pem), envelope)

    # then
    assert error.value.message == (
        "The supplier's server refused the order: 401 Unauthorized: Unknown shared secret. "
        f"Check the shared secret of connection {LABEL}."
    )
    assert store.list() == []


def connect_failed(host: str) -> str:
    """The one message for every failure to connect, whatever is behind the port."""
    return (
        f"Could not connect to the supplier's server at {host}. The order was not sent; it will be sent again later. "
        f"If this goes on, check the order URL of connection {LABEL} with the supplier."
    )


def test_a_refused_connection_is_transient(
    closed_port: int, cxml_ca_pem: str, order: OutboundOrder, envelope: DispatchEnvelope
) -> None:
    # given
    config = cxml_config(f"https://127.0.0.1:{closed_port}/cxml/orders", cxml_ca_pem)

    # when
    with pytest.raises(TransientDispatchError) as error:
        CxmlHttpsChannel().send(order, config, envelope)

    # then
    assert error.value.message == connect_failed(f"127.0.0.1:{closed_port}")
    assert error.value.evidence["technical"]["failure"] == "refused"


def test_a_connection_closed_without_answer_is_transient(
    cxml_inbox: CxmlInbox, cxml_ca_pem: str, store: InboxStore, order: OutboundOrder, envelope: DispatchEnvelope
) -> None:
    # given
    cxml_inbox.script([Reply.hang_up()])

    # when
    with pytest.raises(TransientDispatchError) as error:
        CxmlHttpsChannel().send(order, cxml_config(cxml_inbox.url, cxml_ca_pem), envelope)

    # then
    assert error.value.message == (
        f"The supplier's server at 127.0.0.1:{cxml_inbox.port} closed the connection without answering; the order "
        "may or may not have arrived. It will be sent again later with the same payloadID, so the supplier can "
        "recognise the repeat."
    )
    assert cxml_inbox.received == [PAYLOAD_ID]
    assert store.list() == []


def test_an_untrusted_certificate_is_a_failure_to_connect_and_nothing_reaches_the_server(
    cxml_inbox: CxmlInbox, store: InboxStore, order: OutboundOrder, envelope: DispatchEnvelope
) -> None:
    # given a client that trusts another CA than the one that signed the server's certificate
    other_ca = make_tls_material().ca_pem
    config = cxml_config(cxml_inbox.url, other_ca)

    # when
    with pytest.raises(TransientDispatchError) as error:
        CxmlHttpsChannel().send(order, config, envelope)

    # then the customer reads what any failure to connect says; the platform's staff see the certificate problem
    assert error.value.message == connect_failed(f"127.0.0.1:{cxml_inbox.port}")
    assert error.value.code == "connect_failed"
    assert error.value.evidence["technical"]["failure"] == "tls_certificate"
    assert error.value.evidence["technical"]["detail"] == "unable to get local issuer certificate"
    assert eventually(lambda: cxml_inbox.handshake_failures == 1)
    assert cxml_inbox.received == []
    assert store.list() == []


def test_without_a_ca_bundle_the_public_cas_do_not_trust_a_private_certificate(
    cxml_inbox: CxmlInbox, store: InboxStore, order: OutboundOrder, envelope: DispatchEnvelope
) -> None:
    # when
    with pytest.raises(TransientDispatchError) as error:
        CxmlHttpsChannel().send(order, cxml_config(cxml_inbox.url, None), envelope)

    # then
    assert error.value.evidence["technical"]["failure"] == "tls_certificate"
    assert cxml_inbox.received == []


def test_the_recorded_request_never_holds_a_secret(
    cxml_inbox: CxmlInbox, cxml_ca_pem: str, order: OutboundOrder, envelope: DispatchEnvelope
) -> None:
    # given a connection with every kind of secret, and a server that fails once
    client = make_tls_material("ocilink-client")
    client_key_and_chain = client.server_pem.decode("ascii")
    config = cxml_config(
        cxml_inbox.url,
        cxml_ca_pem,
        basic_auth_username="acme",
        secrets={"basic_auth_password": "basic-pa55word", "client_certificate": client_key_and_chain},
    )
    cxml_inbox.script([Reply.http_error(503)])
    channel = CxmlHttpsChannel()

    # when
    with pytest.raises(TransientDispatchError) as failed:
        channel.send(order, config, envelope)
    result = channel.send(order, config, envelope)
    name, document = channel.build_document(order, config, envelope)

    # then the secret did go to the supplier
    assert SHARED_SECRET.encode() in cxml_inbox.requests[1].body
    # but nothing kept for people to read holds a secret
    private_key = client_key_and_chain.split("-----END PRIVATE KEY-----")[0].encode()
    kept = [failed.value.request, failed.value.response, repr(failed.value.evidence).encode()]
    kept += [result.request, result.response, result.document, repr(result.evidence).encode(), document]
    for secret in (SHARED_SECRET.encode(), b"basic-pa55word", private_key):
        assert all(secret not in item for item in kept)
    assert b"<SharedSecret>[redacted]</SharedSecret>" in result.request
    assert result.request == document
    assert name == "PO-2026-000123.xml"


def test_already_processed_counts_as_delivered(
    cxml_inbox: CxmlInbox, cxml_ca_pem: str, store: InboxStore, order: OutboundOrder, envelope: DispatchEnvelope
) -> None:
    # given a supplier that already has this order from an earlier try
    cxml_inbox.script([Reply.already_processed()])

    # when
    result = CxmlHttpsChannel().send(order, cxml_config(cxml_inbox.url, cxml_ca_pem), envelope)

    # then
    assert result.summary == (
        "The supplier's server says it already has this order (500 Internal Server Error: PO Number: PO-2026-000123 "
        "has already been processed), so it counts as delivered."
    )
    assert result.evidence["http_status"] == 500
    assert result.evidence["cxml_code"] == 500
    assert result.evidence["already_processed"] is True
    assert store.list() == []  # this try added nothing at the supplier


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8443/cxml/orders", "http://localhost/cxml/orders", "http://supplier.example/cxml"],
)
def test_a_plain_http_url_is_refused_before_anything_is_sent(
    url: str, cxml_inbox: CxmlInbox, order: OutboundOrder, envelope: DispatchEnvelope
) -> None:
    # given
    config = cxml_config(url, None)

    # when
    with pytest.raises(PermanentDispatchError) as error:
        CxmlHttpsChannel().send(order, config, envelope)

    # then
    assert error.value.message == (
        f"The order URL of connection {LABEL} must start with https://; orders are only sent over TLS. "
        "The order was not sent."
    )
    assert cxml_inbox.received == []


def test_check_verifies_the_certificate_without_sending(
    cxml_inbox: CxmlInbox, cxml_ca_pem: str, store: InboxStore
) -> None:
    # when
    sentence = CxmlHttpsChannel().check(cxml_config(cxml_inbox.url, cxml_ca_pem))

    # then
    assert sentence.startswith(f"Connected to 127.0.0.1:{cxml_inbox.port} over TLSv1.3; its certificate (")
    assert sentence.endswith("No order was sent.")
    assert cxml_inbox.received == []
    assert store.list() == []


def test_the_channel_is_registered() -> None:
    # when
    channel = get_channel("cxml_https")

    # then
    assert isinstance(channel, CxmlHttpsChannel)
    assert ("cxml_https", "HTTPS with cXML") in channel_choices()


# -- where orders may go: never into a private network unless the platform allows it ------------------------------

PRIVATE_HOSTS = [
    ("127.0.0.1", "127.0.0.1"),
    ("10.0.0.1", "10.0.0.1"),
    ("169.254.169.254", "169.254.169.254"),  # a cloud's metadata service
    ("[::1]", "::1"),
    ("[::ffff:127.0.0.1]", "::ffff:127.0.0.1"),
    ("localhost", "127.0.0.1"),  # a name is checked by the addresses it resolves to
]


@pytest.mark.parametrize(("host", "address"), PRIVATE_HOSTS)
def test_an_order_url_inside_a_private_network_is_refused(
    host: str,
    address: str,
    cxml_inbox: CxmlInbox,
    cxml_ca_pem: str,
    store: InboxStore,
    order: OutboundOrder,
    envelope: DispatchEnvelope,
) -> None:
    # given a platform that allows no private network (the default), and the supplier's server on loopback
    config = cxml_config(f"https://{host}:{cxml_inbox.port}/cxml/orders", cxml_ca_pem, allowed_private_networks=[])

    # when
    with pytest.raises(PermanentDispatchError) as error:
        CxmlHttpsChannel().send(order, config, envelope)

    # then nothing was sent anywhere, and a person is told why and what to do
    shown = address if host.strip("[]") == address else f"{host}: {address}"
    assert error.value.message == (
        f"The order URL of connection {LABEL} points to an address inside a private network ({shown}). ocilink does "
        "not send orders there: check the order URL with the supplier. If their server really is on a private "
        "network, ask the platform's operator to allow that network. The order was not sent."
    )
    assert error.value.code == "private_target"
    assert error.value.params == {"connection": LABEL, "host": host.strip("[]"), "address": address}
    assert error.value.evidence["message_code"] == "private_target"
    assert cxml_inbox.received == []
    assert cxml_inbox.handshake_failures == 0
    assert store.list() == []


def test_check_refuses_a_private_address_too(cxml_inbox: CxmlInbox, cxml_ca_pem: str) -> None:
    # given
    config = cxml_config("https://169.254.169.254/latest/meta-data/", cxml_ca_pem, allowed_private_networks=[])

    # when
    with pytest.raises(PermanentDispatchError) as error:
        CxmlHttpsChannel().check(config)

    # then
    assert error.value.code == "private_target"
    assert error.value.params["address"] == "169.254.169.254"


def test_an_allowed_network_lets_the_order_through_and_no_other(
    cxml_inbox: CxmlInbox, cxml_ca_pem: str, order: OutboundOrder, envelope: DispatchEnvelope
) -> None:
    # given a platform that allows loopback, the name the supplier's certificate is made out to
    url = f"https://localhost:{cxml_inbox.port}/cxml/orders"

    # when
    result = CxmlHttpsChannel().send(order, cxml_config(url, cxml_ca_pem), envelope)

    # then the order went to the checked address, and the server saw (and was verified as) the name
    assert result.evidence["cxml_code"] == 200
    assert cxml_inbox.received == [PAYLOAD_ID]
    assert cxml_inbox.requests[0].headers["Host"] == f"localhost:{cxml_inbox.port}"

    # and a platform that allows another private network still refuses loopback
    with pytest.raises(PermanentDispatchError) as error:
        CxmlHttpsChannel().send(order, cxml_config(url, cxml_ca_pem, allowed_private_networks=["10.0.0.0/8"]), envelope)
    assert error.value.code == "private_target"
    assert cxml_inbox.received == [PAYLOAD_ID]


# -- no port scanner's report: every failure to connect reads the same ---------------------------------------------


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections (the kernel does) but never answers: no TLS handshake."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        yield int(server.getsockname()[1])


@pytest.fixture
def plain_http_port() -> Iterator[int]:
    """A port with a plain-HTTP server on it (no TLS)."""
    with socket.create_server(("127.0.0.1", 0)) as server:

        def answer() -> None:
            with contextlib.suppress(OSError):
                connection, _ = server.accept()
                with connection:
                    connection.recv(4096)
                    connection.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")

        thread = threading.Thread(target=answer, daemon=True)
        thread.start()
        yield int(server.getsockname()[1])
    thread.join(timeout=5)


@pytest.mark.parametrize(
    ("port_fixture", "failure"),
    [("closed_port", "refused"), ("silent_port", "connect_timeout"), ("plain_http_port", "tls_rejected")],
)
def test_every_failure_to_connect_reads_the_same_and_is_retried(
    port_fixture: str,
    failure: str,
    request: pytest.FixtureRequest,
    cxml_ca_pem: str,
    order: OutboundOrder,
    envelope: DispatchEnvelope,
) -> None:
    # given nothing, something silent, or something that is not TLS behind the port
    port = request.getfixturevalue(port_fixture)
    config = cxml_config(f"https://127.0.0.1:{port}/cxml/orders", cxml_ca_pem, timeout_seconds=0.3)

    # when
    with pytest.raises(TransientDispatchError) as error:
        CxmlHttpsChannel().send(order, config, envelope)

    # then the message, the code and the kept answer do not tell them apart; the staff's technical detail does
    assert error.value.message == connect_failed(f"127.0.0.1:{port}")
    assert error.value.code == "connect_failed"
    assert error.value.params == {"host": f"127.0.0.1:{port}", "connection": LABEL}
    assert error.value.response == b""
    assert set(error.value.evidence) == {"payload_id", "url", "message_code", "message_params", "technical"}
    assert error.value.evidence["technical"]["failure"] == failure
    assert error.value.evidence["technical"]["address"] == "127.0.0.1"


# -- an answer that is not cXML -----------------------------------------------------------------------------------

LOGIN_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head>\r\n<body><h1>Please sign in</h1>"
    b"<form action='/login'><input name='user'></form>\x00</body></html>"
)


def test_http_200_with_a_web_page_fails_and_says_what_came_back(
    cxml_inbox: CxmlInbox, cxml_ca_pem: str, order: OutboundOrder, envelope: DispatchEnvelope
) -> None:
    # given a supplier's server that answers the order with its login page
    cxml_inbox.script([Reply.raw(200, "text/html; charset=utf-8", LOGIN_PAGE)])

    # when
    with pytest.raises(PermanentDispatchError) as error:
        CxmlHttpsChannel().send(order, cxml_config(cxml_inbox.url, cxml_ca_pem), envelope)

    # then a person must check, and is told what the server answered
    size = len(LOGIN_PAGE)
    assert error.value.message == (
        f"The supplier's server answered HTTP 200 with text/html ({size} bytes) instead of a cXML Response. "
        "It may have taken the order: check with the supplier whether it arrived before you send it again."
    )
    assert error.value.code == "not_cxml"
    assert error.value.params == {
        "http_status": 200,
        "content_type": "text/html",
        "size": size,
        "truncated": False,
        "excerpt": LOGIN_PAGE.decode().replace("\r\n", "\n").replace("\x00", ""),
    }
    assert error.value.response == LOGIN_PAGE
    assert error.value.evidence["http_status"] == 200


# -- a whole send ends at its deadline, whatever each wait allows -------------------------------------------------


@pytest.fixture
def dripping_server(tls_material: TlsMaterial) -> Iterator[int]:
    """A TLS server that reads the request, then sends its answer one byte every 50 ms (each wait is short)."""
    context = tls_material.server_context()
    stop = threading.Event()
    with socket.create_server(("127.0.0.1", 0)) as server:

        def drip() -> None:
            with contextlib.suppress(OSError), context.wrap_socket(server.accept()[0], server_side=True) as tls:
                tls.recv(65536)
                for byte in b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nX-Padding: " + b"." * 400:
                    if stop.wait(0.05):
                        return
                    tls.sendall(bytes([byte]))

        thread = threading.Thread(target=drip, daemon=True)
        thread.start()
        yield int(server.getsockname()[1])
        stop.set()
    thread.join(timeout=5)


def test_a_server_that_drips_its_answer_is_cut_off_at_the_send_timeout(
    dripping_server: int, tls_material: TlsMaterial, order: OutboundOrder, envelope: DispatchEnvelope
) -> None:
    # given each wait may last 5 s, but the whole send only half a second
    url = f"https://127.0.0.1:{dripping_server}/cxml/orders"
    config = cxml_config(url, tls_material.ca_pem, timeout_seconds=5, send_timeout_seconds=0.5)

    # when
    with pytest.raises(TransientDispatchError) as error:
        CxmlHttpsChannel().send(order, config, envelope)

    # then the outcome is unknown (the order went out), and the send ended at its deadline
    assert error.value.message == (
        f"The supplier's server at 127.0.0.1:{dripping_server} did not answer within 0.5 seconds; the order may or "
        "may not have arrived. It will be sent again later with the same payloadID, so the supplier can recognise "
        "the repeat."
    )
    assert error.value.evidence["technical"]["failure"] == "read_timeout"
    assert error.value.evidence["technical"]["detail"].startswith("the whole exchange took longer than 0.5 seconds")
