"""The rows of the cart page, one per line, with what is the same on every row built once per page.

A cart may hold ``PUNCHOUT_MAX_LINES`` lines (2,000 by default), each with three forms and a select of the
organization's ledger accounts. Rendered by the template engine (some forty tags and variables a row, the account
snippet included and its options rendered again for every line), 2,000 lines with 50 accounts took about 0.9 s of
CPU, four times a bare SELECT and template of the same lines. Here the labels are translated, the CSRF field
rendered, the three URLs reversed and the account options rendered once per page; each row is then one format
string filled with the line's values, each localised and escaped as a template variable would be
(``render_value_in_context``): about 0.07 s for the same rows. The HTML is the same as the template's was.

``{% cart_line_rows cart.lines ledger %}`` renders the rows of the cart page; ``{% line_account_cell line ledger %}``
one line's ledger account (``requisitions/_line_account.html``). Both keep what they build once in the render
context, as ``{% include %}`` keeps its templates, so it lives as long as one render.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from decimal import Context as DecimalContext
from typing import Any

from django import template
from django.conf import settings
from django.template.base import render_value_in_context
from django.template.defaultfilters import floatformat
from django.template.defaulttags import CsrfTokenNode
from django.urls import reverse
from django.utils.formats import get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()

# Stands in for a line's id while a URL is reversed once; the URL is then split around it.
_SENTINEL = 918273645
# Enough digits for 20 before the point and 8 after it: rounding to places is then exact, as in the filter.
_FIXED = DecimalContext(prec=30)

_ROW = """
  <tr data-line="{pk}">
    <td>{supplier}</td>
    <td>{vendormat}</td>
    <td class="description">{description}
      {longtext}
      {warnings}
      {origin}
    </td>
    <td class="num">
      <form method="post" action="{update_url}" class="inline">{csrf}
        <input class="qty" name="quantity" value="{quantity}" inputmode="decimal" aria-label="{quantity_label}">
        <button class="secondary" type="submit">{update_label}</button>
      </form>
    </td>
    <td>{unit}</td>
    <td class="num price">{price}</td>
    <td class="num amount">{amount}</td>
    <td class="ledger">{ledger}</td>
    <td><form method="post" action="{remove_url}" class="inline">{csrf}<button class="link" type="submit">{remove_label}</button></form></td>
  </tr>
  """  # noqa: E501 - one row of HTML as the browser gets it

_ACCOUNT_FORM = """
  <form method="post" action="{url}" class="inline">{csrf}
    <select name="account" aria-label="{label}">
      {placeholder}
      {options}
    </select>
    <button class="secondary" type="submit">{change}</button>
  </form>
