"""Ordering by SFTP: a cXML OrderRequest file placed on the supplier's server.

SFTP has no answer from the supplier's system, so the evidence is the file itself: written to a ``.part`` name,
renamed into place, then ``stat``-ed. Every try builds the same bytes (payloadID and timestamp come from the
envelope) under the same file name, so a retry finds an earlier delivery instead of making a second order file.
The server's host key must match the fingerprint pinned on the connection: there is no trust-on-first-use.
"""

from __future__ import annotations

import posixpath
import stat
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, ClassVar

from ocilink.dispatch.channels.base import (
    Channel,
    ConfigField,
    allowed_networks,
    connection_name,
    gettext_noop,
    private_target_error,
    send_timeout,
)
from ocilink.dispatch.exceptions import TECHNICAL, DispatchError, PermanentDispatchError, TransientDispatchError
from ocilink.dispatch.registry import register_channel
from ocilink.dispatch.transports import network, sftp
from ocilink.dispatch.types import ChannelConfig, DispatchEnvelope, DispatchResult, OutboundOrder

Upload = Callable[..., sftp.UploadReceipt]  # sftp.upload's shape: (target, *, directory, file_name, data)
ListDirectory = Callable[[sftp.SftpTarget, str], sftp.DirectoryListing]

DEFAULT_FILE_NAME_PATTERN = "{order_number}-{payload_hash}.xml"
DEPLOYMENT_MODES = ("production", "test")
# The rename only happens after the whole file was written, so the supplier never sees half an order; a retry
# recognises a file that did reach its final name (same name, same size).
_AFTER_UPLOAD_STARTED = "The supplier never sees a partial file under the final name."


