"""The demo supplier's order inbox: real SMTP and HTTPS servers that keep what they receive.

Pure Python (no Django): the servers run in threads of the demo process and of the tests.
"""

from __future__ import annotations

from .https_server import CxmlInbox, Reply, TlsMaterial, load_or_make_tls_material, make_tls_material
from .smtp_server import DROP, SmtpInbox
from .store import InboxStore, ReceivedOrder

__all__ = [
    "DROP",
    "CxmlInbox",
    "InboxStore",
    "ReceivedOrder",
    "Reply",
    "SmtpInbox",
    "TlsMaterial",
    "load_or_make_tls_material",
    "make_tls_material",
]
