"""The rows of a request's page, one per line, with what is the same on every row built once per page.

A request holds up to ``PUNCHOUT_MAX_LINES`` lines (2,000 by default). Rendered by the template engine (some forty
tags and variables a row, a translated sentence with five values for each line whose price differs from the last
approved order, the return's time formatted again on every line), 2,000 lines took more than three times as long as
the cart page's 2,000. As on the cart page (``cart_lines``), the labels are translated once, and what lines share
(their supplier, connection, cart return, account) is rendered once per page; each row is then one format string
filled with the line's values, each localised and escaped as a template variable would be. The HTML is the same as
the template's was.

``{% request_line_rows detail.lines user.is_staff %}`` renders the rows; ``user.is_staff`` links a line's cart
return to its staff page.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from django import template
from django.template.defaultfilters import date
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]  # not in django-stubs
from django.utils.translation import gettext as _

from .cart_lines import LocalNumbers

register = template.Library()

_ROW = """
  <tr data-line="{pk}"{flagged}>
    <td>{position}</td>
    <td class="origin small">{supplier}
      {connection}
      {origin}
    </td>
    <td>{vendormat}{account}</td>
    <td class="description">{description}
      {longtext}
      {warnings}
      {missing_price}
      {zero_price}
      {price_differs}
    </td>
    <td class="num">{quantity} {unit}</td>
    <td class="num">{price}</td>
    <td class="num">{amount}</td>
  </tr>
  """


class RequestLineRows:
    """What every row of one request page shares, built once; ``row(view)`` per line (a ``LineView``)."""

    def __init__(self, context: template.Context, *, staff: bool) -> None:
        self.context = context
        self.staff = staff
        self.number = LocalNumbers(context)
        self.value = self.number.shown  # a value as ``{{ value }}`` renders it: localised (numbers) and escaped
        self.shared = self.number.shared
        # Translated once; escaped as {% translate %} escapes. A {% blocktranslate %} sentence keeps its
        # placeholders and is not escaped itself, only the values put in.
        self.not_from_punchout = html.escape(_("not from a punchout"))
        self.no_price = html.escape(_("No price: the webshop sent none."))
        self.zero_price = html.escape(_("The price is 0."))
        self.via = _("via %(name)s")
        self.booked_to = _("booked to %(account)s")
        self.price_differs = _(
            "The price differs from the last approved order of this article (request #%(number)s): "
            "%(then_currency)s %(then)s per unit then, %(now_currency)s %(now)s now."
        )
        # What lines share, rendered once per page: by connection, cart return and account (and texts: ``shared``).
        self.connections: dict[int, str] = {}
        self.origins: dict[int, str] = {}
        self.accounts: dict[int, str] = {}

    def row(self, view: Any) -> str:
        line = view.line
        value, shared = self.value, self.shared
        return _ROW.format(
            pk=value(line.pk),
            flagged=' class="flagged"' if view.flagged else "",
            position=value(line.position),
            supplier=shared(line.supplier_name),
            connection=self._connection(line),
            origin=self._origin(line),
            vendormat=value(line.vendormat),
            account=self._account(line),
            description=value(line.description),
            longtext=f'<div class="longtext">{value(line.longtext)}</div>' if line.longtext else "",
            warnings="".join(f'<div class="warning small">{value(warning)}</div>' for warning in line.warnings),
            missing_price=(
                f'<div class="warning flag" data-flag="missing_price">{self.no_price}</div>'
                if view.missing_price
                else ""
            ),
            zero_price=(
                f'<div class="warning flag" data-flag="zero_price">{self.zero_price}</div>' if view.zero_price else ""
            ),
            price_differs=self._price_differs(view) if view.price_differs else "",
            quantity=value(line.quantity.normalize()),
            unit=shared(line.unit),
            price=self._price(line),
            amount=self._amount(line),
        )

    def _connection(self, line: Any) -> str:
        if line.connection_id is None:
            return ""
        shown = self.connections.get(line.connection_id)
        if shown is None:
            name = self.via % {"name": self.value(line.connection_name)}
            shown = self.connections[line.connection_id] = f'<div class="muted">{name}</div>'
        return shown

    def _origin(self, line: Any) -> str:
        """The line's cart return (its reference, linked for staff, and when it came), or that it has none."""
        if line.cart_return_id is None:
            return f'<div class="muted">{self.not_from_punchout}</div>'
        shown = self.origins.get(line.cart_return_id)
        if shown is None:
            reference = self.value(line.cart_return_reference)
            if self.staff:
                url = html.escape(reverse("punchout:return_detail", args=[line.cart_return_reference]))
                reference = f'<a href="{url}">{reference}</a>'
            received = date(template_localtime(line.cart_return_received_at, self.context.use_tz), "Y-m-d H:i")
            shown = self.origins[line.cart_return_id] = (
                f'<div class="muted">{reference} · {self.value(received)}</div>\n      '
            )
        return shown

    def _account(self, line: Any) -> str:
        if line.ledger_account is None:
            return ""
        shown = self.accounts.get(line.ledger_account_id)
        if shown is None:
            booked = self.booked_to % {"account": self.value(str(line.ledger_account))}
            shown = self.accounts[line.ledger_account_id] = f'<div class="muted small">{booked}</div>'
        return shown

    def _price_differs(self, view: Any) -> str:
        number = self.number
        sentence = self.price_differs % {
            "then_currency": self.shared(view.last.currency),
            "then": number.fixed(view.last.per_unit, 4),
            "now_currency": self.shared(view.line.currency),
            "now": number.fixed(view.per_unit, 4),
            "number": self.value(view.last.order_request_id),
        }
        return f'<div class="warning flag" data-flag="price_differs">{sentence}</div>'

    def _price(self, line: Any) -> str:
        if line.unit_price is None:
            return ""
        price = f"{self.shared(line.currency)} {self.value(line.unit_price.normalize())}"
        if line.price_unit != 1:
            price += f" / {self.value(line.price_unit.normalize())}"
        return price

    def _amount(self, line: Any) -> str:
        amount = line.net_amount
        if amount is None:
            return ""
        return f"{self.shared(line.currency)} {self.value(amount)}"


@register.simple_tag(takes_context=True)
def request_line_rows(context: template.Context, lines: Iterable[Any], staff: bool) -> SafeString:
    """``{% request_line_rows detail.lines user.is_staff %}``: the request page's table rows, one per line."""
    rows = RequestLineRows(context, staff=bool(staff))
    return mark_safe("".join(rows.row(view) for view in lines))  # each part escaped above