@register_channel()
class CxmlSftpChannel(Channel):
    """Upload the order as a cXML file to the supplier's SFTP server."""

    key = "cxml_sftp"
    label = gettext_noop("SFTP with cXML")
    address_setting = "host"
    username_setting = "username"
    password_secret = "password"
    sends_cxml = True
    config_fields: ClassVar[tuple[ConfigField, ...]] = (
        ConfigField("host", "SFTP server", help_text="Host name of the supplier's SFTP server."),
        ConfigField("port", "Port", kind="integer", default=22),
        ConfigField("username", "User name"),
        ConfigField(
            "remote_directory",
            "Folder for orders",
            help_text="The folder on the server the supplier reads orders from, e.g. /inbound/orders.",
        ),
        ConfigField(
            "file_name_pattern",
            "File name",
            required=False,
            default=DEFAULT_FILE_NAME_PATTERN,
            help_text=(
                f"Default {DEFAULT_FILE_NAME_PATTERN}. The same order always gets the same name, so a retry "
                "cannot create a second order file. Each file is first written as .<name>.part and then renamed."
            ),
        ),
        ConfigField(
            "host_key_fingerprint",
            "Host key fingerprint",
            help_text=(
                "The server's key as `ssh-keygen -lf` prints it, e.g. SHA256:abc…; ask the supplier for it. "
                "Orders are only sent to a server presenting exactly this key."
            ),
        ),
        ConfigField(
            "timeout_seconds",
            "Timeout in seconds",
            kind="integer",
            default=30,
            help_text="For connecting and for each wait for the server; a whole send ends after at most 60 seconds.",
        ),
        ConfigField("from_domain", "From domain", help_text="cXML From credential domain, e.g. NetworkID."),
        ConfigField("from_identity", "From identity", help_text="Your identity at the supplier."),
        ConfigField("to_domain", "To domain", help_text="cXML To credential domain."),
        ConfigField("to_identity", "To identity", help_text="The supplier's identity."),
        ConfigField("sender_domain", "Sender domain", required=False, help_text="Leave empty to use the From domain."),
        ConfigField(
            "sender_identity", "Sender identity", required=False, help_text="Leave empty to use the From identity."
        ),
        ConfigField(
            "deployment_mode",
            "Deployment mode",
            required=False,
            default="production",
            help_text="production, or test while the supplier tests the connection.",
        ),
    )
    sensitive_fields: ClassVar[tuple[ConfigField, ...]] = (
        ConfigField(
            "password", "SFTP password", required=False, kind="password", help_text="A password or a private key."
        ),
        ConfigField(
            "private_key",
            "SFTP private key",
            required=False,
            kind="textarea",
            help_text="An unencrypted private key in OpenSSH or PEM format; the supplier needs its public key.",
        ),
        ConfigField("shared_secret", "cXML shared secret", kind="password"),
    )

    def __init__(self, *, upload: Upload | None = None, list_directory: ListDirectory | None = None) -> None:
        self._upload: Upload = upload or sftp.upload
        self._list_directory: ListDirectory = list_directory or sftp.list_directory

    def validate(self, config: ChannelConfig) -> list[str]:
        """What is wrong with ``config``, as sentences a person can act on; an empty list when it is usable."""
        settings, name = config.settings, connection_name(config)
        problems = [
            f"Connection {name} has no {field.label} ({field.name})."
            for field in self.config_fields
            if field.required and field.default is None and not str(settings.get(field.name) or "").strip()
        ]
        if settings.get("host_key_fingerprint"):
            try:
                sftp.normalize_fingerprint(str(settings["host_key_fingerprint"]))
            except ValueError:
                problems.append(
                    f"The host key fingerprint of connection {name} is not a SHA256 fingerprint; enter it as "
                    "`ssh-keygen -lf` prints it (SHA256:…)."
                )
        if not _positive_number(settings.get("port", 22), whole=True):
            problems.append(f"The port of connection {name} must be a whole number above 0.")
        if not _positive_number(settings.get("timeout_seconds", 30)):
            problems.append(f"The timeout of connection {name} must be a number of seconds above 0.")
        if not config.secrets.get("password") and not config.secrets.get("private_key"):
            problems.append(f"Connection {name} has neither an SFTP password nor a private key.")
        if not config.secrets.get("shared_secret"):
            problems.append(f"Connection {name} has no cXML shared secret.")
        if str(settings.get("deployment_mode") or "production") not in DEPLOYMENT_MODES:
            problems.append(f"The deployment mode of connection {name} must be 'production' or 'test'.")
        return problems

    def build_document(
        self, order: OutboundOrder, config: ChannelConfig, envelope: DispatchEnvelope
    ) -> tuple[str, bytes]:
        from ocilink.protocols.cxml import redact_shared_secret

        return envelope.file_name, redact_shared_secret(self._order_request(order, config, envelope))

    def send(self, order: OutboundOrder, config: ChannelConfig, envelope: DispatchEnvelope) -> DispatchResult:
        from ocilink.protocols.cxml import redact_shared_secret

        problems = self.validate(config) + _file_name_problems(envelope.file_name)
        if problems:
            raise PermanentDispatchError(" ".join(problems) + " Nothing was uploaded.")
        document = self._order_request(order, config, envelope)
        redacted = redact_shared_secret(document)
        target = sftp_target(config)
        directory = remote_directory(config)
        evidence: dict[str, Any] = {
            "host": target.host,
            "port": target.port,
            "remote_path": posixpath.join(directory, envelope.file_name),
            "payload_id": envelope.payload_id,
            "size": len(document),
        }
        try:
            receipt = self._upload(target, directory=directory, file_name=envelope.file_name, data=document)
        except network.ForbiddenTarget as refused:
            raise _private_target(refused, config=config, request=redacted, evidence=evidence) from refused
        except sftp.SftpError as error:
            raise _failure(error, target=target, config=config, request=redacted, evidence=evidence) from error
        evidence.update(_receipt_evidence(receipt))
        if receipt.already_present:
            summary = (
                f"The order file {envelope.file_name} was already in {directory} on the SFTP server {target.host} "
                "with the same size, from an earlier try; it was not uploaded again."
            )
        else:
            summary = (
                f"The order file {envelope.file_name} is in {directory} on the SFTP server {target.host} "
                f"({receipt.size} bytes, checked after the rename); the supplier has not confirmed it yet."
            )
        return DispatchResult(
            summary=summary,
            request=redacted,
            response="\n".join(receipt.transcript).encode(),
            evidence=evidence,
            document_name=envelope.file_name,
            document=redacted,
        )

    def check(self, config: ChannelConfig) -> str:
        """Connect, verify the host key, log in and list the order folder: nothing is uploaded."""
        problems = self.validate(config)
        if problems:
            raise PermanentDispatchError(" ".join(problems))
        target = sftp_target(config)
        directory = remote_directory(config)
        try:
            listing = self._list_directory(target, directory)
        except network.ForbiddenTarget as refused:
            raise _private_target(refused, config=config, request=b"", evidence={}) from refused
        except sftp.SftpError as error:
            raise _failure(error, target=target, config=config, request=b"", evidence={}) from error
        count = len(listing.names)
        return (
            f"Connected to the SFTP server {target.host}:{target.port} ({listing.server.banner}), its host key "
            f"matched {listing.server.host_key_fingerprint}, logged in as {target.username} and listed {directory} "
            f"({count} {'entry' if count == 1 else 'entries'}). Nothing was uploaded."
        )

    def _order_request(self, order: OutboundOrder, config: ChannelConfig, envelope: DispatchEnvelope) -> bytes:
        from ocilink.protocols.cxml import CxmlIdentity, build_order_request

        settings = config.settings

        def identity(prefix: str, fallback: str = "") -> CxmlIdentity:
            domain = settings.get(f"{prefix}_domain") or (fallback and settings.get(f"{fallback}_domain"))
            name = settings.get(f"{prefix}_identity") or (fallback and settings.get(f"{fallback}_identity"))
            return CxmlIdentity(domain=str(domain or ""), identity=str(name or ""))

        try:
            return build_order_request(
                order,
                payload_id=envelope.payload_id,
                timestamp=envelope.timestamp,
                from_=identity("from"),
                to=identity("to"),
                sender=identity("sender", fallback="from"),
                shared_secret=config.secrets.get("shared_secret", ""),
                deployment_mode=str(settings.get("deployment_mode") or "production"),
            )
        except ValueError as error:
            raise PermanentDispatchError(
                f"Order {order.order_number} cannot be written as cXML: {error}. Nothing was uploaded."
            ) from error


