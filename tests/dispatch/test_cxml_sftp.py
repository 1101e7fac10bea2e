"""The SFTP-with-cXML channel against a real SFTP server (asyncssh) on a loopback socket. No database."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncssh
import pytest

from ocilink.demo_webshop.inbox.sftp_server import SftpInbox, _InboxSftpServer, _InboxSshServer
from ocilink.demo_webshop.inbox.store import InboxStore
from ocilink.dispatch.channels.cxml_sftp import CxmlSftpChannel
from ocilink.dispatch.exceptions import DispatchError, PermanentDispatchError, TransientDispatchError
from ocilink.dispatch.transports import sftp
from ocilink.dispatch.types import ChannelConfig, DispatchEnvelope, OrderLine, OutboundOrder, PostalAddress
from ocilink.protocols.cxml import CxmlIdentity, build_order_request, parse_order_request

SFTP_PASSWORD = "sftp-pw-7f3c9a"
SHARED_SECRET = "cxml-secret-51b2e8"
FILE_NAME = "PO-2026-000123-3f2a9c.xml"
PAYLOAD_ID = "20260115.17.po-2026-000123@ocilink"
LABEL = "Lab Supplies SFTP"
LOOPBACK = ["127.0.0.0/8", "::1"]  # what tests/settings.py allows: the test servers run on loopback


@dataclass
class Recorder:
    """Stands in for ``InboxStore``: keeps what the supplier's inbox recorded."""

    records: list[tuple[str, str, bytes, dict[str, Any]]] = field(default_factory=list)

    def record(self, channel: str, key: str, data: bytes, meta: dict[str, Any]) -> None:
        self.records.append((channel, key, data, meta))


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def inbox(tmp_path: Path, recorder: Recorder) -> Iterator[SftpInbox]:
    with SftpInbox(recorder, tmp_path / "sftp-root", password=SFTP_PASSWORD) as server:
        yield server


@pytest.fixture
def sftp_order() -> OutboundOrder:
    address = PostalAddress(name="Acme Lab", street="Main 1", postal_code="1011 AB", city="Amsterdam", country="NL")
    line = OrderLine(
        line_number=1,
        quantity=Decimal("2"),
        unit="EA",
        unit_price=Decimal("12.50"),
        price_unit=Decimal("1"),
        currency="EUR",
        description="Nitrile gloves, size M",
        net_amount=Decimal("25.00"),
        supplier_part_id="GLV-M",
    )
    return OutboundOrder(
        order_number="PO-2026-000123",
        order_date=datetime(2026, 1, 15, 9, 30, tzinfo=UTC),
        currency="EUR",
        total=Decimal("25.00"),
        buyer_organization="Acme Lab",
        buyer_name="Ann Buyer",
        buyer_email="ann@acme.example",
        supplier_name="Lab Supplies BV",
        ship_to=address,
        bill_to=address,
        lines=(line,),
    )


@pytest.fixture
def sftp_envelope() -> DispatchEnvelope:
    return DispatchEnvelope(
        dispatch_id=17,
        payload_id=PAYLOAD_ID,
        timestamp=datetime(2026, 1, 15, 9, 31, tzinfo=UTC),
        file_name=FILE_NAME,
        message_id="<po-2026-000123.17@ocilink>",
    )


def config_for(inbox: SftpInbox, *, fingerprint: str | None = None, **secrets: str) -> ChannelConfig:
    return ChannelConfig(
        method="cxml_sftp",
        label="Lab Supplies SFTP",
        settings={
            "host": inbox.host,
            "port": inbox.port,
            "username": inbox.username,
            "remote_directory": "/orders",
            "host_key_fingerprint": fingerprint or inbox.host_key_fingerprint,
            "timeout_seconds": 5,
            "from_domain": "NetworkID",
            "from_identity": "ACME-BUYER",
            "to_domain": "DUNS",
            "to_identity": "123456789",
            "allowed_private_networks": LOOPBACK,
        },
        secrets={"shared_secret": SHARED_SECRET, **(secrets or {"password": SFTP_PASSWORD})},
    )


