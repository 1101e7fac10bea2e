"""The e-mail channel against the demo supplier's real SMTP server, over a real socket."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import pytest

from ocilink.demo_webshop.inbox import DROP, InboxStore, SmtpInbox
from ocilink.dispatch.channels.email_pdf import EmailPdfChannel
from ocilink.dispatch.choices import channel_choices
from ocilink.dispatch.exceptions import PermanentDispatchError, TransientDispatchError
from ocilink.dispatch.registry import get_channel
from ocilink.dispatch.transports.smtp import SmtpReply
from ocilink.dispatch.types import ChannelConfig, DispatchEnvelope, OutboundOrder

LABEL = "Bürobedarf Müller (e-mail)"


def email_config(port: int, *, secrets: dict[str, str] | None = None, **settings: Any) -> ChannelConfig:
    return ChannelConfig(
        method="email_pdf",
        settings={
            "recipients": ["orders@supplier.test"],
            "from_address": "ocilink <orders@ocilink.test>",
            "reply_to": "anna.devries@acme.test",
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "smtp_starttls": False,
            "smtp_ssl": False,
            "smtp_timeout": 1,
            **settings,
        },
        secrets=secrets or {},
        label=LABEL,
    )


def parse(data: bytes) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(data)
    assert isinstance(message, EmailMessage)
    return message


def test_delivered_order_carries_the_server_reply_and_the_pdf(
    smtp_inbox: SmtpInbox, store: InboxStore, order: OutboundOrder, envelope: DispatchEnvelope
) -> None:
    # given
    config = email_config(smtp_inbox.port)

    # when
    result = EmailPdfChannel().send(order, config, envelope)

    # then the evidence is the server's own reply to DATA
    assert result.evidence["smtp_code"] == 250
    assert result.evidence["smtp_text"].startswith("2.0.0 Ok: queued as ")
    assert result.response == f"250 {result.evidence['smtp_text']}".encode()
    assert result.evidence["message_id"] == "<po-2026-000123.17@ocilink.test>"
    assert result.evidence["recipients"] == ["orders@supplier.test"]
    assert result.evidence["size"] == len(result.request)
    assert result.summary == (
        f"The mail server 127.0.0.1:{smtp_inbox.port} accepted the order e-mail to orders@supplier.test "
        f"(250 {result.evidence['smtp_text']}); the supplier has not confirmed receipt."
    )
    # and the supplier's mailbox holds exactly that message, once
    [stored] = store.list("email_pdf")
    assert stored.key == "<po-2026-000123.17@ocilink.test>"
    assert stored.duplicate is False
    assert stored.meta["mail_from"] == "orders@ocilink.test"
    assert stored.meta["rcpt_tos"] == ["orders@supplier.test"]
    assert stored.read_bytes() == result.request
    received = parse(stored.read_bytes())
    assert received["Message-ID"] == "<po-2026-000123.17@ocilink.test>"
    assert received["Reply-To"] == "Anna de Vries <anna.devries@acme.test>"
    assert received["To"] == "orders@supplier.test"
    assert received["Subject"] == "Purchase order PO-2026-000123 from Acme B.V."
    body = received.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content().replace("\r\n", "\n")  # on the wire, lines end in CRLF
    assert text.startswith("Dear Bürobedarf Müller GmbH,\n\nPlease find attached our purchase order PO-2026-000123")
    assert "for EUR 67.45." in text
    assert "Our reference: Project Atlas" in text
    [attachment] = list(received.iter_attachments())
    assert attachment.get_filename() == "PO-2026-000123.pdf"
    assert attachment.get_content_type() == "application/pdf"
    pdf = attachment.get_content()
    assert pdf.startswith(b"%PDF")
    assert pdf == result.document
    assert result.document_name == "PO-2026-000123.pdf"


def test_451_is_retried_with_the_same_message_id_and_stored_once(
    smtp_inbox: SmtpInbox, store: InboxStore, order: OutboundOrder, envelope: DispatchEnvelope
) -> None:
    # given the server asks to try again later once
    smtp_inbox.script(["451 4.3.0 Try again later", None])
    config = email_config(smtp_inbox.port)
    channel = EmailPdfChannel()

    # when the first try fails
    with pytest.raises(TransientDispatchError) as first:
        channel.send(order, config, envelope)

    # then nothing was delivered, and the person reading the log knows it will be retried
    assert first.value.message == (
        f"The mail server 127.0.0.1:{smtp_inbox.port} asked to try again later: 451 4.3.0 Try again later. "
        "The order will be sent again later."
    )
    assert first.value.evidence["smtp_stage"] == "data"
    assert first.value.evidence["smtp_code"] == 451
    assert store.list("email_pdf") == []

    # when the retry goes through
    result = channel.send(order, config, envelope)

    # then it is the same message, and the supplier has it exactly once
    assert parse(first.value.request)["Message-ID"] == "<po-2026-000123.17@ocilink.test>"
    assert parse(result.request)["Message-ID"] == "<po-2026-000123.17@ocilink.test>"
    [stored] = store.list("email_pdf")
    assert stored.key == "<po-2026-000123.17@ocilink.test>"
    assert [item.key for item in smtp_inbox.received] == ["<po-2026-000123.17@ocilink.test>"]


def test_unknown_mailbox_550_is_permanent_and_nothing_is_stored(
    smtp_inbox: SmtpInbox, store: InboxStore, order: OutboundOrder, envelope: DispatchEnvelope
) -> None:
    # given
    smtp_inbox.script(["550 5.1.1 No such mailbox"], stage="rcpt")

    # when
    with pytest.raises(PermanentDispatchError) as error:
        EmailPdfChannel().send(order, email_config(smtp_inbox.port), envelope)

    # then
    assert error.value.message == (
        f"The mail server 127.0.0.1:{smtp_inbox.port} refused the recipient orders@supplier.test: "
        f"550 5.1.1 No such mailbox. Check the e-mail addresses of connection {LABEL}; the order was not sent."
    )
    assert error.value.evidence["smtp_stage"] == "rcpt"
    assert error.value.response == b"550 5.1.1 No such mailbox"
    assert store.list() == []
    assert smtp_inbox.received == []


def test_a_refused_second_recipient_means_no_recipient_gets_the_order(
    smtp_inbox: SmtpInbox, store: InboxStore, order: OutboundOrder, envelope: DispatchEnvelope
) -> None:
    # given
    smtp_inbox.script([None, "550 5.1.1 No such mailbox"], stage="rcpt")
    config = email_config(smtp_inbox.port, recipients="orders@supplier.test, backup@supplier.test")

    # when
    with pytest.raises(PermanentDispatchError) as error:
        EmailPdfChannel().send(order, config, envelope)

    # then
    assert "refused the recipient backup@supplier.test: 550 5.1.1 No such mailbox." in error.value.message
    assert store.list() == []


def test_an_invalid_recipient_in_the_configuration_is_permanent_and_nothing_is_sent(
    order: OutboundOrder, envelope: DispatchEnvelope
) -> None:
    # given a transport that would record any call
    calls: list[object] = []

    def send_mail(*args: object, **kwargs: object) -> SmtpReply:
        calls.append((args, kwargs))
        return SmtpReply(250, "Ok")

    config = email_config(25, recipients=["orders@supplier.test", "bestellungen at mueller"])

    # when
    with pytest.raises(PermanentDispatchError) as error:
        EmailPdfChannel(send_mail=send_mail).send(order, config, envelope)

    # then
    assert error.value.message == (
        f"The recipient address 'bestellungen at mueller' of connection {LABEL} is not a valid e-mail address. "
        "The order was not sent."
    )
    assert calls == []


def test_a_refused_login_is_permanent_and_names_the_login(
    store: InboxStore, order: OutboundOrder, envelope: DispatchEnvelope
) -> None:
    # given a mail server that wants another password
    with SmtpInbox(store, login=("ocilink", "right-password")) as inbox:
        config = email_config(inbox.port, secrets={"smtp_username": "ocilink", "smtp_password": "wrong-password"})

        # when
        with pytest.raises(PermanentDispatchError) as error:
            EmailPdfChannel().send(order, config, envelope)

    # then
    assert error.value.message == (
        f"The mail server 127.0.0.1:{inbox.port} refused the login of ocilink: "
        "535 5.7.8 Authentication credentials invalid. "
        "Check the user name and password of the platform's mail settings; the order was not sent."
    )
    assert b"wrong-password" not in error.value.request
    assert store.list() == []


def test_the_right_login_delivers(store: InboxStore, order: OutboundOrder, envelope: DispatchEnvelope) -> None:
    # given
    with SmtpInbox(store, login=("ocilink", "right-password")) as inbox:
        config = email_config(inbox.port, secrets={"smtp_username": "ocilink", "smtp_password": "right-password"})

        # when
        result = EmailPdfChannel().send(order, config, envelope)

    # then
    assert result.evidence["smtp_code"] == 250
    assert b"right-password" not in result.request
    assert [item.key for item in store.list("email_pdf")] == ["<po-2026-000123.17@ocilink.test>"]


def test_a_refused_connection_is_transient(closed_port: int, order: OutboundOrder, envelope: DispatchEnvelope) -> None:
    # when
    with pytest.raises(TransientDispatchError) as error:
        EmailPdfChannel().send(order, email_config(closed_port), envelope)

    # then
    assert error.value.message == (
        f"Could not reach the mail server 127.0.0.1:{closed_port} (connection refused). "
        "The order was not sent; it will be sent again later."
    )
    assert error.value.evidence["smtp_code"] is None


def test_a_server_that_never_greets_is_transient(order: OutboundOrder, envelope: DispatchEnvelope) -> None:
    # given a port that accepts connections and then says nothing
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]

        # when
        with pytest.raises(TransientDispatchError) as error:
            EmailPdfChannel().send(order, email_config(port, smtp_timeout=0.3), envelope)

    # then
    assert error.value.message == (
        f"Could not reach the mail server 127.0.0.1:{port} (no answer within the time limit). "
        "The order was not sent; it will be sent again later."
    )


def test_a_connection_dropped_at_data_is_transient_and_nothing_is_stored(
    smtp_inbox: SmtpInbox, store: InboxStore, order: OutboundOrder, envelope: DispatchEnvelope
) -> None:
    # given
    smtp_inbox.script([DROP])

    # when
    with pytest.raises(TransientDispatchError) as error:
        EmailPdfChannel().send(order, email_config(smtp_inbox.port), envelope)

    # then
    assert error.value.message == (
        f"The connection to the mail server 127.0.0.1:{smtp_inbox.port} broke off while the order e-mail was "
        "handed over (the server closed the connection), so it may or may not have been accepted. "
        "It will be sent again later with the same Message-ID."
    )
    assert store.list() == []


def test_check_offers_the_recipients_without_sending(smtp_inbox: SmtpInbox, store: InboxStore) -> None:
    # when
    sentence = EmailPdfChannel().check(email_config(smtp_inbox.port))

    # then
    assert sentence == (
        f"Connected to the mail server 127.0.0.1:{smtp_inbox.port}, and it accepted the recipients "
        "orders@supplier.test (250 2.1.5 Ok). No e-mail was sent."
    )
    assert store.list() == []


def test_build_document_is_the_pdf(order: OutboundOrder, envelope: DispatchEnvelope) -> None:
    # when
    name, document = EmailPdfChannel().build_document(order, email_config(25), envelope)

    # then
    assert name == "PO-2026-000123.pdf"
    assert document.startswith(b"%PDF")


def test_unknown_placeholders_are_reported(order: OutboundOrder) -> None:
    # when
    problems = EmailPdfChannel().validate(email_config(25, subject_template="Order $ordernumber"))

    # then
    assert problems == [
        f"The subject of connection {LABEL} uses unknown placeholders ($ordernumber); use $$ for a dollar sign."
    ]


def test_the_channel_is_registered() -> None:
    # when
    channel = get_channel("email_pdf")

    # then
    assert isinstance(channel, EmailPdfChannel)
    assert ("email_pdf", "E-mail with PDF") in channel_choices()


@pytest.fixture
def dripping_smtp_port() -> Iterator[int]:
    """A mail server that greets, then answers EHLO one byte every 50 ms: each wait is short, the whole is not."""
    stop = threading.Event()
    with socket.create_server(("127.0.0.1", 0)) as server:

        def drip() -> None:
            with contextlib.suppress(OSError):
                connection, _ = server.accept()
                with connection:
                    connection.sendall(b"220 slow.test ESMTP\r\n")
                    connection.recv(1024)
                    for byte in b"250-slow.test\r\n" * 40:
                        if stop.wait(0.05):
                            return
                        connection.sendall(bytes([byte]))

        thread = threading.Thread(target=drip, daemon=True)
        thread.start()
        yield int(server.getsockname()[1])
        stop.set()
    thread.join(timeout=5)


def test_a_mail_server_that_drips_its_replies_is_cut_off_at_the_send_timeout(
    dripping_smtp_port: int, order: OutboundOrder, envelope: DispatchEnvelope
) -> None:
    # given each wait may last 5 s, but the whole send only half a second
    config = email_config(dripping_smtp_port, smtp_timeout=5, send_timeout_seconds=0.5)

    # when
    with pytest.raises(TransientDispatchError) as error:
        EmailPdfChannel().send(order, config, envelope)

    # then
    assert error.value.message == (
        f"Could not reach the mail server 127.0.0.1:{dripping_smtp_port} (no answer within 0.5 seconds for the whole "
        "exchange). The order was not sent; it will be sent again later."
    )