def sftp_target(config: ChannelConfig) -> sftp.SftpTarget:
    settings = config.settings
    total = send_timeout(config)
    return sftp.SftpTarget(
        host=str(settings["host"]).strip(),
        port=int(settings.get("port") or 22),
        username=str(settings["username"]),
        host_key_fingerprint=sftp.normalize_fingerprint(str(settings["host_key_fingerprint"])),
        timeout=min(float(settings.get("timeout_seconds") or 30), total),
        password=config.secrets.get("password") or None,
        private_key=config.secrets.get("private_key") or None,
        allowed_networks=allowed_networks(config),
        total_timeout=total,
    )


def remote_directory(config: ChannelConfig) -> str:
    """The order folder without a trailing slash ("/inbound/orders", "inbound", "/")."""
    return posixpath.normpath(str(config.settings["remote_directory"]).strip())


def _file_name_problems(file_name: str) -> list[str]:
    # A plain name inside the order folder: no path, and never the hidden temporary name of an upload.
    if (
        not file_name
        or file_name.startswith(".")
        or file_name.endswith(".part")
        or any(character in file_name for character in "/\\\0")
    ):
        return [f"The order file name {file_name!r} is not a plain file name."]
    return []


def _receipt_evidence(receipt: sftp.UploadReceipt) -> dict[str, Any]:
    remote = receipt.stat
    return {
        "outcome": "already present" if receipt.already_present else "uploaded",
        "already_present": receipt.already_present,
        "remote_path": receipt.remote_path,
        "size": receipt.size,
        "stat": {
            "mode": remote.mode,
            "permissions": stat.filemode(remote.mode) if remote.mode is not None else None,
            "size": remote.size,
            "mtime": remote.mtime,
            "modified_at": datetime.fromtimestamp(remote.mtime, UTC).isoformat() if remote.mtime is not None else None,
        },
        "rename": receipt.rename_method,
        "server_banner": receipt.server.banner,
        "host_key_type": receipt.server.host_key_type,
        "host_key_fingerprint": receipt.server.host_key_fingerprint,
    }


def _private_target(
    refused: network.ForbiddenTarget, *, config: ChannelConfig, request: bytes, evidence: dict[str, Any]
) -> PermanentDispatchError:
    return private_target_error(
        refused,
        sentence=(
            "The SFTP server of connection {name} is at an address inside a private network ({shown}). ocilink does "
            "not send orders there: check the server address with the supplier. If their server really is on a private "
            "network, ask the platform's operator to allow that network. Nothing was uploaded."
        ),
        code="private_target_sftp",
        config=config,
        request=request,
        evidence=evidence,
    )


