"""Ordering by e-mail: the purchase order as a PDF attachment, sent through the platform's mail server.

An SMTP 250 after DATA only means the next hop accepted the message (cXML calls e-mail an unreliable transport),
so the evidence is the server's reply and the Message-ID, which stays the same on every retry: a supplier who
gets the order twice can see that it is one order.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from string import Template
from typing import Any, ClassVar

from ocilink.dispatch.channels.base import Channel, ConfigField, connection_name, gettext_noop, send_timeout
from ocilink.dispatch.exceptions import DispatchError, PermanentDispatchError, TransientDispatchError
from ocilink.dispatch.registry import register_channel
from ocilink.dispatch.transports import smtp
from ocilink.dispatch.types import ChannelConfig, DispatchEnvelope, DispatchResult, OutboundOrder

SendMail = Callable[..., smtp.SmtpReply]  # smtp.send's shape: (server, *, sender, recipients, message)
ProbeMail = Callable[..., smtp.SmtpReply]  # smtp.probe's shape: (server, *, sender, recipients)

DEFAULT_SUBJECT = "Purchase order $order_number from $buyer_organization"
DEFAULT_BODY = """\
Dear $supplier_name,

Please find attached our purchase order $order_number for $currency $total.
Our reference: $reference

Please confirm the order by replying to this e-mail.

