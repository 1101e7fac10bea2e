"""Tell people when an order could not be placed: the organization's administrators and the buyer."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.translation import gettext as _

from ocilink.accounts.models import Membership, Role

from .models import Dispatch

logger = logging.getLogger(__name__)


def notify_dispatch_failed(*, dispatch_id: int) -> None:
    dispatch = Dispatch.objects.select_related("purchase_order__buyer", "purchase_order__supplier").get(pk=dispatch_id)
    purchase_order = dispatch.purchase_order
    recipients = set(
        Membership.objects.filter(organization_id=dispatch.organization_id, role=Role.ADMINISTRATOR)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    if purchase_order.buyer.email:
        recipients.add(purchase_order.buyer.email)
    if not recipients:
        logger.warning("Order %s failed and nobody has an e-mail address to be told", purchase_order.number)
        return
    link = settings.OCILINK_BASE_URL.rstrip("/") + reverse("orders:detail", args=[purchase_order.pk])
    subject = _("Order %(number)s to %(supplier)s could not be placed") % {
        "number": purchase_order.number,
        "supplier": purchase_order.supplier.name,
    }
    body = _(
        "Order %(number)s to %(supplier)s could not be placed.\n\n%(reason)s\n\n"
        "Open the order to retry it, place it by phone, or cancel it:\n%(link)s\n"
    ) % {
        "number": purchase_order.number,
        "supplier": purchase_order.supplier.name,
        "reason": dispatch.last_error,
        "link": link,
    }
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, sorted(recipients))
    except OSError:
        logger.exception("Could not send the failure notice of order %s", purchase_order.number)
