"""Render a purchase order as a PDF (A4, reportlab platypus), e.g. for dispatch by e-mail.

Pure Python: reads a :class:`PurchaseOrderSnapshot` and returns bytes; no Django.

* Fonts: reportlab's built-in Helvetica. Its WinAnsi (cp1252) encoding covers Western European
  text: umlauts and ß, ``€``, typographic quotes ``“ ” ‘ ’``, dashes. Characters outside cp1252
  (e.g. Polish ``ł``, Cyrillic, CJK) come out as a black box: embedding a TTF would fix that, but
  no TTF is guaranteed to exist on every machine.
* Deterministic: the same snapshot always gives the same bytes (reportlab's ``invariant`` mode),
  so a resent e-mail carries an identical attachment.
* The lines table repeats its header on every page; a line taller than a page is split inside
  the row. Every page has the footer "Page X of Y".
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors  # type: ignore[import-untyped, unused-ignore]
from reportlab.lib.enums import TA_RIGHT  # type: ignore[import-untyped, unused-ignore]
from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped, unused-ignore]
from reportlab.lib.styles import ParagraphStyle  # type: ignore[import-untyped, unused-ignore]
from reportlab.lib.units import mm  # type: ignore[import-untyped, unused-ignore]
from reportlab.lib.utils import simpleSplit  # type: ignore[import-untyped, unused-ignore]
from reportlab.pdfbase.pdfmetrics import stringWidth  # type: ignore[import-untyped, unused-ignore]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped, unused-ignore]
from reportlab.platypus import (  # type: ignore[import-untyped, unused-ignore]
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    LongTable,
    PageTemplate,
    Paragraph,
    Preformatted,
    Spacer,
    Table,
    TableStyle,
)

from ocilink.protocols.order import OrderLine, PostalAddress, PurchaseOrderSnapshot

__all__ = ["render_purchase_order_pdf"]

FONT = "Helvetica"
BOLD = "Helvetica-Bold"
MARGIN = 16 * mm
GREY = colors.HexColor("#555555")
RULE = colors.HexColor("#bbbbbb")
HEADER_FILL = colors.HexColor("#e8e8e8")

# Friendlier labels for the most common UN/ECE Rec 20 unit codes; others are printed as they are.
UNIT_LABELS = {
    "H87": "pc",
    "C62": "pc",
    "EA": "pc",
    "PCE": "pc",
    "KGM": "kg",
    "GRM": "g",
    "MTR": "m",
    "MTK": "m²",
    "LTR": "l",
    "PK": "pack",
    "BX": "box",
    "PR": "pair",
    "SET": "set",
    "HUR": "h",
    "DAY": "day",
}

_BASE = ParagraphStyle("base", fontName=FONT, fontSize=9, leading=11.5)
_STYLES = {
    "base": _BASE,
    "small": ParagraphStyle("small", parent=_BASE, fontSize=7.5, leading=9.5, textColor=GREY),
    "label": ParagraphStyle("label", parent=_BASE, fontName=BOLD, fontSize=8, leading=10, textColor=GREY),
    "org": ParagraphStyle("org", parent=_BASE, fontName=BOLD, fontSize=14, leading=17),
    "title": ParagraphStyle("title", parent=_BASE, fontName=BOLD, fontSize=18, leading=22, alignment=TA_RIGHT),
    "right": ParagraphStyle("right", parent=_BASE, alignment=TA_RIGHT),
    "th": ParagraphStyle("th", parent=_BASE, fontName=BOLD, fontSize=8, leading=10),
    "th_right": ParagraphStyle("th_right", parent=_BASE, fontName=BOLD, fontSize=8, leading=10, alignment=TA_RIGHT),
    "total": ParagraphStyle("total", parent=_BASE, fontName=BOLD, fontSize=10, leading=13, alignment=TA_RIGHT),
}
_CELL_PADDING = 4
_NOT_PRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _markup(text: str) -> str:
    """Escape ``text`` for a Paragraph, dropping control characters and keeping line breaks."""
    cleaned = _NOT_PRINTABLE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return escape(cleaned).replace("\n", "<br/>")


def _para(text: str, style: str = "base") -> Paragraph:
    return Paragraph(_markup(text), _STYLES[style])


def _amount(value: Decimal) -> str:
    """Money: thousands separators, at least two decimals, never fewer digits than given."""
    if not value.is_finite():
        return str(value)
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -2 and value.adjusted() < 25:
        value = value.quantize(Decimal("0.01"))
    return format(value, ",f")


def _number(value: Decimal) -> str:
    """Quantities and price units: no trailing zeros, no exponent (``250.000`` -> ``250``)."""
    if not value.is_finite():
        return str(value)
    return format(value.normalize(), ",f") if value != 0 else "0"


def _unit(code: str) -> str:
    return UNIT_LABELS.get(code.strip().upper(), code.strip())


def _lines_of(*parts: str | None) -> str:
    return "\n".join(part for part in parts if part)


def _address_block(label: str, address: PostalAddress, extra: list[tuple[str, str | None]]) -> list[Any]:
    city = " ".join(part for part in (address.postal_code, address.city) if part)
    body = _lines_of(address.name, address.street, city, address.country)
    contact = _lines_of(address.email, address.phone)
    codes = _lines_of(*(f"{name}: {value}" for name, value in extra if value))
    block: list[Any] = [_para(label, "label"), _para(body)]
    if contact:
        block.append(_para(contact, "small"))
    if codes:
        block.append(_para(codes))
    return block


def _heading(order: PurchaseOrderSnapshot, title: str, width: float) -> list[Any]:
    left = [_para(order.buyer_organization, "org")]
    right = [
        _para(title, "title"),
        _para(f"Order number: {order.order_number}", "right"),
        _para(f"Order date: {order.order_date.date().isoformat()}", "right"),
    ]
    table = Table([[left, right]], colWidths=[width * 0.5, width * 0.5])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (0, -1), 0)]))
    return [table, Spacer(1, 6 * mm)]


def _parties(order: PurchaseOrderSnapshot, width: float) -> list[Any]:
    supplier = [_para("Supplier", "label"), _para(order.supplier_name)]
    buyer_text = _lines_of(
        order.buyer_name, order.buyer_email, f"Reference: {order.reference}" if order.reference else ""
    )
    buyer = [_para("Ordered by", "label"), _para(buyer_text)]
    ship_to = _address_block(
        "Deliver to",
        order.ship_to,
        [
            ("Customer number", order.customer_number),
            ("Location code", order.location_code),
            ("Address code", order.ship_to.address_id),
        ],
    )
    bill_to = _address_block(
        "Invoice to",
        order.bill_to,
        [("Debtor number", order.debtor_number), ("Address code", order.bill_to.address_id)],
    )
    table = Table([[supplier, buyer], [ship_to, bill_to]], colWidths=[width * 0.5, width * 0.5])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (0, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, 0), 4 * mm),
            ]
        )
    )
    return [table, Spacer(1, 5 * mm)]


def _cell(text: str, width: float, style: str = "base") -> str | Paragraph:
    """A table cell: a plain string when every line fits ``width`` (much faster), else a wrapping Paragraph."""
    cleaned = _NOT_PRINTABLE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    font = _STYLES[style]
    parts = cleaned.split("\n")
    if len(parts) <= 3 and all(stringWidth(part, font.fontName, font.fontSize) <= width for part in parts):
        return cleaned
    return Paragraph(_markup(cleaned), font)


def _wrapped(text: str, width: float, style: str) -> Preformatted:
    """Text wrapped at ``width`` once, here, as a Preformatted flowable.

    A Paragraph parses markup when made and wraps again every time the table measures or splits it: with a long
    text on every line that cost a 500-line order several seconds. Preformatted only counts its lines.
    """
    font = _STYLES[style]
    cleaned = _NOT_PRINTABLE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = [
        piece
        for part in cleaned.split("\n")
        for piece in (simpleSplit(part, font.fontName, font.fontSize, width) or [""])
    ]
    return Preformatted("\n".join(lines), font)


def _description(line: OrderLine, width: float) -> list[Any] | str | Paragraph:
    details = _lines_of(
        line.longtext,
        " ".join(part for part in (line.manufacturer_name, line.manufacturer_part_id) if part),
    )
    if not details:
        return _cell(line.description, width)
    return [_wrapped(line.description, width, "base"), _wrapped(details, width, "small")]


def _price(line: OrderLine, order_currency: str) -> str:
    currency = f" {line.currency}" if line.currency and line.currency != order_currency else ""
    price = f"{_amount(line.unit_price)}{currency}"
    if line.price_unit != 1:
        price += f"\nper {_number(line.price_unit)}"
    return price


# Rows per table of the lines. One long table is re-styled and re-measured from the split point at every page
# break, which grows with rows x pages (a 500-line order spent most of its time there); short tables that follow
# each other look the same and split cheaply. The column header is repeated by the page template instead.
_ROWS_PER_TABLE = 20
_LINES_STYLE = [
    ("FONT", (0, 0), (-1, -1), FONT, 9, 11.5),
    ("ALIGN", (3, 0), (-1, -1), "RIGHT"),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("LEFTPADDING", (0, 0), (-1, -1), _CELL_PADDING),
    ("RIGHTPADDING", (0, 0), (-1, -1), _CELL_PADDING),
    ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
    ("TOPPADDING", (0, 0), (-1, -1), 3),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
]


def _column_widths(width: float) -> list[float]:
    return [width * fraction for fraction in (0.06, 0.17, 0.41, 0.11, 0.12, 0.13)]


def _header_table(order: PurchaseOrderSnapshot, width: float) -> Table:
    """The lines' column header: above the first lines, and at the top of every later page while lines go on."""
    header = [
        _para("No.", "th"),
        _para("Article", "th"),
        _para("Description", "th"),
        _para("Quantity", "th_right"),
        _para("Price", "th_right"),
        _para(f"Amount ({order.currency})", "th_right"),
    ]
    table = Table([header], colWidths=_column_widths(width))
    table.setStyle(TableStyle([*_LINES_STYLE, ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL)]))
    return table


