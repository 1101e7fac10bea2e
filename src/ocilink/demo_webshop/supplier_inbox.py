"""Start the demo supplier's order inbox: a cXML endpoint over HTTPS, an SFTP server and an SMTP server."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .inbox.https_server import CxmlInbox, load_or_make_tls_material
from .inbox.sftp_server import SftpInbox
from .inbox.smtp_server import SmtpInbox
from .inbox.store import InboxStore
from .seed import DemoInbox

SFTP_USERNAME = "supplier"
SFTP_PASSWORD = "supplier-sftp-2026"


@dataclass
class RunningInbox:
    https: CxmlInbox
    sftp: SftpInbox
    smtp: SmtpInbox
    details: DemoInbox

    def stop(self) -> None:
        for server in (self.https, self.sftp, self.smtp):
            server.stop()


def start_supplier_inbox(*, folder: Path, https_port: int, sftp_port: int, smtp_port: int) -> RunningInbox:
    """Start the three servers on localhost; what they receive is kept in ``folder`` for the webshop's inbox page."""
    store = InboxStore(folder)
    https = CxmlInbox(store, port=https_port, certificate=load_or_make_tls_material(folder / "tls"))
    sftp = SftpInbox(store, root=folder / "sftp-root", port=sftp_port, username=SFTP_USERNAME, password=SFTP_PASSWORD)
    smtp = SmtpInbox(store, port=smtp_port)
    started = []
    try:
        for server in (https, sftp, smtp):
            server.start()
            started.append(server)
    except Exception:
        for server in started:
            server.stop()
        raise
    details = DemoInbox(
        cxml_url=https.url,
        ca_pem=https.ca_pem,
        sftp_port=sftp.port,
        sftp_username=SFTP_USERNAME,
        sftp_password=SFTP_PASSWORD,
        sftp_fingerprint=sftp.host_key_fingerprint,
    )
    return RunningInbox(https=https, sftp=sftp, smtp=smtp, details=details)