def expected_document(order: OutboundOrder, envelope: DispatchEnvelope) -> bytes:
    """The bytes the supplier must receive: built once here, independently of the channel."""
    buyer = CxmlIdentity(domain="NetworkID", identity="ACME-BUYER")
    return build_order_request(
        order,
        payload_id=envelope.payload_id,
        timestamp=envelope.timestamp,
        from_=buyer,
        to=CxmlIdentity(domain="DUNS", identity="123456789"),
        sender=buyer,
        shared_secret=SHARED_SECRET,
    )


def files_under(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def assert_no_secrets(*blobs: bytes | str | dict[str, Any]) -> None:
    for blob in blobs:
        text = blob if isinstance(blob, bytes) else str(blob).encode()
        assert SHARED_SECRET.encode() not in text
        assert SFTP_PASSWORD.encode() not in text


def test_send_places_the_document_under_its_final_name(
    inbox: SftpInbox, recorder: Recorder, sftp_order: OutboundOrder, sftp_envelope: DispatchEnvelope
) -> None:
    # when
    result = CxmlSftpChannel().send(sftp_order, config_for(inbox), sftp_envelope)

    # then the supplier holds exactly the document, and nothing else
    document = expected_document(sftp_order, sftp_envelope)
    assert files_under(inbox.root) == [f"orders/{FILE_NAME}"]
    assert (inbox.orders_dir / FILE_NAME).read_bytes() == document
    assert [(r[0], r[1], r[2], r[3]["payload_id"]) for r in recorder.records] == [
        ("cxml_sftp", FILE_NAME, document, PAYLOAD_ID)
    ]
    # and the evidence says where, how big, and whose server
    evidence = result.evidence
    assert evidence["outcome"] == "uploaded"
    assert evidence["remote_path"] == f"/orders/{FILE_NAME}"
    assert evidence["size"] == len(document)
    assert evidence["stat"]["size"] == len(document)
    assert evidence["stat"]["permissions"].startswith("-")
    assert isinstance(evidence["stat"]["mtime"], int)
    assert evidence["rename"] == "posix-rename@openssh.com"
    assert evidence["host_key_fingerprint"] == inbox.host_key_fingerprint
    assert evidence["server_banner"].startswith("SSH-2.0-AsyncSSH")
    assert evidence["payload_id"] == PAYLOAD_ID
    assert result.document_name == FILE_NAME
    assert result.summary.startswith(f"The order file {FILE_NAME} is in /orders on the SFTP server 127.0.0.1")


def test_wrong_password_is_permanent_and_uploads_nothing(
    inbox: SftpInbox, recorder: Recorder, sftp_order: OutboundOrder, sftp_envelope: DispatchEnvelope
) -> None:
    config = config_for(inbox, password="not-the-password")

    with pytest.raises(PermanentDispatchError) as caught:
        CxmlSftpChannel().send(sftp_order, config, sftp_envelope)

    assert caught.value.message == (
        "The SFTP server 127.0.0.1 refused the login of user supplier (tried password). Check the password or "
        "private key of connection Lab Supplies SFTP. Nothing was uploaded."
    )
    assert files_under(inbox.root) == []
    assert recorder.records == []
    assert_no_secrets(caught.value.request, caught.value.response, caught.value.evidence, "not-the-password")


def test_host_key_mismatch_is_permanent_and_nothing_reaches_the_server(
    inbox: SftpInbox, recorder: Recorder, sftp_order: OutboundOrder, sftp_envelope: DispatchEnvelope
) -> None:
    # given a connection pinned to some other server's key
    pinned = asyncssh.generate_private_key("ssh-ed25519").get_fingerprint("sha256")

    with pytest.raises(PermanentDispatchError) as caught:
        CxmlSftpChannel().send(sftp_order, config_for(inbox, fingerprint=pinned), sftp_envelope)

    assert caught.value.message == (
        f"The SFTP server 127.0.0.1 presented host key {inbox.host_key_fingerprint} but the connection expects "
        f"{pinned}. Nothing was uploaded. If the supplier changed its server key, confirm the new fingerprint with "
        "them and update connection Lab Supplies SFTP."
    )
    assert caught.value.evidence["host_key_mismatch"] is True
    # no login was even tried, and the server root holds no file at all
    assert inbox.auth_attempts == 0
    assert files_under(inbox.root) == []
    assert recorder.records == []


def test_connection_cut_mid_upload_is_transient_and_the_retry_delivers_the_same_file(
    tmp_path: Path, sftp_order: OutboundOrder, sftp_envelope: DispatchEnvelope
) -> None:
    # given the demo supplier's real inbox store behind the server
    store = InboxStore(tmp_path / "received")
    channel, document = CxmlSftpChannel(), expected_document(sftp_order, sftp_envelope)
    with SftpInbox(store, tmp_path / "sftp-root", password=SFTP_PASSWORD) as inbox:
        config = config_for(inbox)
        inbox.cut_after_bytes(100)

        with pytest.raises(TransientDispatchError) as caught:
            channel.send(sftp_order, config, sftp_envelope)

        assert "broke off during the upload" in caught.value.message
        # Nothing under the final name. The ".part" DOES remain, holding the 100 bytes written before the cut: the
        # connection was gone, so the client could not remove it (the retry overwrites it, then renames it away).
        assert files_under(inbox.root) == [f"orders/.{FILE_NAME}.part"]
        assert (inbox.orders_dir / f".{FILE_NAME}.part").read_bytes() == document[:100]
        assert store.list() == []

        # when the dispatch is retried with the same envelope
        result = channel.send(sftp_order, config, sftp_envelope)

        assert result.evidence["outcome"] == "uploaded"
        assert files_under(inbox.root) == [f"orders/{FILE_NAME}"]
        delivered = (inbox.orders_dir / FILE_NAME).read_bytes()
    assert delivered == document
    assert parse_order_request(delivered).payload_id == PAYLOAD_ID
    received = store.list("cxml_sftp")
    assert [(item.key, item.meta["payload_id"], item.duplicate) for item in received] == [
        (FILE_NAME, PAYLOAD_ID, False)
    ]
    assert received[0].read_bytes() == document


def test_retry_after_success_finds_the_file_already_present(
    inbox: SftpInbox, recorder: Recorder, sftp_order: OutboundOrder, sftp_envelope: DispatchEnvelope
) -> None:
    channel, config = CxmlSftpChannel(), config_for(inbox)
    channel.send(sftp_order, config, sftp_envelope)
    first_mtime = (inbox.orders_dir / FILE_NAME).stat().st_mtime_ns

    # when the worker retries (say it crashed before saving the result)
    result = channel.send(sftp_order, config, sftp_envelope)

    assert result.evidence["outcome"] == "already present"
    assert result.evidence["already_present"] is True
    assert result.evidence["rename"] == ""
    assert result.summary == (
        f"The order file {FILE_NAME} was already in /orders on the SFTP server 127.0.0.1 with the same size, "
        "from an earlier try; it was not uploaded again."
    )
    assert (inbox.orders_dir / FILE_NAME).stat().st_mtime_ns == first_mtime
    assert len(recorder.records) == 1


def test_a_different_file_under_the_same_name_is_left_alone_and_needs_a_person(
    inbox: SftpInbox, recorder: Recorder, sftp_order: OutboundOrder, sftp_envelope: DispatchEnvelope
) -> None:
    (inbox.orders_dir / FILE_NAME).write_bytes(b"<cXML>another order</cXML>")

    with pytest.raises(PermanentDispatchError) as caught:
        CxmlSftpChannel().send(sftp_order, config_for(inbox), sftp_envelope)

    assert "A different file with this name already exists" in caught.value.message
    assert "a person must check" in caught.value.message
    assert (inbox.orders_dir / FILE_NAME).read_bytes() == b"<cXML>another order</cXML>"
    assert files_under(inbox.root) == [f"orders/{FILE_NAME}"]


def test_login_with_a_private_key(
    tmp_path: Path, recorder: Recorder, sftp_order: OutboundOrder, sftp_envelope: DispatchEnvelope
) -> None:
    client_key = asyncssh.generate_private_key("ssh-ed25519")
    server = SftpInbox(
        recorder, tmp_path / "root", password=None, authorized_client_keys=[client_key.export_public_key()]
    )

    with server:
        private_key = client_key.export_private_key("openssh").decode()
        result = CxmlSftpChannel().send(sftp_order, config_for(server, private_key=private_key), sftp_envelope)

    assert (server.orders_dir / FILE_NAME).read_bytes() == expected_document(sftp_order, sftp_envelope)
    assert "logged in as supplier with a ssh-ed25519 key" in result.response.decode()
    assert_no_secrets(result.request, result.response, result.evidence)
    assert private_key.encode() not in result.request + result.response + str(result.evidence).encode()


def test_missing_folder_is_permanent_and_names_the_path(
    inbox: SftpInbox, sftp_order: OutboundOrder, sftp_envelope: DispatchEnvelope
) -> None:
    config = config_for(inbox)
    config.settings["remote_directory"] = "/inbound/orders"

    with pytest.raises(PermanentDispatchError) as caught:
        CxmlSftpChannel().send(sftp_order, config, sftp_envelope)

    assert caught.value.message.startswith("The folder /inbound/orders does not exist on the SFTP server 127.0.0.1.")
    assert files_under(inbox.root) == []


def loopback_config(port: int, **settings: Any) -> ChannelConfig:
    """A connection to a port on 127.0.0.1 where no real SFTP server of ours listens."""
    return ChannelConfig(
        method="cxml_sftp",
        label=LABEL,
        settings={
            "host": "127.0.0.1",
            "port": port,
            "username": "supplier",
            "remote_directory": "/orders",
            "host_key_fingerprint": "SHA256:" + "A" * 43,
            "from_domain": "NetworkID",
            "from_identity": "ACME-BUYER",
            "to_domain": "DUNS",
            "to_identity": "123456789",
            "allowed_private_networks": LOOPBACK,
            **settings,
        },
        secrets={"shared_secret": SHARED_SECRET, "password": SFTP_PASSWORD},
    )


def connect_failed(port: int) -> str:
    """The one message for every failure to connect, whatever is behind the port."""
    return (
        f"Could not connect to the SFTP server 127.0.0.1:{port}. Nothing was uploaded; the order will be sent again "
        f"later under the same name. If this goes on, check the server address and port of connection {LABEL} with "
        "the supplier."
    )


def test_refused_connection_is_transient(sftp_order: OutboundOrder, sftp_envelope: DispatchEnvelope) -> None:
    # given a port nobody listens on
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]

    with pytest.raises(TransientDispatchError) as caught:
        CxmlSftpChannel().send(sftp_order, loopback_config(free_port), sftp_envelope)

    assert caught.value.message == connect_failed(free_port)
    assert "Connection refused" in caught.value.evidence["technical"]["error"]


