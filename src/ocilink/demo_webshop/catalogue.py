"""The demo webshop's assortment: about 30 office and facility products.

Prices are per ``price_unit`` units (OCI PRICEUNIT), so the copy paper priced per 100 sheets sends PRICE=4.50 with
PRICEUNIT=100, and a buyer platform that forgets PRICEUNIT would charge a hundred times too much.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    unit: str  # as the shop sends it: a mix of UN/ECE Rec 20 codes and the common alias PCE
    price: Decimal
    matgroup: str  # UNSPSC
    manufacturer_part: str = ""
    price_unit: int = 1
    leadtime_days: int = 2
    longtext: str = ""


LONG_TEXT = (
    "Ergonomic office chair with synchronous mechanism, adjustable lumbar support, 4D armrests and a "
    "breathable mesh back. Seat height 42-54 cm, load capacity 150 kg, EN 1335 certified.\n"
    "Delivered assembled; 5-year warranty on the mechanism. Colour: anthracite."
)

PRODUCTS: tuple[Product, ...] = (
    Product("OF-1001", "Büroklammern 26/6 (Größe M)", "BX", Decimal("1.95"), "44122104", "BK-266-M"),
    Product("OF-1002", "Copy paper A4 80 g/m², white", "PCE", Decimal("4.50"), "14111507", "CP-A4-80", price_unit=100),
    Product("OF-1003", "Ballpoint pen, blue, medium", "PCE", Decimal("0.79"), "44121704", "BP-BL-M"),
    Product("OF-1004", "Ballpoint pen, black, medium", "PCE", Decimal("0.79"), "44121704", "BP-BK-M"),
    Product("OF-1005", "Lever arch file A4, 80 mm, blue", "PCE", Decimal("3.25"), "44122011", "LAF-80-BL"),
    Product("OF-1006", "Stapler, 25 sheets", "PCE", Decimal("12.40"), "44121615", "ST-25"),
    Product("OF-1007", "Staples 24/6, box of 1,000", "BX", Decimal("1.15"), "44122107", "SP-246"),
    Product("OF-1008", "Sticky notes 76×76 mm, yellow, 12 pads", "PK", Decimal("8.90"), "14111514", "SN-76-Y"),
    Product("OF-1009", "Whiteboard marker set, 4 colours", "SET", Decimal("6.75"), "44121708", "WM-4"),
    Product(
        "OF-1010",
        "Ergonomic office chair “Sitwell Pro”",
        "PCE",
        Decimal("389.00"),
        "56112104",
        "SW-PRO",
        leadtime_days=10,
        longtext=LONG_TEXT,
    ),
    Product("OF-1011", "Desk lamp LED, dimmable", "PCE", Decimal("44.95"), "39111528", "DL-LED"),
    Product("OF-1012", "Coffee beans, espresso roast", "KGM", Decimal("18.60"), "50201706", "CB-ESP"),
    Product("OF-1013", "Sugar sticks, 1,000 pieces", "BX", Decimal("14.20"), "50161509", "SU-1000"),
    Product("OF-1014", "Hand soap refill 5 l", "LTR", Decimal("2.30"), "53131608", "HS-5L"),
    Product("OF-1015", "Paper towels, 20 rolls", "PK", Decimal("24.50"), "14111703", "PT-20"),
    Product("OF-1016", "Cleaning cloths microfibre, 10", "PK", Decimal("9.95"), "47131501", "MF-10"),
    Product("OF-1017", "Printer toner black, HP 207X compatible", "PCE", Decimal("79.00"), "44103103", "TN-207X"),
    Product("OF-1018", "USB-C cable 1 m", "PCE", Decimal("7.49"), "43202222", "USBC-1"),
    Product("OF-1019", "Wireless mouse", "PCE", Decimal("19.90"), "43211708", "WMS-1"),
    Product("OF-1020", "Keyboard, US International", "PCE", Decimal("34.50"), "43211706", "KB-USI"),
    Product("OF-1021", "Monitor arm, single", "PCE", Decimal("89.00"), "56101708", "MA-1"),
    Product("OF-1022", "Envelopes C4, 250", "BX", Decimal("21.80"), "44121506", "EN-C4"),
    Product("OF-1023", "Packing tape 50 mm × 66 m", "RO", Decimal("2.15"), "31201610", "PT-50"),
    Product("OF-1024", "Cable ties 200 mm, 100", "PK", Decimal("3.60"), "39121702", "CT-200"),
    Product("OF-1025", "Safety gloves, size 9, pair", "PR", Decimal("4.95"), "46181504", "SG-9"),
    Product("OF-1026", "First aid kit, office", "PCE", Decimal("32.00"), "42172001", "FAK-O"),
    Product("OF-1027", "Batteries AA, 24", "PK", Decimal("13.75"), "26111702", "AA-24"),
    Product("OF-1028", "Drinking water 0.5 l, 24 bottles", "PK", Decimal("7.20"), "50202301", "DW-24"),
    Product("OF-1029", "Floor cleaner, 1 l", "LTR", Decimal("5.60"), "47131805", "FC-1"),
    Product("OF-1030", "Label printer tape 12 mm", "PCE", Decimal("16.40"), "44103112", "LT-12"),
)

BY_SKU = {product.sku: product for product in PRODUCTS}