def _lines_tables(order: PurchaseOrderSnapshot, width: float) -> list[Any]:
    widths = _column_widths(width)
    inner = [column - 2 * _CELL_PADDING for column in widths]
    rows: list[list[Any]] = []
    for line in order.lines:
        amount_currency = f" {line.currency}" if line.currency and line.currency != order.currency else ""
        rows.append(
            [
                str(line.line_number),
                _cell(line.supplier_part_id, inner[1]),
                _description(line, inner[2]),
                _cell(f"{_number(line.quantity)} {_unit(line.unit)}", inner[3], "right"),
                _cell(_price(line, order.currency), inner[4], "right"),
                _cell(f"{_amount(line.net_amount)}{amount_currency}", inner[5], "right"),
            ]
        )
    tables: list[Any] = [_header_table(order, width)]
    for start in range(0, len(rows), _ROWS_PER_TABLE):
        table = LongTable(rows[start : start + _ROWS_PER_TABLE], colWidths=widths, splitInRow=1)
        table.setStyle(TableStyle(_LINES_STYLE))
        tables.append(table)
    return tables


class _Marker(Flowable):  # type: ignore[misc, unused-ignore]
    """Takes no room; when placed, records on the document that the lines are done (no more column header)."""

    def __init__(self, document: Any) -> None:
        super().__init__()
        self._document = document

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self._document.ocilink_lines_done = True


