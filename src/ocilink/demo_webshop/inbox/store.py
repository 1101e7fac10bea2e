"""Where the demo supplier keeps the orders it received: one file per order plus a small JSON sidecar.

Layout: ``<folder>/<channel>/<timestamp>-<safe key>.<ext>`` and the same name with ``.json``. The key is what
identifies a document across retries (cXML payloadID, e-mail Message-ID, SFTP file name), so a second order with
a key seen before is marked ``duplicate``: that is how the demo and the tests count distinct deliveries.
"""

from __future__ import annotations

import builtins
import json
import os
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# File extensions for the channels the demo inbox serves; anything else is stored as .bin.
EXTENSIONS = {"email_pdf": "eml", "cxml_https": "xml", "cxml_sftp": "xml"}
_UNSAFE = re.compile(r"[^A-Za-z0-9._@-]+")
_MAX_KEY_IN_NAME = 80  # keeps file names well below the 255 bytes most file systems allow


@dataclass(frozen=True)
class ReceivedOrder:
    """One received document."""

    channel: str
    key: str
    received_at: datetime
    size: int
    path: Path
    meta: dict[str, Any] = field(default_factory=dict)
    duplicate: bool = False  # the same key arrived before on this channel

    def read_bytes(self) -> bytes:
        return self.path.read_bytes()


class InboxStore:
    """A folder of received orders. Thread-safe: the SMTP, HTTPS and SFTP servers record from their own threads."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        existing = self._load()
        self._seen: set[tuple[str, str]] = {(item.channel, item.key) for item, _ in existing}
        self._sequence = max((sequence for _, sequence in existing), default=0)

    def record(
        self, channel: str, key: str, data: bytes, meta: dict[str, Any] | None = None, *, ext: str | None = None
    ) -> ReceivedOrder:
        """Store ``data`` under ``key`` and return what was stored."""
        if not channel or _UNSAFE.search(channel):
            raise ValueError(f"A channel name is letters, digits and ._@- only, not {channel!r}.")
        extension = ext or EXTENSIONS.get(channel, "bin")
        with self._lock:
            received_at = datetime.now(UTC)
            self._sequence += 1
            duplicate = (channel, key) in self._seen
            self._seen.add((channel, key))
            folder = self.folder / channel
            folder.mkdir(parents=True, exist_ok=True)
            stem = f"{received_at:%Y%m%dT%H%M%S%fZ}-{_safe(key)}"
            path = folder / f"{stem}.{extension}"
            suffix = 1
            while path.exists():
                suffix += 1
                path = folder / f"{stem}-{suffix}.{extension}"
            path.write_bytes(data)
            order = ReceivedOrder(
                channel=channel,
                key=key,
                received_at=received_at,
                size=len(data),
                path=path,
                meta=dict(meta or {}),
                duplicate=duplicate,
            )
            sidecar = {
                "channel": channel,
                "key": key,
                "received_at": received_at.isoformat(),
                "size": order.size,
                "file": path.name,
                "meta": order.meta,
                "duplicate": duplicate,
                "sequence": self._sequence,
            }
            # Write then rename, so that a reader never sees half a sidecar.
            temporary = path.with_name(path.name + ".json.tmp")
            temporary.write_text(json.dumps(sidecar, indent=2, default=str), encoding="utf-8")
            os.replace(temporary, path.with_name(path.name + ".json"))
            return order

    def list(self, channel: str | None = None) -> builtins.list[ReceivedOrder]:
        """The received orders, newest first; only those of ``channel`` when given."""
        with self._lock:
            items = self._load(channel)
        return [item for item, _ in sorted(items, key=lambda pair: (pair[0].received_at, pair[1]), reverse=True)]

    def _load(self, channel: str | None = None) -> builtins.list[tuple[ReceivedOrder, int]]:
        pattern = f"{channel}/*.json" if channel else "*/*.json"
        loaded: builtins.list[tuple[ReceivedOrder, int]] = []
        for sidecar in self.folder.glob(pattern):
            try:
                raw = json.loads(sidecar.read_text(encoding="utf-8"))
                item = ReceivedOrder(
                    channel=str(raw["channel"]),
                    key=str(raw["key"]),
                    received_at=datetime.fromisoformat(raw["received_at"]),
                    size=int(raw["size"]),
                    path=sidecar.with_name(str(raw["file"])),
                    meta=dict(raw.get("meta") or {}),
                    duplicate=bool(raw.get("duplicate")),
                )
            except (OSError, ValueError, KeyError, TypeError):
                continue  # not one of ours, or damaged by hand: the demo inbox skips it rather than fail
            loaded.append((item, int(raw.get("sequence") or 0)))
        return loaded


def _safe(key: str) -> str:
    return _UNSAFE.sub("_", key.strip("<> ")).strip("._")[:_MAX_KEY_IN_NAME] or "order"
