"""E-mail about connection requests: to platform staff when it is their turn, to administrators on activation.

Called after commit (``transaction.on_commit``), with ids, so a rolled-back change never sends anything. A mail
server that is down is logged and does not undo the change.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.translation import gettext as _

from ocilink.accounts.models import Membership, PlatformRole, PlatformStaff, Role
from ocilink.connections.models import Connection

from .models import ConnectionRequest, RequestStep
from .parties import who_acts

logger = logging.getLogger(__name__)


def _link(name: str, pk: int) -> str:
    return settings.OCILINK_BASE_URL.rstrip("/") + reverse(name, args=[pk])


def _staff_emails(role: str) -> list[str]:
    return sorted(
        set(PlatformStaff.objects.filter(role=role).exclude(user__email="").values_list("user__email", flat=True))
    )


def _administrator_emails(organization_id: int) -> list[str]:
    return sorted(
        set(
            Membership.objects.filter(organization_id=organization_id, role=Role.ADMINISTRATOR)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )


def _send(subject: str, body: str, recipients: list[str], what: str) -> None:
    if not recipients:
        logger.warning("Nobody with an e-mail address to tell about %s", what)
        return
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    except OSError:
        logger.exception("Could not send the e-mail about %s", what)


def notify_request_created(*, request_id: int) -> None:
    """A new request: to the consultants during an implementation (scenarios 1, 2), else to support (3, 4)."""
    request = ConnectionRequest.objects.select_related("organization").get(pk=request_id)
    role = PlatformRole.CONSULTANT if request.scenario in (1, 2) else PlatformRole.SUPPORT
    subject = _("New connection request: %(supplier)s for %(organization)s") % {
        "supplier": request.supplier_name,
        "organization": request.organization.name,
    }
    body = _(
        "%(organization)s requests a connection to %(supplier)s (scenario %(scenario)s: %(title)s).\n\n"
        "Open the request:\n%(link)s\n"
    ) % {
        "organization": request.organization.name,
        "supplier": request.supplier_name,
        "scenario": request.scenario,
        "title": request.plan.title,
        "link": _link("onboarding:staff_open", request.pk),
    }
    _send(subject, body, _staff_emails(role), f"connection request {request.pk}")


def notify_platform_turn(*, request_id: int, step_id: int) -> None:
    """The next open step belongs to the consultants or to support: tell them."""
    step = RequestStep.objects.select_related("request__organization").get(pk=step_id, request_id=request_id)
    request = step.request
    role = PlatformRole.CONSULTANT if step.party == "consultant" else PlatformRole.SUPPORT
    subject = _("Your turn: %(step)s (%(supplier)s for %(organization)s)") % {
        "step": step.display_title,
        "supplier": request.supplier_name,
        "organization": request.organization.name,
    }
    body = _(
        "The connection request of %(organization)s for %(supplier)s waits for %(who)s:\n\n"
        "%(position)s. %(step)s\n%(description)s\n\nOpen the request:\n%(link)s\n"
    ) % {
        "organization": request.organization.name,
        "supplier": request.supplier_name,
        "who": who_acts(step.party),
        "position": step.position,
        "step": step.display_title,
        "description": step.display_description,
        "link": _link("onboarding:staff_open", request.pk),
    }
    _send(subject, body, _staff_emails(role), f"step {step.pk} of connection request {request.pk}")


def notify_connection_activated(*, connection_id: int) -> None:
    """Tell the organization's administrators that the connection can now be used."""
    connection = Connection.objects.select_related("organization").get(pk=connection_id)
    request = ConnectionRequest.objects.filter(connection=connection).order_by("-pk").first()
    subject = _("The connection to %(name)s is active") % {"name": connection.name}
    body = _(
        "The OCI connection to %(name)s is active for %(organization)s. It can now be chosen as the external "
        "connection of a supplier (Suppliers).\n"
    ) % {"name": connection.name, "organization": connection.organization.name}
    if request is not None:
        body += "\n" + _("Next steps of the request:\n%(link)s\n") % {"link": _link("onboarding:detail", request.pk)}
    _send(subject, body, _administrator_emails(connection.organization_id), f"activation of connection {connection.pk}")