"""


class AccountOptions:
    """The ``<option>``s of a ledger account select, rendered once; each line then marks its own account."""

    def __init__(self, accounts: Iterable[Any]) -> None:
        parts: list[str] = []
        self._selected_at: dict[Any, int] = {}
        size = 0
        for account in accounts:
            head = f'<option value="{html.escape(str(account.pk))}"'
            self._selected_at[account.pk] = size + len(head)
            part = f"{head}>{html.escape(str(account.code))} {html.escape(str(account.name))}</option>"
            parts.append(part)
            size += len(part)
        self._html = "".join(parts)

    def html(self, selected: Any) -> str:
        """The options with the account ``selected`` (its id) marked, if it is one of them; built from escaped parts
        (a plain string: it goes into a row, and each copy of some 50 options a line counts on a page of 2,000)."""
        at = self._selected_at.get(selected)
        if at is None:
            return self._html
        return self._html[:at] + " selected" + self._html[at:]


class LocalNumbers:
    """Numbers as ``{{ value }}`` shows them (``django.utils.formats.localize``), with the locale's format looked up
    once per page instead of once per number: five numbers a row were half the rows' time.

    Without digit grouping (``USE_THOUSAND_SEPARATOR`` off, as in ocilink), ``localize`` writes an int as is and a
    Decimal in fixed-point notation with the locale's decimal separator; that is done here. Anything else (grouping
    on, localisation off, other types, very long Decimals) goes through Django itself.
    """

    def __init__(self, context: template.Context) -> None:
        self.context = context
        self.grouping = settings.USE_THOUSAND_SEPARATOR and get_format("NUMBER_GROUPING") != 0
        self.fast = context.use_l10n is not False and not self.grouping
        self.decimal_separator = get_format("DECIMAL_SEPARATOR")
        # A number is digits, a minus and this separator: it needs escaping only if the separator does (none does).
        self.plain_numbers = html.escape(self.decimal_separator) == self.decimal_separator
        self.texts: dict[str, str] = {}

    def __call__(self, value: Any) -> str:
        if self.fast:
            if type(value) is int:
                return str(value)
            if type(value) is Decimal and value.is_finite():
                _sign, digits, exponent = value.as_tuple()
                if abs(int(exponent)) + len(digits) <= 200:  # beyond it Django switches to scientific notation
                    number = f"{value:f}".replace(".", self.decimal_separator)
                    return number if self.plain_numbers else html.escape(number)
        return render_value_in_context(value, self.context)

    def shown(self, value: Any) -> str:
        """Any value as ``{{ value }}`` shows it: text escaped (most values; the same as Django's ``escape``),
        numbers as above, anything else through Django."""
        if type(value) is str:
            return html.escape(value)
        return self(value)

    def shared(self, text: str) -> str:
        """A text that many lines share (a unit, a currency, a supplier's name) escaped once per page."""
        shown = self.texts.get(text)
        if shown is None:
            shown = self.texts[text] = self.shown(text)
        return shown

    def fixed(self, value: Any, places: int) -> str:
        """``{{ value|floatformat:places }}``: rounded half up to ``places`` decimals, written with the locale's
        decimal separator and without a minus for a value that rounds to zero. Done here for a Decimal of at most
        20 digits before the point without digit grouping; anything else goes through the filter itself."""
        if not self.grouping and type(value) is Decimal and value.is_finite() and 0 < places <= 8:
            _sign, digits, exponent = value.as_tuple()
            if value.adjusted() < 20 and len(digits) + abs(int(exponent)) <= 200:  # the filter's own cut-off
                rounded = value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP, _FIXED)
                return f"{abs(rounded) if not rounded else rounded:f}".replace(".", self.decimal_separator)
        return str(floatformat(value, places))


class LineUrl:
    """A URL with a line's id in it, reversed once: then only the id is put in."""

    def __init__(self, name: str) -> None:
        self.name = name
        prefix, found, suffix = reverse(name, args=[_SENTINEL]).partition(str(_SENTINEL))
        self._parts = (prefix, suffix) if found and str(_SENTINEL) not in suffix else None

    def __call__(self, line_id: int) -> str:
        if self._parts is None:  # the URL does not hold the stand-in exactly once: reverse it for this line
            return reverse(self.name, args=[line_id])
        return f"{self._parts[0]}{int(line_id)}{self._parts[1]}"


class CartLineRows:
    """What every row of one cart page shares, built once; ``row(line)`` and ``ledger_cell(line)`` per line.

    ``ledger`` is the ``LedgerLineOptions`` of ``ocilink.suppliers.ledger.ledger_line_options`` for the lines.
    """

    def __init__(self, context: template.Context, ledger: Any) -> None:
        self.ledger = ledger  # held, so the render's cache key (its id) stays this object's
        self.number = LocalNumbers(context)
        self.value = self.number.shown  # a value as ``{{ value }}`` renders it: localised (numbers) and escaped
        self.shared = self.number.shared
        self.csrf = CsrfTokenNode().render(context)
        self.options = AccountOptions(ledger.accounts)
        self.changeable = ledger.changeable_line_ids if ledger.accounts else frozenset()
        self.update_url = LineUrl("requisitions:line_update")
        self.remove_url = LineUrl("requisitions:line_remove")
        self.account_url = LineUrl("requisitions:line_account")
        # Translated and escaped once, as {% translate %} escapes; the texts with a number keep its placeholder.
        text = {
            "quantity_label": _("Quantity"),
            "update_label": _("Update"),
            "remove_label": _("Remove"),
            "account_label": _("Ledger account"),
            "change_label": _("Change"),
            "choose": _("Choose a ledger account"),
            "deactivated": _("deactivated"),
            "no_account": _("no ledger account"),
            "no_price": _("no price"),
        }
        self.text = {name: html.escape(str(value)) for name, value in text.items()}
        self.from_return = _("from webshop return %(reference)s")
        self.category_code = _("category code %(code)s")

    @classmethod
    def for_render(cls, context: template.Context, ledger: Any) -> CartLineRows:
        """The one of this render for this ``ledger``: built by the first row or cell that asks."""
        state: Any = context.render_context.dicts[0]  # the render's own state, below every include's
        rows: CartLineRows | None = state.get(cls)
        if rows is None or rows.ledger is not ledger:
            rows = state[cls] = cls(context, ledger)
        return rows

    def row(self, line: Any) -> str:
        value, shared = self.value, self.shared
        origin = ""
        if line.cart_return_reference is not None:
            reference = self.from_return % {"reference": value(line.cart_return_reference)}
            origin = f'<div class="muted small">{reference}</div>'
        currency = shared(line.currency)
        if line.unit_price is not None:
            price = f"{currency} {value(line.unit_price.normalize())}"
            if line.price_unit != 1:
                price += f" / {value(line.price_unit.normalize())}"
        else:
            price = f'<span class="warning">{self.text["no_price"]}</span>'
        amount = line.net_amount
        return _ROW.format(
            pk=value(line.pk),
            supplier=shared(line.supplier_name),
            vendormat=value(line.vendormat),
            description=value(line.description),
            longtext=f'<div class="longtext">{value(line.longtext)}</div>' if line.longtext else "",
            warnings="".join(f'<div class="warning small">{value(warning)}</div>' for warning in line.warnings),
            origin=origin,
            update_url=html.escape(self.update_url(line.pk)),
            remove_url=html.escape(self.remove_url(line.pk)),
            csrf=self.csrf,
            quantity=value(line.quantity.normalize()),
            unit=shared(line.unit),
            price=price,
            amount=f"{currency} {value(amount)}" if amount is not None else "",
            ledger=self.ledger_cell(line),
            quantity_label=self.text["quantity_label"],
            update_label=self.text["update_label"],
            remove_label=self.text["remove_label"],
        )

    def ledger_cell(self, line: Any) -> str:
        """A line's ledger account: a select where its translation table lets the buyer change it, else text."""
        text = self.text
        account = line.ledger_account if line.ledger_account_id else None
        if line.pk in self.changeable:
            placeholder = ""
            if account is None:
                placeholder = f'<option value="" selected disabled>{text["choose"]}</option>'
            elif not account.is_active:
                shown = f"{self.value(str(account))} ({text['deactivated']})"
                placeholder = f'<option value="" selected disabled>{shown}</option>'
            cell = _ACCOUNT_FORM.format(
                url=html.escape(self.account_url(line.pk)),
                csrf=self.csrf,
                label=text["account_label"],
                placeholder=placeholder,
                options=self.options.html(line.ledger_account_id),
                change=text["change_label"],
            )
        elif account is not None:
            cell = f'<span class="small">{self.value(str(account))}</span>\n'
        else:
            cell = f'<span class="small muted">{text["no_account"]}</span>\n'
        code = ""
        if line.ledger_code:
            code = f'<div class="muted small">{self.category_code % {"code": self.value(line.ledger_code)}}</div>'
        return f'<div class="line-account">\n{cell}\n{code}\n</div>\n'


@register.simple_tag(takes_context=True)
def cart_line_rows(context: template.Context, lines: Iterable[Any], ledger: Any) -> SafeString:
    """``{% cart_line_rows cart.lines ledger %}``: the cart page's table rows, one per line."""
    rows = CartLineRows.for_render(context, ledger)
    return mark_safe("".join(rows.row(line) for line in lines))  # each part escaped above


@register.simple_tag(takes_context=True)
def line_account_cell(context: template.Context, line: Any, ledger: Any) -> SafeString:
    """``{% line_account_cell line ledger %}``: one line's ledger account, as on the cart page."""
    return mark_safe(CartLineRows.for_render(context, ledger).ledger_cell(line))  # escaped in ledger_cell