Kind regards,
$buyer_name
$buyer_organization
"""
PLACEHOLDERS = ("order_number", "buyer_organization", "buyer_name", "supplier_name", "total", "currency", "reference")

# A dot-atom local part and a host name: what a supplier's order mailbox looks like. Quoted local parts and
# non-ASCII addresses (which need SMTPUTF8) are refused at configuration time rather than at the mail server.
_ADDRESS = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)
_UNSAFE_FILE_CHARACTERS = re.compile(r"[^A-Za-z0-9._-]+")


@register_channel()
class EmailPdfChannel(Channel):
    """Send the purchase order as a PDF attached to an e-mail to the supplier's order address."""

    key = "email_pdf"
    label = gettext_noop("E-mail with PDF")
    address_setting = "recipients"
    uses_platform_mail = True
    config_fields: ClassVar[tuple[ConfigField, ...]] = (
        ConfigField(
            "recipients",
            "Order e-mail addresses",
            kind="email_list",
            help_text="The supplier's addresses for purchase orders, separated by commas.",
        ),
        ConfigField(
            "subject_template",
            "Subject",
            required=False,
            default=DEFAULT_SUBJECT,
            help_text="Placeholders: " + ", ".join(f"${name}" for name in PLACEHOLDERS) + ".",
        ),
        ConfigField(
            "body_template",
            "Message",
            required=False,
            kind="textarea",
            default=DEFAULT_BODY,
            help_text="Placeholders: " + ", ".join(f"${name}" for name in PLACEHOLDERS) + ".",
        ),
    )
    # Not on the connection form: the platform's mail server and addresses, which the caller puts into
    # ``config.settings`` (and the login into ``config.secrets``) from the platform's settings and the order.
    platform_fields: ClassVar[tuple[ConfigField, ...]] = (
        ConfigField("from_address", "Sender address", kind="text"),
        ConfigField("reply_to", "Reply-To (the buyer's e-mail)", required=False),
        ConfigField("smtp_host", "Mail server"),
        ConfigField("smtp_port", "Mail server port", kind="integer", default=587),
        ConfigField("smtp_starttls", "Use STARTTLS", kind="bool", default=True),
        ConfigField("smtp_ssl", "Use SMTPS (implicit TLS)", kind="bool", default=False),
        ConfigField("smtp_timeout", "Timeout in seconds", kind="integer", default=30),
        ConfigField("smtp_username", "Mail server user name", required=False),
        ConfigField("smtp_password", "Mail server password", required=False, kind="password"),
    )
    sensitive_fields: ClassVar[tuple[ConfigField, ...]] = ()

    def __init__(self, *, send_mail: SendMail | None = None, probe_mail: ProbeMail | None = None) -> None:
        self._send_mail: SendMail = send_mail or smtp.send
        self._probe_mail: ProbeMail = probe_mail or smtp.probe

    def validate(self, config: ChannelConfig) -> list[str]:
        """What is wrong with ``config``, as sentences a person can act on; an empty list when it is usable."""
        settings = config.settings
        problems = [
            f"The recipient address {address!r} of connection {connection_name(config)} is not a valid e-mail address."
            for address in recipients_of(config)
            if not _ADDRESS.match(address)
        ]
        if not recipients_of(config):
            problems.append(f"Connection {connection_name(config)} has no e-mail address to send orders to.")
        if not _ADDRESS.match(parseaddr(str(settings.get("from_address") or ""))[1]):
            problems.append("The platform's sender address (from_address) is missing or not a valid e-mail address.")
        if not settings.get("smtp_host"):
            problems.append("The platform's mail server (smtp_host) is not set.")
        for name in ("subject_template", "body_template"):
            template = Template(str(settings.get(name) or ""))
            unknown = sorted(set(template.get_identifiers()) - set(PLACEHOLDERS))
            if not template.is_valid() or unknown:
                problems.append(
                    f"The {name.split('_')[0]} of connection {connection_name(config)} uses unknown placeholders "
                    f"({', '.join('$' + item for item in unknown) or 'a lone $'}); use $$ for a dollar sign."
                )
        return problems

    def build_document(
        self, order: OutboundOrder, config: ChannelConfig, envelope: DispatchEnvelope
    ) -> tuple[str, bytes]:
        from ocilink.documents.pdf import render_purchase_order_pdf

        return pdf_file_name(order), render_purchase_order_pdf(order)

    def build_message(
        self, order: OutboundOrder, config: ChannelConfig, envelope: DispatchEnvelope, pdf: bytes
    ) -> EmailMessage:
        """The e-mail as it will be sent: same Message-ID, Date and MIME boundary on every try."""
        settings = config.settings
        values = template_values(order)
        subject = Template(str(settings.get("subject_template") or DEFAULT_SUBJECT)).safe_substitute(values)
        body = Template(str(settings.get("body_template") or DEFAULT_BODY)).safe_substitute(values)
        message = EmailMessage(policy=policy.SMTP)
        message["From"] = str(settings["from_address"])
        message["To"] = ", ".join(recipients_of(config))
        message["Reply-To"] = Address(
            display_name=" ".join(order.buyer_name.split()), addr_spec=_reply_to(order, config)
        )
        message["Subject"] = " ".join(subject.split())  # one line, whatever the order's texts hold
        message["Date"] = format_datetime(envelope.timestamp)
        message["Message-ID"] = envelope.message_id
        message.set_content(body, cte="quoted-printable")
        message.add_attachment(pdf, maintype="application", subtype="pdf", filename=pdf_file_name(order))
        # "=_" never occurs in base64 or quoted-printable text, so this boundary cannot clash with the content.
        message.set_boundary("=_ocilink_" + hashlib.sha256(envelope.message_id.encode()).hexdigest()[:24])
        return message

    def send(self, order: OutboundOrder, config: ChannelConfig, envelope: DispatchEnvelope) -> DispatchResult:
        problems = self.validate(config)
        if not _ADDRESS.match(_reply_to(order, config)):
            problems.append(f"The buyer's e-mail address {_reply_to(order, config)!r} is not a valid e-mail address.")
        if problems:
            raise PermanentDispatchError(" ".join(problems) + " The order was not sent.")
        document_name, pdf = self.build_document(order, config, envelope)
        data = self.build_message(order, config, envelope, pdf).as_bytes()
        server = smtp_server(config)
        recipients = recipients_of(config)
        sender = parseaddr(str(config.settings["from_address"]))[1]
        evidence: dict[str, Any] = {
            "message_id": envelope.message_id,
            "recipients": recipients,
            "size": len(data),
            "smtp_server": server.address,
        }
        try:
            reply = self._send_mail(server, sender=sender, recipients=recipients, message=data)
        except smtp.SmtpError as error:
            raise _failure(
                error, server=server, sender=sender, config=config, request=data, evidence=evidence
            ) from error
        evidence.update(smtp_code=reply.code, smtp_text=reply.text)
        return DispatchResult(
            summary=(
                f"The mail server {server.address} accepted the order e-mail to {', '.join(recipients)} ({reply}); "
                "the supplier has not confirmed receipt."
            ),
            request=data,
            response=str(reply).encode(),
            evidence=evidence,
            document_name=document_name,
            document=pdf,
        )

    def check(self, config: ChannelConfig) -> str:
        """Log in to the mail server and offer the recipients, then reset: nothing is sent."""
        problems = self.validate(config)
        if problems:
            raise PermanentDispatchError(" ".join(problems))
        server = smtp_server(config)
        recipients = recipients_of(config)
        sender = parseaddr(str(config.settings["from_address"]))[1]
        try:
            reply = self._probe_mail(server, sender=sender, recipients=recipients)
        except smtp.SmtpError as error:
            raise _failure(error, server=server, sender=sender, config=config, request=b"", evidence={}) from error
        login = f", logged in as {server.username}" if server.username else ""
        return (
            f"Connected to the mail server {server.address}{login}, and it accepted the recipients "
            f"{', '.join(recipients)} ({reply}). No e-mail was sent."
        )