def _failure(
    error: sftp.SftpError,
    *,
    target: sftp.SftpTarget,
    config: ChannelConfig,
    request: bytes,
    evidence: dict[str, Any],
) -> DispatchError:
    # The library's own words stay with the platform's staff: before the login they tell what is behind a port.
    deadline_passed = isinstance(error, sftp.SftpConnectionError) and error.deadline_passed
    technical = {"error": str(error), "deadline_passed": deadline_passed}
    evidence = {**evidence, "temp_upload_started": error.temp_upload_started, TECHNICAL: technical}
    server, name = f"the SFTP server {target.host}", connection_name(config)
    kind: type[DispatchError] = PermanentDispatchError
    code, params = "", {"host": target.host, "port": target.port, "connection": name}
    if isinstance(error, sftp.HostKeyMismatch):
        evidence.update(host_key_mismatch=True, presented=error.presented, expected=error.expected)
        code = "host_key_mismatch"
        params.update(presented=error.presented, expected=error.expected)
        message = (
            f"The SFTP server {target.host} presented host key {error.presented} but the connection expects "
            f"{error.expected}. Nothing was uploaded. If the supplier changed its server key, confirm the new "
            f"fingerprint with them and update connection {name}."
        )
    elif isinstance(error, sftp.AuthenticationFailed):
        tried = " and ".join(error.methods) or "no credentials"
        code = "login_refused"
        params.update(username=error.username, tried=list(error.methods))
        message = (
            f"{_capital(server)} refused the login of user {error.username} (tried {tried}). Check the password or "
            f"private key of connection {name}. Nothing was uploaded."
        )
    elif isinstance(error, sftp.PrivateKeyUnusable):
        message = f"The SFTP private key of connection {name} cannot be used: {error}. Nothing was uploaded."
    elif isinstance(error, sftp.RemotePathError) and error.reason == "missing":
        message = (
            f"The folder {error.path} does not exist on {server}. Check the order folder of connection {name} "
            "with the supplier. The order file was not placed."
        )
    elif isinstance(error, sftp.RemotePathError):
        message = (
            f"{_capital(server)} denied user {target.username} access to {error.path} ({error.detail}). Ask the "
            f"supplier for write access, or check the order folder of connection {name}. The order file was not placed."
        )
    elif isinstance(error, sftp.RemoteFileConflict) and error.after_upload:
        evidence.update(remote_size=error.remote_size)
        message = (
            f"After the upload, {error.path} on {server} has {error.remote_size} bytes instead of "
            f"{error.local_size}. A person must check with the supplier whether they received the whole order."
        )
    elif isinstance(error, sftp.RemoteFileConflict):
        evidence.update(remote_size=error.remote_size)
        message = (
            f"A different file with this name already exists on {server}: {error.path} has {error.remote_size} "
            f"bytes, this order's document {error.local_size}. Nothing was overwritten; a person must check with "
            "the supplier which order they hold."
        )
    elif isinstance(error, sftp.RemoteOperationFailed):
        kind = TransientDispatchError
        message = (
            f"{_capital(server)} refused an operation on {error.path} ({error.detail}). {_AFTER_UPLOAD_STARTED} "
            "It will be sent again later under the same name."
        )
    elif error.temp_upload_started:  # SftpConnectionError once the upload had begun
        kind, code = TransientDispatchError, "upload_cut_off"
        why = f"did not finish within {target.total_timeout:g} seconds" if deadline_passed else "broke off"
        message = (
            f"The connection to {server}:{target.port} {why} during the upload. {_AFTER_UPLOAD_STARTED} "
            "It will be sent again later under the same name."
        )
    elif isinstance(error, sftp.LoginCutOff) and not deadline_passed:
        kind, code = TransientDispatchError, "login_cut_off"
        message = (
            f"{_capital(server)} closed the connection while logging in, before it accepted or refused the login. "
            "Nothing was uploaded; the order will be sent again later under the same name."
        )
    else:  # could not connect, no SSH, no common algorithm, cut off or timed out before anything was written
        kind, code = TransientDispatchError, "connect_failed_sftp"
        message = (
            f"Could not connect to {server}:{target.port}. Nothing was uploaded; the order will be sent again later "
            f"under the same name. If this goes on, check the server address and port of connection {name} with "
            "the supplier."
        )
    return kind(
        message,
        request=request,
        response="\n".join(error.transcript).encode(),
        evidence=evidence,
        code=code,
        params=params if code else None,
    )


def _positive_number(value: object, *, whole: bool = False) -> bool:
    try:
        return (int(str(value)) if whole else float(str(value))) > 0
    except ValueError:
        return False


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