def test_a_server_that_never_answers_is_transient(sftp_order: OutboundOrder, sftp_envelope: DispatchEnvelope) -> None:
    # given a port that accepts connections but never says a word (no SSH banner)
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        with pytest.raises(TransientDispatchError) as caught:
            CxmlSftpChannel().send(sftp_order, loopback_config(port, timeout_seconds=0.3), sftp_envelope)

    assert caught.value.message == connect_failed(port)
    assert "SSH handshake with 127.0.0.1 failed" in caught.value.evidence["technical"]["error"]


@pytest.fixture
def http_port() -> Iterator[int]:
    """A port with something on it that speaks HTTP, not SSH."""
    with socket.create_server(("127.0.0.1", 0)) as server:

        def answer() -> None:
            with contextlib.suppress(OSError):
                connection, _ = server.accept()
                with connection:
                    connection.sendall(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n")
                    connection.recv(4096)

        thread = threading.Thread(target=answer, daemon=True)
        thread.start()
        yield int(server.getsockname()[1])
    thread.join(timeout=5)


def test_whatever_is_behind_the_port_the_failure_to_connect_reads_the_same(
    http_port: int, sftp_order: OutboundOrder, sftp_envelope: DispatchEnvelope
) -> None:
    # given a port with a web server on it: paramiko finds no SSH banner
    with pytest.raises(TransientDispatchError) as caught:
        CxmlSftpChannel().send(sftp_order, loopback_config(http_port, timeout_seconds=2), sftp_envelope)

    # then the customer's message, the code and the kept transcript say only "could not connect"
    assert caught.value.message == connect_failed(http_port)
    assert caught.value.code == "connect_failed_sftp"
    assert caught.value.response == b""
    assert "protocol banner" in caught.value.evidence["technical"]["error"]


def test_records_never_hold_the_shared_secret_or_the_password(
    inbox: SftpInbox, sftp_order: OutboundOrder, sftp_envelope: DispatchEnvelope
) -> None:
    channel, config = CxmlSftpChannel(), config_for(inbox)
    inbox.cut_after_bytes(50)
    with pytest.raises(DispatchError) as failed:
        channel.send(sftp_order, config, sftp_envelope)

    result = channel.send(sftp_order, config, sftp_envelope)
    name, document = channel.build_document(sftp_order, config, sftp_envelope)

    assert b"<SharedSecret>[redacted]</SharedSecret>" in result.request
    assert result.request == result.document == document
    assert name == FILE_NAME
    assert_no_secrets(result.request, result.response, result.evidence, result.summary, result.document)
    assert_no_secrets(failed.value.request, failed.value.response, failed.value.evidence, failed.value.message)
    # while the supplier does receive the secret it checks
    assert SHARED_SECRET.encode() in (inbox.orders_dir / FILE_NAME).read_bytes()


def test_check_verifies_key_login_and_folder_without_uploading(inbox: SftpInbox) -> None:
    (inbox.orders_dir / "earlier.xml").write_bytes(b"<cXML/>")

    sentence = CxmlSftpChannel().check(config_for(inbox))

    banner = f"SSH-2.0-AsyncSSH_{asyncssh.__version__}"
    assert sentence == (
        f"Connected to the SFTP server 127.0.0.1:{inbox.port} ({banner}), its host key matched "
        f"{inbox.host_key_fingerprint}, logged in as supplier and listed /orders (1 entry). Nothing was uploaded."
    )
    assert files_under(inbox.root) == ["orders/earlier.xml"]


def test_missing_host_key_fingerprint_is_refused_before_connecting(
    inbox: SftpInbox, sftp_order: OutboundOrder, sftp_envelope: DispatchEnvelope
) -> None:
    config = config_for(inbox)
    config.settings["host_key_fingerprint"] = ""

    with pytest.raises(PermanentDispatchError) as caught:
        CxmlSftpChannel().send(sftp_order, config, sftp_envelope)

    assert "has no Host key fingerprint (host_key_fingerprint)" in caught.value.message
    assert inbox.auth_attempts == 0
    assert files_under(inbox.root) == []


def test_falls_back_to_a_plain_rename_without_the_openssh_extension(
    inbox: SftpInbox, recorder: Recorder, sftp_order: OutboundOrder, sftp_envelope: DispatchEnvelope
) -> None:
    inbox.supports_posix_rename = False

    result = CxmlSftpChannel().send(sftp_order, config_for(inbox), sftp_envelope)

    assert result.evidence["rename"] == "rename"
    assert files_under(inbox.root) == [f"orders/{FILE_NAME}"]
    assert [record[1] for record in recorder.records] == [FILE_NAME]


def test_a_private_key_with_a_passphrase_is_refused_before_logging_in(
    inbox: SftpInbox, sftp_order: OutboundOrder, sftp_envelope: DispatchEnvelope
) -> None:
    key = asyncssh.generate_private_key("ssh-ed25519")
    # few bcrypt rounds keep the test fast; the channel never gets as far as deriving a key anyway
    locked = key.export_private_key("openssh", passphrase="hunter2", rounds=1, ignore_few_rounds=True)

    with pytest.raises(PermanentDispatchError) as caught:
        CxmlSftpChannel().send(sftp_order, config_for(inbox, private_key=locked.decode()), sftp_envelope)

    assert caught.value.message == (
        "The SFTP private key of connection Lab Supplies SFTP cannot be used: the private key is protected by a "
        "passphrase. Nothing was uploaded."
    )
    assert inbox.auth_attempts == 0
    assert files_under(inbox.root) == []


def test_a_generic_server_failure_is_retried(sftp_order: OutboundOrder, sftp_envelope: DispatchEnvelope) -> None:
    # given a fake transport: the server answers the write with SFTP's catch-all "Failure" (e.g. a full disk)
    def failing_upload(target: sftp.SftpTarget, *, directory: str, file_name: str, data: bytes) -> sftp.UploadReceipt:
        error = sftp.RemoteOperationFailed(path=f"{directory}/.{file_name}.part", detail="Failure")
        error.temp_upload_started = True
        raise error

    config = ChannelConfig(
        method="cxml_sftp",
        label="Lab Supplies SFTP",
        settings={
            "host": "sftp.supplier.example",
            "username": "supplier",
            "remote_directory": "/orders",
            "host_key_fingerprint": "256 SHA256:" + "A" * 43 + " sftp.supplier.example (ED25519)",
            "from_domain": "NetworkID",
            "from_identity": "ACME-BUYER",
            "to_domain": "DUNS",
            "to_identity": "123456789",
        },
        secrets={"shared_secret": SHARED_SECRET, "password": SFTP_PASSWORD},
    )

    with pytest.raises(TransientDispatchError) as caught:
        CxmlSftpChannel(upload=failing_upload).send(sftp_order, config, sftp_envelope)

    assert caught.value.message == (
        f"The SFTP server sftp.supplier.example refused an operation on /orders/.{FILE_NAME}.part (Failure). "
        "The supplier never sees a partial file under the final name. It will be sent again later under the same "
        "name."
    )
    assert b"<SharedSecret>[redacted]</SharedSecret>" in caught.value.request


# -- where orders may go: never into a private network unless the platform allows it ------------------------------

PRIVATE_HOSTS = [
    ("127.0.0.1", "127.0.0.1"),
    ("10.0.0.1", "10.0.0.1"),
    ("169.254.169.254", "169.254.169.254"),
    ("::1", "::1"),
    ("::ffff:127.0.0.1", "::ffff:127.0.0.1"),
    ("localhost", "127.0.0.1"),
]


@pytest.mark.parametrize(("host", "address"), PRIVATE_HOSTS)
def test_an_sftp_server_inside_a_private_network_is_refused(
    host: str,
    address: str,
    inbox: SftpInbox,
    recorder: Recorder,
    sftp_order: OutboundOrder,
    sftp_envelope: DispatchEnvelope,
) -> None:
    # given a platform that allows no private network (the default), and the supplier's server on loopback
    config = config_for(inbox)
    config.settings.update(host=host, allowed_private_networks=[], timeout_seconds=0.5)

    # when
    with pytest.raises(PermanentDispatchError) as caught:
        CxmlSftpChannel().send(sftp_order, config, sftp_envelope)

    # then
    shown = address if host == address else f"{host}: {address}"
    assert caught.value.message == (
        f"The SFTP server of connection {LABEL} is at an address inside a private network ({shown}). ocilink does not "
        "send orders there: check the server address with the supplier. If their server really is on a private "
        "network, ask the platform's operator to allow that network. Nothing was uploaded."
    )
    assert caught.value.code == "private_target_sftp"
    assert caught.value.params == {"connection": LABEL, "host": host, "address": address}
    assert inbox.auth_attempts == 0
    assert files_under(inbox.root) == []
    assert recorder.records == []


def test_check_refuses_a_private_sftp_server_too(inbox: SftpInbox) -> None:
    config = config_for(inbox)
    config.settings["allowed_private_networks"] = []

    with pytest.raises(PermanentDispatchError) as caught:
        CxmlSftpChannel().check(config)

    assert caught.value.code == "private_target_sftp"
    assert inbox.auth_attempts == 0


def test_an_sftp_server_on_an_allowed_network_by_name_gets_the_order(
    inbox: SftpInbox, recorder: Recorder, sftp_order: OutboundOrder, sftp_envelope: DispatchEnvelope
) -> None:
    config = config_for(inbox)
    config.settings["host"] = "localhost"

    result = CxmlSftpChannel().send(sftp_order, config, sftp_envelope)

    assert result.evidence["outcome"] == "uploaded"
    assert [record[1] for record in recorder.records] == [FILE_NAME]


# -- a connection cut during the login is not a refused login ------------------------------------------------------


class _ClosesDuringLogin(_InboxSshServer):
    """Drops the connection when asked to check a password, as a server restarting or a firewall cutting in."""

    def validate_password(self, username: str, password: str) -> bool:
        self._inbox.auth_attempts += 1
        assert self._conn is not None
        self._conn.abort()
        return False


class _StallsDuringLogin(_InboxSshServer):
    """Never gives its verdict on a password (an overloaded server or a hanging authentication backend)."""

    async def validate_password(self, username: str, password: str) -> bool:
        self._inbox.auth_attempts += 1
        await asyncio.sleep(30)
        return False


class _LoginFaultInbox(SftpInbox):
    def __init__(self, *args: Any, server_class: type[_InboxSshServer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._server_class = server_class

    async def _listen(self) -> asyncssh.SSHAcceptor:
        return await asyncssh.listen(
            self.host,
            self.port,
            server_factory=lambda: self._server_class(self),
            server_host_keys=[self.host_key],
            sftp_factory=lambda chan: _InboxSftpServer(chan, self),
            allow_scp=False,
        )


@pytest.mark.parametrize("server_class", [_ClosesDuringLogin, _StallsDuringLogin])
def test_a_connection_lost_during_the_login_is_retried_not_a_refused_login(
    server_class: type[_InboxSshServer],
    tmp_path: Path,
    recorder: Recorder,
    sftp_order: OutboundOrder,
    sftp_envelope: DispatchEnvelope,
) -> None:
    # given a server that cuts or stalls the login (the password itself is right)
    server = _LoginFaultInbox(recorder, tmp_path / "root", password=SFTP_PASSWORD, server_class=server_class)
    with server:
        config = config_for(server)
        config.settings["timeout_seconds"] = 0.5

        # when
        with pytest.raises(TransientDispatchError) as caught:
            CxmlSftpChannel().send(sftp_order, config, sftp_envelope)

    # then it will be tried again: the server never said the login was wrong
    assert caught.value.message == (
        "The SFTP server 127.0.0.1 closed the connection while logging in, before it accepted or refused the login. "
        "Nothing was uploaded; the order will be sent again later under the same name."
    )
    assert caught.value.code == "login_cut_off"
    assert server.auth_attempts == 1
    assert files_under(server.root) == []
    assert recorder.records == []


def test_a_login_that_stalls_past_the_send_timeout_is_cut_off(
    tmp_path: Path, recorder: Recorder, sftp_order: OutboundOrder, sftp_envelope: DispatchEnvelope
) -> None:
    # given each wait may last 5 s, but the whole send only 0.3 s
    server = _LoginFaultInbox(recorder, tmp_path / "root", password=SFTP_PASSWORD, server_class=_StallsDuringLogin)
    with server:
        config = config_for(server)
        config.settings["send_timeout_seconds"] = 0.3

        with pytest.raises(TransientDispatchError) as caught:
            CxmlSftpChannel().send(sftp_order, config, sftp_envelope)

    assert caught.value.evidence["technical"]["deadline_passed"] is True
    assert caught.value.code == "connect_failed_sftp"
    assert files_under(server.root) == []
