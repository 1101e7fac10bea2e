"""SAP OCI (Open Catalog Interface) codec: pure Python, no Django.

Public API:

* ``parse_cart``: parse the cart a webshop posts to HOOK_URL into an ``OciCart``.
* ``build_punchout_fields``: the fields of the outbound (punch-out) call.
* ``encode_cart_fields`` / ``encode_cart_body``: the webshop side, building a cart form.
* ``cart_report``: a cart as a JSON-able dict; ``check_main``: the ``check-cart`` command.
* ``FIELDS`` / ``FIELDS_BY_NAME``: the NEW_ITEM field table; ``REC20_UNITS``,
  ``DEFAULT_UNIT_ALIASES``, ``ISO_4217_CODES``: the code tables.
"""

from .check import check_main
from .currencies import ISO_4217_CODES
from .encode import encode_cart_body, encode_cart_fields
from .errors import OciDecodeError, OciError
from .fields import FIELDS, FIELDS_BY_NAME, OciField
from .inbound import parse_cart
from .model import OciCart, OciLine, Problem
from .outbound import build_punchout_fields
from .report import cart_report
from .units import DEFAULT_UNIT_ALIASES, REC20_UNITS

__all__ = [
    "DEFAULT_UNIT_ALIASES",
    "FIELDS",
    "FIELDS_BY_NAME",
    "ISO_4217_CODES",
    "REC20_UNITS",
    "OciCart",
    "OciDecodeError",
    "OciError",
    "OciField",
    "OciLine",
    "Problem",
    "build_punchout_fields",
    "cart_report",
    "check_main",
    "encode_cart_body",
    "encode_cart_fields",
    "parse_cart",
]
