"""Boundary types of dispatch: what a channel receives and what it returns. No models below this line."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ocilink.protocols.order import OrderLine, PostalAddress, PurchaseOrderSnapshot

OutboundOrder = PurchaseOrderSnapshot

__all__ = ["ChannelConfig", "DispatchEnvelope", "DispatchResult", "OrderLine", "OutboundOrder", "PostalAddress"]


@dataclass(frozen=True)
class ChannelConfig:
    """A connection's ordering method, decrypted: ``settings`` holds plain values, ``secrets`` the sensitive ones.

    The keys of both are the channel's own (see each channel's ``config_fields`` and ``sensitive_fields``).
    """

    method: str
    settings: dict[str, Any]
    secrets: dict[str, str] = field(default_factory=dict)
    label: str = ""  # the connection's name, for messages


@dataclass(frozen=True)
class DispatchEnvelope:
    """What stays the same on every try of one dispatch, so a retry is recognisably the same document."""

    dispatch_id: int
    payload_id: str  # cXML payloadID
    timestamp: datetime  # cXML timestamp, fixed when the dispatch was created
    file_name: str  # SFTP file name
    message_id: str  # e-mail Message-ID, e.g. "<po-2026-000123.17@ocilink>"
    hold_for_inspection: bool = False


@dataclass(frozen=True)
class DispatchResult:
    """Positive evidence that the supplier's system accepted the order.

    ``request`` is the exact bytes sent with secrets redacted; ``evidence`` holds what proves delivery: cXML
    status code and text, SFTP remote path, size and stat, SMTP reply and Message-ID.
    """

    summary: str  # one sentence for a person: "The supplier's server accepted the order (cXML 200 OK)."
    request: bytes
    response: bytes = b""
    evidence: dict[str, Any] = field(default_factory=dict)
    document_name: str = ""  # e.g. "PO-2026-000123.xml" / ".pdf"
    document: bytes = b""  # the document as the supplier received it (secrets redacted), for download
