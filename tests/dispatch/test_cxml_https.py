"""The cXML-over-HTTPS channel against the demo supplier's real TLS endpoint, over a real socket."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from ocilink.demo_webshop.inbox import CxmlInbox, InboxStore, Reply, make_tls_material
from ocilink.dispatch.channels.cxml_https import CxmlHttpsChannel
from ocilink.dispatch.choices import channel_choices
from ocilink.dispatch.exceptions import PermanentDispatchError, TransientDispatchError
from ocilink.dispatch.registry import get_channel
from ocilink.dispatch.types import ChannelConfig, DispatchEnvelope, OutboundOrder
from ocilink.protocols.cxml import parse_order_request

LABEL = "Bürobedarf Müller (cXML)"
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
    assert error.value.evidence["transport_error"] == "read_timeout"

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


def test_a_refused_connection_is_transient(
    closed_port: int, cxml_ca_pem: str, order: OutboundOrder, envelope: DispatchEnvelope
) -> None:
    # given
    config = cxml_config(f"https://127.0.0.1:{closed_port}/cxml/orders", cxml_ca_pem)

    # when
    with pytest.raises(TransientDispatchError) as error:
        CxmlHttpsChannel().send(order, config, envelope)

    # then
    assert error.value.message == (
        f"The supplier's server at 127.0.0.1:{closed_port} refused the connection. "
        "The order was not sent; it will be sent again later."
    )
    assert error.value.evidence["transport_error"] == "refused"


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


def test_an_untrusted_certificate_is_permanent_and_nothing_reaches_the_server(
    cxml_inbox: CxmlInbox, store: InboxStore, order: OutboundOrder, envelope: DispatchEnvelope
) -> None:
    # given a client that trusts another CA than the one that signed the server's certificate
    other_ca = make_tls_material().ca_pem
    config = cxml_config(cxml_inbox.url, other_ca)

    # when
    with pytest.raises(PermanentDispatchError) as error:
        CxmlHttpsChannel().send(order, config, envelope)

    # then
    assert error.value.message == (
        f"The supplier's server at 127.0.0.1:{cxml_inbox.port} presented a certificate that cannot be trusted "
        "(unable to get local issuer certificate). Check the certificate with the supplier, or the CA bundle of "
        f"connection {LABEL}; the order was not sent."
    )
    assert error.value.evidence["transport_error"] == "tls_certificate"
    assert eventually(lambda: cxml_inbox.handshake_failures == 1)
    assert cxml_inbox.received == []
    assert store.list() == []


def test_without_a_ca_bundle_the_public_cas_do_not_trust_a_private_certificate(
    cxml_inbox: CxmlInbox, store: InboxStore, order: OutboundOrder, envelope: DispatchEnvelope
) -> None:
    # when
    with pytest.raises(PermanentDispatchError) as error:
        CxmlHttpsChannel().send(order, cxml_config(cxml_inbox.url, None), envelope)

    # then
    assert "presented a certificate that cannot be trusted" in error.value.message
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
