"""build_punchout_fields: order, field names, conflicts (oci.md §1.2)."""

from __future__ import annotations

import pytest

from ocilink.protocols.oci import build_punchout_fields

HOOK = "https://hub.example/oci/return/6f1c"


def test_default_order() -> None:
    assert build_punchout_fields(hook_url=HOOK, username="buyer", password="s3cret") == [
        ("USERNAME", "buyer"),
        ("PASSWORD", "s3cret"),
        ("HOOK_URL", HOOK),
        ("~OkCode", "ADDI"),
        ("~TARGET", "_top"),
        ("~CALLER", "CTLG"),
        ("returntarget", "_top"),
        ("OCI_VERSION", "4.0"),
        ("http_content_charset", "utf-8"),
    ]


def test_custom_names_extra_params_version_and_returntarget() -> None:
    fields = build_punchout_fields(
        hook_url=HOOK,
        username="u",
        password="p",
        username_field="username",
        password_field="pass",
        extra_params={"LANGU": "DE", "~ForceTarget": "Yes"},
        oci_version="5.0",
        returntarget="_parent",
    )
    assert fields[:5] == [
        ("username", "u"),
        ("pass", "p"),
        ("HOOK_URL", HOOK),
        ("LANGU", "DE"),
        ("~ForceTarget", "Yes"),
    ]
    assert ("returntarget", "_parent") in fields
    assert ("OCI_VERSION", "5.0") in fields


def test_empty_field_names_are_omitted() -> None:
    fields = build_punchout_fields(
        hook_url=HOOK, username="", password="tok", username_field="", password_field="TOKEN"
    )
    assert [name for name, _ in fields][:2] == ["TOKEN", "HOOK_URL"]


@pytest.mark.parametrize("key", ["HOOK_URL", "hook_url", "~OkCode", "~okcode", "~TARGET", "~CALLER", "returntarget",
                                 "OCI_VERSION", "http_content_charset", "USERNAME", "password", ""])  # fmt: skip
def test_conflicting_extra_params_raise(key: str) -> None:
    with pytest.raises(ValueError, match="extra parameter"):
        build_punchout_fields(hook_url=HOOK, username="u", password="p", extra_params={key: "x"})


def test_empty_hook_url_and_equal_credential_names_raise() -> None:
    with pytest.raises(ValueError, match="hook_url"):
        build_punchout_fields(hook_url="", username="u", password="p")
    with pytest.raises(ValueError, match="both"):
        build_punchout_fields(hook_url=HOOK, username="u", password="p", username_field="X", password_field="x")
