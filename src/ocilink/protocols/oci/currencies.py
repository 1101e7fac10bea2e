"""ISO 4217 currency codes (oci.md §2.2: CURRENCY "must be the ISO code").

``ISO_4217_CODES`` holds the active alphabetic codes of the ISO 4217 list
(currencies, funds and the X-codes), as published up to 2025. Codes that were
withdrawn earlier (HRK, SLL, ZWL, CUC, ...) are not in it. ANG and BGN are kept
while they are being phased out (replaced by XCG and EUR) because older
webshops still send them.
"""

from __future__ import annotations

__all__ = ["ISO_4217_CODES", "is_iso_currency"]

ISO_4217_CODES: frozenset[str] = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD
    CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP
    GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP
    LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN
    PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT
    TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XCG
    XDR XOF XPD XPF XPT XSU XTS XUA XXX YER ZAR ZMW ZWG
    """.split()
)
"""Active ISO 4217 alphabetic codes (upper case)."""


def is_iso_currency(code: str) -> bool:
    """Return True when ``code`` is an active ISO 4217 code (exact, upper case)."""
    return code in ISO_4217_CODES