def recipients_of(config: ChannelConfig) -> list[str]:
    """The configured recipients: a list, or one string separated by commas, semicolons or white space."""
    raw = config.settings.get("recipients") or []
    items: Sequence[object] = re.split(r"[,;\s]+", raw) if isinstance(raw, str) else raw
    return [str(item).strip() for item in items if str(item).strip()]


def smtp_server(config: ChannelConfig) -> smtp.SmtpServer:
    settings = config.settings
    use_ssl = _flag(settings.get("smtp_ssl", False))
    total = send_timeout(config)
    return smtp.SmtpServer(
        host=str(settings["smtp_host"]),
        port=int(settings.get("smtp_port") or (465 if use_ssl else 587)),
        starttls=_flag(settings.get("smtp_starttls", True)) and not use_ssl,
        ssl=use_ssl,
        timeout=min(float(settings.get("smtp_timeout") or 30), total),
        username=config.secrets.get("smtp_username") or None,
        password=config.secrets.get("smtp_password") or None,
        total_timeout=total,
    )


def template_values(order: OutboundOrder) -> dict[str, str]:
    return {
        "order_number": order.order_number,
        "buyer_organization": order.buyer_organization,
        "buyer_name": order.buyer_name,
        "supplier_name": order.supplier_name,
        "total": _amount(order.total),
        "currency": order.currency,
        "reference": order.reference or "-",
    }


def pdf_file_name(order: OutboundOrder) -> str:
    return f"{_UNSAFE_FILE_CHARACTERS.sub('-', order.order_number)}.pdf"


def _failure(
    error: smtp.SmtpError,
    *,
    server: smtp.SmtpServer,
    sender: str,
    config: ChannelConfig,
    request: bytes,
    evidence: dict[str, Any],
) -> DispatchError:
    evidence = {**evidence, "smtp_stage": error.stage, "smtp_code": error.code, "smtp_text": error.text}
    reply = error.reply
    where = f"the mail server {server.address}"
    if error.certificate:
        message = (
            f"The mail server {server.address} presented a TLS certificate that cannot be trusted ({error.text}). "
            "Check the platform's mail server settings; the order was not sent."
        )
    elif error.code is None and error.stage == "data":
        message = (
            f"The connection to {where} broke off while the order e-mail was handed over ({reply}), so it may or "
            "may not have been accepted. It will be sent again later with the same Message-ID."
        )
    elif error.code is None:
        message = f"Could not reach {where} ({reply}). The order was not sent; it will be sent again later."
    elif error.transient and error.stage == "rcpt":
        message = (
            f"{_capital(where)} did not accept the recipient {error.recipient} for now: {reply}. "
            "The order was not sent; it will be sent again later."
        )
    elif error.transient:
        message = f"{_capital(where)} asked to try again later: {reply}. The order will be sent again later."
    elif error.stage == "auth":
        message = (
            f"{_capital(where)} refused the login of {server.username}: {reply}. "
            "Check the user name and password of the platform's mail settings; the order was not sent."
        )
    elif error.stage == "rcpt":
        message = (
            f"{_capital(where)} refused the recipient {error.recipient}: {reply}. "
            f"Check the e-mail addresses of connection {connection_name(config)}; the order was not sent."
        )
    elif error.stage == "mail":
        message = (
            f"{_capital(where)} refused the sender address {sender}: {reply}. "
            "Check the platform's sender address; the order was not sent."
        )
    elif error.stage == "data":
        message = f"{_capital(where)} refused the order e-mail: {reply}. The order was not sent."
    else:
        message = (
            f"{_capital(where)} refused the connection: {reply}. "
            "Check the platform's mail server settings; the order was not sent."
        )
    kind = TransientDispatchError if error.transient else PermanentDispatchError
    return kind(message, request=request, response=reply.encode(), evidence=evidence)


def _reply_to(order: OutboundOrder, config: ChannelConfig) -> str:
    return str(config.settings.get("reply_to") or order.buyer_email)


def _amount(value: Decimal) -> str:
    return f"{value:,.2f}"


def _flag(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
