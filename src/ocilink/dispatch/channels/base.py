"""The channel interface: how an order reaches a supplier. Each method of ordering is one small class."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

from ocilink.dispatch.exceptions import PermanentDispatchError
from ocilink.dispatch.transports import network
from ocilink.dispatch.types import ChannelConfig, DispatchEnvelope, DispatchResult, OutboundOrder

# Platform settings a channel reads from ``ChannelConfig.settings`` (``connections.ordering.channel_config_for`` puts
# them there, over anything a connection's own settings hold):
# - the networks off the public internet that orders may still go to (``ORDERING_ALLOW_PRIVATE_TARGETS``);
ALLOWED_NETWORKS_SETTING = "allowed_private_networks"
# - the most seconds one whole send may take (``ORDERING_SEND_TIMEOUT_SECONDS``), below the dispatch lease.
SEND_TIMEOUT_SETTING = "send_timeout_seconds"
# Without the platform's setting (a configuration built by hand): well below the default lease of 300 s.
DEFAULT_SEND_TIMEOUT_SECONDS = 60.0


def send_timeout(config: ChannelConfig) -> float:
    """The most seconds one whole send (connect, log in, hand over, wait for the answer) may take."""
    try:
        seconds = float(config.settings.get(SEND_TIMEOUT_SETTING) or DEFAULT_SEND_TIMEOUT_SECONDS)
    except (TypeError, ValueError):
        return DEFAULT_SEND_TIMEOUT_SECONDS
    return seconds if seconds > 0 else DEFAULT_SEND_TIMEOUT_SECONDS


def allowed_networks(config: ChannelConfig) -> tuple[str, ...]:
    """The networks off the public internet that this platform still sends orders to (none by default)."""
    value = config.settings.get(ALLOWED_NETWORKS_SETTING) or ()
    items = value.split(",") if isinstance(value, str) else value
    return tuple(str(item).strip() for item in items if str(item).strip())


def connection_name(config: ChannelConfig) -> str:
    """How a channel's messages name the connection: its label, else its method."""
    return config.label or config.method


def private_target_error(
    refused: network.ForbiddenTarget,
    *,
    sentence: str,
    code: str,
    config: ChannelConfig,
    request: bytes,
    evidence: dict[str, Any],
) -> PermanentDispatchError:
    """The permanent failure of a send refused before it connected: the supplier's host lies in a private network.

    ``sentence`` names the connection as ``{name}`` and the refused address as ``{shown}`` (the host too, when it
    was a name); ``code`` and the params let a page say it in the reader's language.
    """
    name, host, address = connection_name(config), refused.host, refused.address
    shown = address if host.strip("[]") == address else f"{host}: {address}"
    return PermanentDispatchError(
        sentence.format(name=name, shown=shown),
        request=request,
        evidence=evidence,
        code=code,
        params={"connection": name, "host": host, "address": address},
    )


def gettext_noop(text: str) -> str:
    """Mark a text for translation, unchanged (the name is what the message extractor looks for).

    Channels import no Django; the registry translates a channel's label for the reader.
    """
    return text


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
    # English, marked with gettext_noop; the registry translates it for the reader.
    label: ClassVar[str]
    config_fields: ClassVar[tuple[ConfigField, ...]]
    sensitive_fields: ClassVar[tuple[ConfigField, ...]] = ()
    # What a connection request asks the supplier for this method: the setting that holds the order address, and,
    # where the method logs in, the setting of the user name and the secret of the password.
    address_setting: ClassVar[str]
    username_setting: ClassVar[str | None] = None
    password_secret: ClassVar[str | None] = None
    # The document is a cXML OrderRequest (the supplier guide shows the sample order for these methods).
    sends_cxml: ClassVar[bool] = False
    # The platform's own mail server and sender address complete the configuration (``PLATFORM_MAIL_SETTINGS``).
    uses_platform_mail: ClassVar[bool] = False

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
