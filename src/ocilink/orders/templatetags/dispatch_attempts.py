"""How the order page shows one try of a dispatch: in the reader's language, and split between customer and staff.

A channel names its message with a code and parameters (kept in the attempt's evidence); this module says it in the
reader's language, and falls back to the English sentence the attempt recorded. The technical detail of a failed
connection (the libraries' own words, how long it took) tells what is behind a port, so only the platform's staff see
it; everyone else reads the one sentence for "could not connect".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ocilink.accounts.permissions import is_platform_staff
from ocilink.dispatch.exceptions import MESSAGE_CODE, MESSAGE_PARAMS, TECHNICAL
from ocilink.orders.models import DispatchAttempt
from ocilink.orders.states import AttemptOutcome

register = template.Library()

_UNKNOWN_OUTCOME = gettext_lazy(
    "the order may or may not have arrived. It will be sent again later with the same payloadID, so the supplier can "
    "recognise the repeat."
)
# One sentence per code; the parameters are the channel's (see dispatch/channels/). Texts with an outcome clause
# take it as %(unknown)s.
MESSAGES = {
    "private_target": gettext_lazy(
        "The order URL of connection %(connection)s points to an address inside a private network (%(shown)s). "
        "ocilink does not send orders there: check the order URL with the supplier. If their server really is on a "
        "private network, ask the platform's operator to allow that network. The order was not sent."
    ),
    "private_target_sftp": gettext_lazy(
        "The SFTP server of connection %(connection)s is at an address inside a private network (%(shown)s). "
        "ocilink does not send orders there: check the server address with the supplier. If their server really is "
        "on a private network, ask the platform's operator to allow that network. Nothing was uploaded."
    ),
    "connect_failed": gettext_lazy(
        "Could not connect to the supplier's server at %(host)s. The order was not sent; it will be sent again later. "
        "If this goes on, check the order URL of connection %(connection)s with the supplier."
    ),
    "connect_failed_sftp": gettext_lazy(
        "Could not connect to the SFTP server %(host)s:%(port)s. Nothing was uploaded; the order will be sent again "
        "later under the same name. If this goes on, check the server address and port of connection "
        "%(connection)s with the supplier."
    ),
    "no_answer": gettext_lazy(
        "The supplier's server at %(host)s did not answer within %(seconds)s seconds; %(unknown)s"
    ),
    "connection_lost": gettext_lazy(
        "The supplier's server at %(host)s closed the connection without answering; %(unknown)s"
    ),
    "invalid_http": gettext_lazy(
        "The supplier's server at %(host)s sent an answer that is not valid HTTP; %(unknown)s"
    ),
    "not_cxml": gettext_lazy(
        "The supplier's server answered HTTP %(http_status)s with %(content)s instead of a cXML Response. It may "
        "have taken the order: check with the supplier whether it arrived before you send it again."
    ),
    "login_cut_off": gettext_lazy(
        "The SFTP server %(host)s closed the connection while logging in, before it accepted or refused the login. "
        "Nothing was uploaded; the order will be sent again later under the same name."
    ),
    "upload_cut_off": gettext_lazy(
        "The connection to the SFTP server %(host)s:%(port)s broke off during the upload. The supplier never sees a "
        "partial file under the final name. It will be sent again later under the same name."
    ),
    "login_refused": gettext_lazy(
        "The SFTP server %(host)s refused the login of user %(username)s. Check the password or private key of "
        "connection %(connection)s. Nothing was uploaded."
    ),
    "host_key_mismatch": gettext_lazy(
        "The SFTP server %(host)s presented host key %(presented)s but the connection expects %(expected)s. Nothing "
        "was uploaded. If the supplier changed its server key, confirm the new fingerprint with them and update "
        "connection %(connection)s."
    ),
}


@dataclass(frozen=True)
class AttemptView:
    """What the page shows of one attempt to the person reading it."""

    text: str
    answer: dict[str, Any] | None = None  # an answer that is not cXML: content type, size, its start
    evidence: list[tuple[str, Any]] = field(default_factory=list)
    technical: list[tuple[str, Any]] = field(default_factory=list)  # platform staff only
    show_duration: bool = True


@register.simple_tag(takes_context=True)
def attempt_view(context: template.Context, attempt: DispatchAttempt) -> AttemptView:
    request = context.get("request")
    staff = is_platform_staff(user=getattr(request, "user", None))
    evidence = dict(attempt.evidence or {})
    code = str(evidence.pop(MESSAGE_CODE, "") or "")
    params = evidence.pop(MESSAGE_PARAMS, None)
    technical = evidence.pop(TECHNICAL, None)
    params = dict(params) if isinstance(params, dict) else {}
    return AttemptView(
        text=_message(code, params) or attempt.message,
        answer=_answer(params) if code == "not_cxml" else None,
        evidence=list(evidence.items()),
        technical=list(technical.items()) if staff and isinstance(technical, dict) else [],
        # How long a failed try took tells a refused connection from a silent one: staff only.
        show_duration=staff or attempt.outcome == AttemptOutcome.SENT,
    )


def _message(code: str, params: dict[str, Any]) -> str:
    text = MESSAGES.get(code)
    if text is None:
        return ""
    values = {**params, "unknown": _UNKNOWN_OUTCOME}
    if code.startswith("private_target"):
        host, address = str(params.get("host", "")), str(params.get("address", ""))
        values["shown"] = address if host == address else f"{host}: {address}"
    if code == "not_cxml":
        values["content"] = _content(params)
    if "seconds" in params:
        values["seconds"] = f"{float(params['seconds']):g}"
    try:
        return str(text) % values
    except (KeyError, TypeError, ValueError):  # a record from an older version: its English sentence will do
        return ""


def _content(params: dict[str, Any]) -> str:
    size = int(params.get("size") or 0)
    content_type = str(params.get("content_type") or "") or _("no content type")
    if params.get("truncated"):
        amount = ngettext("more than %(size)d byte", "more than %(size)d bytes", size) % {"size": size}
    else:
        amount = ngettext("%(size)d byte", "%(size)d bytes", size) % {"size": size}
    return f"{content_type} ({amount})"


def _answer(params: dict[str, Any]) -> dict[str, Any]:
    return {
        "http_status": params.get("http_status"),
        "content_type": params.get("content_type") or "",
        "size": params.get("size"),
        "excerpt": str(params.get("excerpt") or ""),
    }
