"""The outbound (punch-out) call: the fields sent to the supplier's catalog URL (oci.md §1)."""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["build_punchout_fields"]


def build_punchout_fields(
    *,
    hook_url: str,
    username: str,
    password: str,
    username_field: str = "USERNAME",
    password_field: str = "PASSWORD",
    extra_params: Mapping[str, str] | None = None,
    oci_version: str = "4.0",
    returntarget: str = "_top",
) -> list[tuple[str, str]]:
    """Return the ordered ``(name, value)`` fields of the punch-out call.

    Order (oci.md §1.1: catalog-specific fields before HOOK_URL, SAP's ``~``
    fields after it): the credentials under the connection's field names (a
    field whose name is empty is omitted), ``HOOK_URL``, the connection's
    extra parameters, ``~OkCode=ADDI``, ``~TARGET=_top``, ``~CALLER=CTLG``,
    ``returntarget``, ``OCI_VERSION`` and ``http_content_charset=utf-8``.

    Raises ``ValueError`` when ``hook_url`` is empty, when both credential
    field names are equal, or when an extra parameter is empty or would
    repeat one of the fields above (names compared case-insensitively).
    """
    if not hook_url:
        raise ValueError("hook_url must not be empty")
    fields: list[tuple[str, str]] = []
    if username_field:
        fields.append((username_field, username))
    if password_field:
        if password_field.casefold() == username_field.casefold():
            raise ValueError(f"username_field and password_field are both {password_field!r}")
        fields.append((password_field, password))
    fields.append(("HOOK_URL", hook_url))
    tail = [
        ("~OkCode", "ADDI"),
        ("~TARGET", "_top"),
        ("~CALLER", "CTLG"),
        ("returntarget", returntarget),
        ("OCI_VERSION", oci_version),
        ("http_content_charset", "utf-8"),
    ]
    taken = {name.casefold() for name, _ in (*fields, *tail)}
    for name, value in (extra_params or {}).items():
        if not name:
            raise ValueError("extra parameter names must not be empty")
        if name.casefold() in taken:
            raise ValueError(f"extra parameter {name!r} conflicts with a field ocilink sets itself")
        taken.add(name.casefold())
        fields.append((name, value))
    fields.extend(tail)
    return fields
