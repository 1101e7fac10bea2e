"""Units of measure: UN/ECE Recommendation 20 codes and common aliases (oci.md §2.4).

The OCI spec asks for ISO (UN/ECE Rec 20) unit codes, but webshops send SAP
internal codes (ST, KG), EANCOM's PCE, or plain words. ocilink keeps Rec 20 as
its canonical vocabulary:

* ``REC20_UNITS``: codes that are canonical as received (code -> English name).
  It includes the older Rec 20 packaging codes (BX, PK, CT, ...) that OCI
  webshops still use, and their Rec 21 ``X`` forms.
* ``DEFAULT_UNIT_ALIASES``: alias -> canonical code. Every spelling of
  "piece" (PCE, EA, ST, STK, PCS, PC, STUECK, ...) maps to H87 ("piece").
  C62 ("one") stays C62: it is a valid Rec 20 code with its own meaning.
  EA ("each") is a Rec 20 code too, but webshops use it for "piece", so it is
  mapped to H87 to make carts comparable; a connection's own unit map can
  map EA back to EA if a buyer system needs it.

Resolution order (``resolve_unit``): the connection's unit map (keys matched
case-insensitively), then the default aliases, then the canonical codes. A
unit found nowhere is unknown: the parser keeps it as received and warns.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["DEFAULT_UNIT_ALIASES", "REC20_UNITS", "normalize_unit_map", "resolve_unit"]

REC20_UNITS: Mapping[str, str] = MappingProxyType(
    {
        # count
        "H87": "piece",
        "C62": "one",
        "SET": "set",
        "PR": "pair",
        "DZN": "dozen",
        "GRO": "gross",
        "KT": "kit",
        "LO": "lot",
        "NAR": "number of articles",
        "NMP": "number of packs",
        "NPR": "number of pairs",
        "RM": "ream",
        # packaging (Rec 20 legacy codes still used in OCI, and Rec 21 X-codes)
        "BX": "box",
        "PK": "pack",
        "CT": "carton",
        "BG": "bag",
        "BO": "bottle",
        "CA": "can",
        "CS": "case",
        "CR": "crate",
        "DR": "drum",
        "PA": "packet",
        "PL": "pail",
        "RL": "reel",
        "RO": "roll",
        "TU": "tube",
        "XBX": "box",
        "XPK": "package",
        "XCT": "carton",
        "XBG": "bag",
        "XBO": "bottle",
        "XCS": "case",
        "XPA": "packet",
        "XRO": "roll",
        "XTU": "tube",
        "XPX": "pallet",
        # mass
        "KGM": "kilogram",
        "GRM": "gram",
        "MGM": "milligram",
        "TNE": "tonne",
        "LBR": "pound",
        "ONZ": "ounce",
        # length
        "MTR": "metre",
        "DMT": "decimetre",
        "CMT": "centimetre",
        "MMT": "millimetre",
        "KMT": "kilometre",
        "INH": "inch",
        "FOT": "foot",
        "YRD": "yard",
        # area
        "MTK": "square metre",
        "CMK": "square centimetre",
        "MMK": "square millimetre",
        "KMK": "square kilometre",
        "HAR": "hectare",
        "FTK": "square foot",
        # volume
        "LTR": "litre",
        "MLT": "millilitre",
        "CLT": "centilitre",
        "DLT": "decilitre",
        "HLT": "hectolitre",
        "MTQ": "cubic metre",
        "DMQ": "cubic decimetre",
        "CMQ": "cubic centimetre",
        "MMQ": "cubic millimetre",
        "GLL": "US gallon",
        "GLI": "imperial gallon",
        # time
        "SEC": "second",
        "MIN": "minute",
        "HUR": "hour",
        "DAY": "day",
        "WEE": "week",
        "MON": "month",
        "ANN": "year",
        "E49": "working day",
        # energy, power, services, data
        "KWH": "kilowatt hour",
        "WTT": "watt",
        "KWT": "kilowatt",
        "E48": "service unit",
        "ACT": "activity",
        "E51": "job",
        "LS": "lump sum",
        "AD": "byte",
        "4L": "megabyte",
        "E34": "gigabyte",
        "ZZ": "mutually defined",
    }
)
"""UN/ECE Rec 20 (and Rec 21 packaging) codes that are canonical as received."""

_PIECE = ("PCE", "EA", "EACH", "ST", "STK", "STCK", "STUECK", "STÜCK", "STUCK", "STUK", "STUKS", "PCS", "PC", "PIECE",
          "PIECES", "PZ", "PZA", "PZS", "UNIT", "UNITS", "ITEM")  # fmt: skip

DEFAULT_UNIT_ALIASES: Mapping[str, str] = MappingProxyType(
    {
        **dict.fromkeys(_PIECE, "H87"),
        # mass
        "KG": "KGM", "KGS": "KGM", "KILO": "KGM", "KILOGRAM": "KGM",
        "G": "GRM", "GRAM": "GRM", "GRAMM": "GRM", "MG": "MGM",
        "T": "TNE", "TO": "TNE", "TONNE": "TNE", "LB": "LBR", "LBS": "LBR", "OZ": "ONZ",
        # length
        "M": "MTR", "METER": "MTR", "METRE": "MTR", "LFM": "MTR", "DM": "DMT", "CM": "CMT", "MM": "MMT",
        "KM": "KMT", "IN": "INH", "INCH": "INH", "FT": "FOT", "YD": "YRD",
        # area and volume
        "M2": "MTK", "QM": "MTK", "SQM": "MTK", "CM2": "CMK", "QCM": "CMK", "MM2": "MMK",
        "M3": "MTQ", "CBM": "MTQ", "KBM": "MTQ", "CM3": "CMQ", "CCM": "CMQ", "DM3": "DMQ",
        "L": "LTR", "LT": "LTR", "LITER": "LTR", "LITRE": "LTR", "ML": "MLT", "CL": "CLT", "DL": "DLT", "HL": "HLT",
        # time
        "H": "HUR", "HR": "HUR", "HRS": "HUR", "STD": "HUR", "HOUR": "HUR", "D": "DAY", "TAG": "DAY", "TG": "DAY",
        "WK": "WEE", "WOCHE": "WEE", "MONAT": "MON", "JHR": "ANN", "YR": "ANN",
        # packaging and sets
        "BOX": "BX", "KARTON": "CT", "CARTON": "CT", "CTN": "CT", "KAR": "CT",
        "PAK": "PK", "PACK": "PK", "PACKUNG": "PK", "PKG": "PK", "PAC": "PK", "PAKET": "PK",
        "SATZ": "SET", "SETS": "SET", "PAAR": "PR", "PAA": "PR", "PAIR": "PR", "PAIRS": "PR",
        "ROLLE": "RO", "ROLL": "RO", "ROL": "RO", "BAG": "BG", "BTL": "BG", "BEUTEL": "BG", "BOTTLE": "BO",
        "FL": "BO", "FLASCHE": "BO", "DOSE": "CA", "CAN": "CA", "KISTE": "CR", "CRATE": "CR", "EIMER": "PL",
        "DZ": "DZN", "DOZ": "DZN", "DOZEN": "DZN", "DTZ": "DZN", "KIT": "KT", "LOT": "LO",
        # services and energy
        "LE": "E48", "AU": "ACT", "PAUSCHAL": "LS", "PSCH": "LS",
    }
)  # fmt: skip
"""Default alias table: alias (upper case) -> canonical Rec 20 code."""


def normalize_unit_map(unit_map: Mapping[str, str] | None) -> dict[str, str]:
    """Return a connection unit map keyed by upper-cased, stripped unit codes.

    Entries with an empty key or value are dropped. Values are kept as given
    (the buyer's chosen target code), only stripped.
    """
    if not unit_map:
        return {}
    result: dict[str, str] = {}
    for key, value in unit_map.items():
        k = key.strip().upper()
        v = value.strip()
        if k and v:
            result[k] = v
    return result


def resolve_unit(received: str, connection_map: Mapping[str, str]) -> str | None:
    """Return the canonical unit for ``received``, or None when it is unknown.

    ``connection_map`` must come from ``normalize_unit_map``. Lookup is
    case-insensitive and ignores surrounding whitespace.
    """
    key = received.strip().upper()
    if not key:
        return None
    mapped = connection_map.get(key)
    if mapped is not None:
        return mapped
    alias = DEFAULT_UNIT_ALIASES.get(key)
    if alias is not None:
        return alias
    if key in REC20_UNITS:
        return key
    return None
