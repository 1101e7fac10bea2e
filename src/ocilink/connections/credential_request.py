"""The credential request e-mail of the source document, in Dutch and in English.

The organization's administrator asks the supplier's contact for the OCI account (username and password, and the
URL to log in), the way orders must be placed (e-mail with PDF, HTTPS with cXML, SFTP with cXML, and what the
supplier must give for each) and, per delivery address, the accounts and the customer numbers, debtor numbers and
location codes. The delivery-address sheet (``address_sheet``) goes with it as an attachment.

The texts are content, not interface: they are written out per language in the templates
``connections/credential_request_email_<language>.txt`` and ``..._subject_<language>.txt``, and the language is the
one the administrator chose for the supplier, not the one of the administrator's screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string

from ocilink.accounts.audit import audit_log
from ocilink.accounts.models import Organization

from .address_sheet import CONTENT_TYPE, address_sheet_build, sheet_file_name
from .models import Connection

LANGUAGES = (("nl", "Nederlands"), ("en", "English"))


@dataclass(frozen=True)
class CredentialRequestEmail:
    """A written credential request, ready to preview or to send."""

    language: str
    subject: str
    body: str
    attachment_name: str = ""
    attachment: bytes = b""


def credential_request_compose(
    *,
    organization: Organization,
    language: str,
    contact_name: str = "",
    debtor_number: str = "",
    coc_number: str = "",
    sender_name: str = "",
    attach_sheet: bool = True,
    guide_url: str = "",
) -> CredentialRequestEmail:
    """Write the e-mail for ``organization`` in ``language`` ("nl" or "en").

    ``debtor_number`` (the organization's number at the supplier) and ``coc_number`` (its chamber of commerce
    number) identify the organization to the supplier; either or both may be empty. With ``attach_sheet`` the
    delivery-address sheet is attached and the text refers to it. ``guide_url`` adds the link to the supplier
    integration guide.
    """
    if language not in dict(LANGUAGES):
        raise ValueError(f"Unknown language {language!r}; choose nl or en.")
    attachment_name = sheet_file_name(organization=organization, language=language) if attach_sheet else ""
    context = {
        "organization": organization.name,
        "contact_name": contact_name.strip(),
        "debtor_number": debtor_number.strip(),
        "coc_number": coc_number.strip(),
        "sender_name": sender_name.strip(),
        "attachment_name": attachment_name,
        "guide_url": guide_url,
    }
    subject = " ".join(render_to_string(f"connections/credential_request_subject_{language}.txt", context).split())
    body = render_to_string(f"connections/credential_request_email_{language}.txt", context).strip() + "\n"
    attachment = address_sheet_build(organization=organization, language=language) if attach_sheet else b""
    return CredentialRequestEmail(
        language=language, subject=subject, body=body, attachment_name=attachment_name, attachment=attachment
    )


def credential_request_send(
    *,
    connection: Connection,
    email: CredentialRequestEmail,
    to: str,
    reply_to: str,
    cc: str = "",
    actor: Any = None,
) -> None:
    """Send the written request to the supplier's contact; replies go to ``reply_to`` (the administrator).

    Raises whatever the mail backend raises (``OSError``, ``smtplib.SMTPException``) when it cannot be sent.
    """
    message = EmailMessage(
        subject=email.subject,
        body=email.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        cc=[cc] if cc else [],
        reply_to=[reply_to],
    )
    if email.attachment:
        message.attach(email.attachment_name, email.attachment, CONTENT_TYPE)
    message.send(fail_silently=False)
    if actor is not None:
        audit_log(
            organization=connection.organization,
            actor=actor,
            action="credential_request.sent",
            obj=connection,
            summary=f"Credential request for {connection.name} sent to {to} ({email.language}).",
        )
