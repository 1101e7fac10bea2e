"""The channel interface: how an order reaches a supplier. Each method of ordering is one small class."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

from ocilink.dispatch.types import ChannelConfig, DispatchEnvelope, DispatchResult, OutboundOrder


@dataclass(frozen=True)
class ConfigField:
    """One setting of a channel, as the connection form shows it."""

    name: str
    label: str
    required: bool = True
    help_text: str = ""
    kind: str = "text"  # text, email_list, url, integer, textarea, bool, password
    default: str | int | bool | None = None


class Channel(ABC):
    """An ordering method. Subclasses declare who they are and what they need, and send one order.

    ``send`` either returns positive evidence of delivery, or raises ``TransientDispatchError`` (retry with the
    same envelope) or ``PermanentDispatchError`` (stop and tell a person). It never touches the database.
    """

    key: ClassVar[str]
    label: ClassVar[str]
    config_fields: ClassVar[tuple[ConfigField, ...]]
    sensitive_fields: ClassVar[tuple[ConfigField, ...]] = ()

    @abstractmethod
    def send(self, order: OutboundOrder, config: ChannelConfig, envelope: DispatchEnvelope) -> DispatchResult:
        """Deliver ``order``; see the class docstring."""

    @abstractmethod
    def build_document(
        self, order: OutboundOrder, config: ChannelConfig, envelope: DispatchEnvelope
    ) -> tuple[str, bytes]:
        """The document as the supplier will receive it, secrets redacted: ``(file name, bytes)``.

        Used to hold an order for inspection (a test order) and to offer the exact document for download.
        """

    def check(self, config: ChannelConfig) -> str:
        """Optional connectivity check for onboarding; returns a sentence that says what was verified."""
        return "No check is available for this ordering method."
