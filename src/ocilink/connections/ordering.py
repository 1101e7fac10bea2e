"""Build a channel's configuration from a connection: its settings, its decrypted secrets, platform settings."""

from __future__ import annotations

import hashlib

from django.conf import settings

from ocilink.dispatch.channels.base import ALLOWED_NETWORKS_SETTING, SEND_TIMEOUT_SETTING
from ocilink.dispatch.registry import get_channel_class
from ocilink.dispatch.types import ChannelConfig

from .models import Connection

DEFAULT_FILE_NAME_PATTERN = "{order_number}-{payload_hash}.xml"
# A send ends well before the worker's lease on the dispatch does, so its outcome is recorded by the same worker.
LEASE_SHARE_FOR_SENDING = 0.8


def channel_config_for(*, connection: Connection, reply_to: str = "") -> ChannelConfig:
    """The configuration a channel needs, read fresh at every try (a fixed secret counts on the next retry)."""
    values = dict(connection.ordering_settings or {})
    secrets = dict(connection.ordering_secrets)
    if get_channel_class(connection.ordering_method).uses_platform_mail:
        values.setdefault("from_address", settings.DEFAULT_FROM_EMAIL)
        values.update(
            smtp_host=settings.EMAIL_HOST,
            smtp_port=settings.EMAIL_PORT,
            smtp_starttls=settings.EMAIL_USE_TLS,
            smtp_ssl=settings.EMAIL_USE_SSL,
            smtp_timeout=settings.EMAIL_TIMEOUT,
        )
        if reply_to:
            values["reply_to"] = reply_to
        if settings.EMAIL_HOST_USER:
            secrets.update(smtp_username=settings.EMAIL_HOST_USER, smtp_password=settings.EMAIL_HOST_PASSWORD)
    # The platform's, over anything the connection's own settings hold: where orders may go, and for how long.
    values[ALLOWED_NETWORKS_SETTING] = list(settings.ORDERING_ALLOW_PRIVATE_TARGETS)
    values[SEND_TIMEOUT_SETTING] = send_timeout_seconds()
    return ChannelConfig(method=connection.ordering_method, settings=values, secrets=secrets, label=connection.name)


def send_timeout_seconds() -> float:
    """The most seconds one whole send may take: the platform's setting, and always below the dispatch lease."""
    lease_share = LEASE_SHARE_FOR_SENDING * settings.DISPATCH_LEASE_SECONDS
    return float(min(settings.ORDERING_SEND_TIMEOUT_SECONDS, lease_share))


def file_name_for(*, connection: Connection, order_number: str, payload_id: str) -> str:
    """The SFTP file name, fixed when the dispatch is created; the pattern may use order_number and payload_hash."""
    pattern = (connection.ordering_settings or {}).get("file_name_pattern") or DEFAULT_FILE_NAME_PATTERN
    payload_hash = hashlib.sha256(payload_id.encode()).hexdigest()[:12]
    try:
        name = pattern.format(order_number=order_number, payload_hash=payload_hash)
    except (KeyError, IndexError, ValueError):
        name = DEFAULT_FILE_NAME_PATTERN.format(order_number=order_number, payload_hash=payload_hash)
    return name.replace("/", "_").replace("\\", "_")
