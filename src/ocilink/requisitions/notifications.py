"""E-mail about approval: approvers when a step starts waiting for them, the requester when the request is decided.

The services call these through ``transaction.on_commit``, so a decision that rolls back mails nobody. Each
recipient gets a message of their own. A mail server that is down is logged, never raised: the decision stands and
the request page shows the same facts.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.urls import reverse
from django.utils.translation import gettext as _

from ocilink.accounts.models import Membership

from .approval import ORGANIZATION_CURRENCY, approval_amount, current_level
from .models import ApprovalStep, OrderRequest
from .states import OrderRequestStatus

logger = logging.getLogger(__name__)


def _url(name: str, *args: object) -> str:
    return settings.OCILINK_BASE_URL.rstrip("/") + reverse(name, args=args)


def _person(user: Any) -> str:
    return user.get_full_name() or user.get_username()


def _send(subject: str, body: str, recipients: list[str], order_request_id: int) -> None:
    if not recipients:
        logger.warning("Order request %s: nobody with an e-mail address to tell", order_request_id)
        return
    messages = [EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [address]) for address in recipients]
    try:
        get_connection().send_messages(messages)
    except OSError:
        logger.exception("Could not send the approval e-mail of order request %s", order_request_id)


def approver_addresses(*, order_request: OrderRequest) -> list[str]:
    """The e-mail addresses of everyone who may decide a step of the current level (never the requester)."""
    pending = list(order_request.approval_steps.filter(status=ApprovalStep.Status.PENDING))
    level = current_level(pending)
    steps = [step for step in pending if step.level == level]
    members = Membership.objects.filter(organization_id=order_request.organization_id).exclude(
        user_id=order_request.requester_id
    )
    user_ids = {step.approver_id for step in steps if step.approver_id}
    roles = {step.approver_role for step in steps if step.approver_role}
    addresses = set(
        members.filter(user_id__in=user_ids).exclude(user__email="").values_list("user__email", flat=True)
    ) | set(members.filter(role__in=roles).exclude(user__email="").values_list("user__email", flat=True))
    return sorted(addresses)


def notify_approvers(*, order_request_id: int) -> None:
    """Tell the approvers of the current level that a request waits for them."""
    order_request = OrderRequest.objects.select_related("requester").get(pk=order_request_id)
    if order_request.status != OrderRequestStatus.SUBMITTED:
        return  # decided or withdrawn before this ran
    amount = approval_amount(order_request.lines.only("unit_price", "quantity", "price_unit", "currency"))
    subject = _("Order request #%(number)s from %(requester)s waits for your approval") % {
        "number": order_request.pk,
        "requester": _person(order_request.requester),
    }
    body = _(
        "Order request #%(number)s from %(requester)s (%(currency)s %(amount)s) waits for your approval.\n\n"
        "Open it to see its lines and approve or reject it:\n%(link)s\n\n"
        "Everything waiting for your approval:\n%(waiting)s\n"
    ) % {
        "number": order_request.pk,
        "requester": _person(order_request.requester),
        "currency": ORGANIZATION_CURRENCY,
        "amount": amount.amount,
        "link": _url("requisitions:request_detail", order_request.pk),
        "waiting": _url("requisitions:waiting"),
    }
    _send(subject, body, approver_addresses(order_request=order_request), order_request.pk)


def notify_requester(*, order_request_id: int) -> None:
    """Tell the requester that their request was approved (and ordered) or rejected, and why."""
    order_request = OrderRequest.objects.select_related("requester").get(pk=order_request_id)
    link = _url("requisitions:request_detail", order_request.pk)
    if order_request.status == OrderRequestStatus.APPROVED:
        numbers = ", ".join(order_request.purchase_orders.order_by("number").values_list("number", flat=True))
        subject = _("Your order request #%(number)s was approved") % {"number": order_request.pk}
        body = _("Your order request #%(number)s was approved and ordered: %(orders)s.\n\n%(link)s\n") % {
            "number": order_request.pk,
            "orders": numbers,
            "link": link,
        }
    elif order_request.status == OrderRequestStatus.REJECTED:
        step = (
            order_request.approval_steps.filter(status=ApprovalStep.Status.REJECTED)
            .select_related("decided_by")
            .order_by("-decided_at", "-pk")
            .first()
        )
        who = _person(step.decided_by) if step and step.decided_by else _("an approver")
        subject = _("Your order request #%(number)s was rejected") % {"number": order_request.pk}
        body = _(
            "Your order request #%(number)s was rejected by %(approver)s:\n\n%(comment)s\n\n"
            "To change it and submit it again, open it and press “Withdraw to edit”:\n%(link)s\n"
        ) % {"number": order_request.pk, "approver": who, "comment": step.comment if step else "", "link": link}
    else:
        return  # withdrawn again before this ran
    address = order_request.requester.email
    _send(subject, body, [address] if address else [], order_request.pk)