def _totals(order: PurchaseOrderSnapshot, width: float) -> list[Any]:
    rows = [[_para(f"Total ({order.currency})", "total"), _para(_amount(order.total), "total")]]
    others: dict[str, Decimal] = {}
    for line in order.lines:
        if line.currency and line.currency != order.currency:
            others[line.currency] = others.get(line.currency, Decimal(0)) + line.net_amount
    rows += [[_para(f"Lines in {code}", "right"), _para(_amount(total), "right")] for code, total in others.items()]
    table = Table(rows, colWidths=[width * 0.8, width * 0.2])
    table.setStyle(
        TableStyle([("LINEABOVE", (0, 0), (-1, 0), 0.8, colors.black), ("RIGHTPADDING", (1, 0), (1, -1), 6)])
    )
    return [table]


def _notes(order: PurchaseOrderSnapshot) -> list[Any]:
    if not order.notes.strip():
        return []
    return [Spacer(1, 6 * mm), KeepTogether([_para("Notes", "label"), _para(order.notes)])]


def _footer(order: PurchaseOrderSnapshot, canvas: Any, number: int, total: int) -> None:
    canvas.saveState()
    canvas.setFont(FONT, 7.5)
    canvas.setFillColor(GREY)
    left = f"{order.order_number} · {order.buyer_organization}"
    canvas.drawString(MARGIN, 10 * mm, _NOT_PRINTABLE.sub("", left)[:120])
    canvas.drawRightString(A4[0] - MARGIN, 10 * mm, f"Page {number} of {total}")
    canvas.restoreState()


class _PageCountingCanvas(Canvas):  # type: ignore[misc, unused-ignore]
    """A canvas that keeps finished pages until ``save`` so each footer can show the page count."""

    def __init__(self, *args: Any, footer: Callable[[Any, int, int], None], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._footer = footer
        self._finished_pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 (reportlab's name)
        self._finished_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._finished_pages)
        for number, page in enumerate(self._finished_pages, start=1):
            self.__dict__.update(page)
            self._footer(self, number, total)
            super().showPage()
        super().save()


def render_purchase_order_pdf(order: PurchaseOrderSnapshot, *, title: str = "Purchase order") -> bytes:
    """Return the PDF of ``order``: buyer, supplier, addresses, the lines, totals and notes."""
    buffer = io.BytesIO()
    document = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 6 * mm,
        title=f"{title} {order.order_number}",
        author=order.buyer_organization,
        subject=f"{title} {order.order_number} for {order.supplier_name}",
        creator="ocilink",
        invariant=True,
    )
    width = document.width
    header = _header_table(order, width)
    header_height = header.wrap(width, document.height)[1]
    padding = 6  # a Frame's default padding on every side
    first = Frame(document.leftMargin, document.bottomMargin, width, document.height, id="first")
    later = Frame(document.leftMargin, document.bottomMargin, width, document.height - header_height, id="later")

    def repeat_header(canvas: Any, doc: Any) -> None:
        if not getattr(doc, "ocilink_lines_done", False):
            header.drawOn(canvas, doc.leftMargin + padding, doc.bottomMargin + doc.height - padding - header_height)

    document.addPageTemplates(
        [
            PageTemplate(id="First", frames=[first], autoNextPageTemplate="Later"),
            PageTemplate(id="Later", frames=[later], onPage=repeat_header),
        ]
    )
    story: list[Any] = [
        *_heading(order, title, width),
        *_parties(order, width),
        *_lines_tables(order, width),
        _Marker(document),
        Spacer(1, 2 * mm),
        *_totals(order, width),
        *_notes(order),
    ]
    document.build(story, canvasmaker=partial(_PageCountingCanvas, footer=partial(_footer, order)))
    return buffer.getvalue()
