"""Ledger translation table: which account a line books to (UNSPSC families, exact codes, which table, which field)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ocilink.requisitions.models import OrderRequestLine
from ocilink.suppliers.ledger import (
    LedgerChoice,
    LedgerError,
    LedgerReason,
    ledger_assign_lines,
    ledger_code_normalise,
    ledger_resolve,
    unspsc_candidates,
)
from ocilink.suppliers.models import LedgerAccount, LedgerMapping, LedgerTable
from tests.factories import ConnectionFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def account(organization, code, *, active=True):  # type: ignore[no-untyped-def]
    return LedgerAccount.objects.create(organization=organization, code=code, name=f"Account {code}", is_active=active)


def table(organization, mappings, **settings):  # type: ignore[no-untyped-def]
    """A table with mappings given as {code: account}."""
    created = LedgerTable.objects.create(organization=organization, **settings)
    for code, target in mappings.items():
        LedgerMapping.objects.create(table=created, code=code, account=target)
    return created


@pytest.fixture
def org(db):  # type: ignore[no-untyped-def]
    return OrganizationFactory()


@pytest.fixture
def unspsc(org):  # type: ignore[no-untyped-def]
    """An organization table on MATGROUP with a mapping at each UNSPSC level and a default account."""
    accounts = {name: account(org, name) for name in ["8000", "6000", "4000", "2000", "9999"]}
    table(
        org,
        {
            "44122104": accounts["8000"],
            "44122100": accounts["6000"],
            "44120000": accounts["4000"],
            "44000000": accounts["2000"],
        },
        default_account=accounts["9999"],
    )
    return accounts


@pytest.mark.parametrize(
    ("code", "expected_account", "matched", "reason"),
    [
        ("44122104", "8000", "44122104", LedgerReason.MAPPING),
        ("44122105", "6000", "44122100", LedgerReason.FAMILY),
        ("44123001", "4000", "44120000", LedgerReason.FAMILY),
        ("44991234", "2000", "44000000", LedgerReason.FAMILY),
        ("10101501", "9999", "", LedgerReason.DEFAULT),
        ("44.12.21.04", "8000", "44122104", LedgerReason.MAPPING),
        ("4412210499", "8000", "44122104", LedgerReason.MAPPING),
        ("4412", "4000", "44120000", LedgerReason.MAPPING),
        ("not-a-code", "9999", "", LedgerReason.DEFAULT),
    ],
)
def test_unspsc_falls_back_from_the_code_to_its_6_4_and_2_digit_families_then_the_default(
    org, unspsc, code, expected_account, matched, reason
):
    choice = ledger_resolve(organization=org, connection=None, oci_fields={"MATGROUP": code})

    assert choice == LedgerChoice(unspsc[expected_account], code, matched, reason)


def test_a_line_without_the_source_field_gets_the_default_account(org, unspsc):
    choice = ledger_resolve(organization=org, connection=None, oci_fields={"DESCRIPTION": "Paper"})

    assert choice == LedgerChoice(unspsc["9999"], "", "", LedgerReason.DEFAULT)


def test_unspsc_candidates_are_padded_before_bare_at_each_level():
    assert unspsc_candidates("44122104") == [
        "44122104",
        "44122100",
        "441221",
        "44120000",
        "4412",
        "44000000",
        "44",
    ]


def test_mappings_stored_as_bare_prefixes_match_their_family(org):
    given = {name: account(org, name) for name in ["6000", "4000", "2000"]}
    table(org, {"441221": given["6000"], "4412": given["4000"], "44": given["2000"]})

    found = [
        ledger_resolve(organization=org, connection=None, oci_fields={"MATGROUP": code})
        for code in ["44122104", "44129999", "44999999"]
    ]

    assert [(choice.account, choice.matched, choice.reason) for choice in found] == [
        (given["6000"], "441221", LedgerReason.FAMILY),
        (given["4000"], "4412", LedgerReason.FAMILY),
        (given["2000"], "44", LedgerReason.FAMILY),
    ]


def test_at_the_same_level_the_padded_mapping_wins_over_the_bare_one(org):
    padded, bare = account(org, "padded"), account(org, "bare")
    table(org, {"44000000": padded, "44": bare})

    choice = ledger_resolve(organization=org, connection=None, oci_fields={"MATGROUP": "44122104"})

    assert (choice.account, choice.matched) == (padded, "44000000")


def test_a_mapping_to_a_deactivated_account_is_passed_over_for_the_wider_family(org):
    closed, family = account(org, "closed", active=False), account(org, "family")
    table(org, {"44122104": closed, "44120000": family})

    choice = ledger_resolve(organization=org, connection=None, oci_fields={"MATGROUP": "44122104"})

    assert choice == LedgerChoice(family, "44122104", "44120000", LedgerReason.FAMILY)


def test_a_deactivated_default_account_gives_no_account(org):
    table(org, {}, default_account=account(org, "closed", active=False))

    choice = ledger_resolve(organization=org, connection=None, oci_fields={"MATGROUP": "44122104"})

    assert choice == LedgerChoice(None, "44122104", "", LedgerReason.UNMAPPED)


def test_without_a_table_no_account_is_chosen(org):
    other = OrganizationFactory()
    table(other, {"44122104": account(other, "4000")})

    choice = ledger_resolve(organization=org, connection=None, oci_fields={"MATGROUP": "44122104"})

    assert choice == LedgerChoice(None, "", "", LedgerReason.NO_TABLE)


def test_the_exact_scheme_matches_trimmed_and_case_insensitive_without_families(org):
    nzi, default = account(org, "nzi"), account(org, "default")
    table(
        org,
        {"Kantoor-01": nzi, "44122100": account(org, "family")},
        scheme=LedgerTable.Scheme.EXACT,
        default_account=default,
    )

    found = [
        ledger_resolve(organization=org, connection=None, oci_fields={"MATGROUP": code})
        for code in [" kantoor-01 ", "KANTOOR-01", "Kantoor-012", "44122104"]
    ]

    assert [(choice.account, choice.reason) for choice in found] == [
        (nzi, LedgerReason.MAPPING),
        (nzi, LedgerReason.MAPPING),
        (default, LedgerReason.DEFAULT),
        (default, LedgerReason.DEFAULT),
    ]


def test_a_connections_table_wins_over_the_organizations_table(org):
    shop, other_shop = ConnectionFactory(organization=org), ConnectionFactory(organization=org)
    org_account, shop_account = account(org, "org"), account(org, "shop")
    table(org, {"44122104": org_account})
    table(org, {"44122104": shop_account}, connection=shop)

    for_shop = ledger_resolve(organization=org, connection=shop, oci_fields={"MATGROUP": "44122104"})
    for_other = ledger_resolve(organization=org, connection=other_shop, oci_fields={"MATGROUP": "44122104"})
    without = ledger_resolve(organization=org, connection=None, oci_fields={"MATGROUP": "44122104"})

    assert (for_shop.account, for_other.account, without.account) == (shop_account, org_account, org_account)


def test_a_connections_table_does_not_borrow_the_organizations_mappings(org):
    shop = ConnectionFactory(organization=org)
    table(org, {"44122104": account(org, "org")})
    table(org, {}, connection=shop)

    choice = ledger_resolve(organization=org, connection=shop, oci_fields={"MATGROUP": "44122104"})

    assert choice == LedgerChoice(None, "44122104", "", LedgerReason.UNMAPPED)


@pytest.mark.parametrize(
    ("source_field", "expected_account", "code"),
    [
        (LedgerTable.SourceField.MATGROUP, "matgroup", "111"),
        (LedgerTable.SourceField.CUST_FIELD3, "cust3", "333"),
        (LedgerTable.SourceField.EXT_CATEGORY_ID, "ext", "ext-9"),
    ],
)
def test_the_code_is_read_from_the_tables_source_field(org, source_field, expected_account, code):
    given = {name: account(org, name) for name in ["matgroup", "cust3", "ext"]}
    table(
        org,
        {"111": given["matgroup"], "333": given["cust3"], "ext-9": given["ext"]},
        scheme=LedgerTable.Scheme.EXACT,
        source_field=source_field,
    )
    fields = {"MATGROUP": "111", "CUST_FIELD3": "333", "EXT_CATEGORY_ID": "ext-9"}

    choice = ledger_resolve(organization=org, connection=None, oci_fields=fields)

    assert (choice.account, choice.code) == (given[expected_account], code)


def test_assigning_2000_lines_takes_a_constant_number_of_queries(org, unspsc, django_assert_max_num_queries):
    codes = ["44122104", "44122199", "44129999", "44999999", "10101501"]
    lines = [
        OrderRequestLine(
            position=n, description=f"Line {n}", quantity=Decimal(1), oci_fields={"MATGROUP": codes[n % len(codes)]}
        )
        for n in range(2000)
    ]

    with django_assert_max_num_queries(2):
        ledger_assign_lines(organization=org, connection=None, lines=lines)

    assert [line.ledger_account.code for line in lines[:5]] == ["8000", "6000", "4000", "2000", "9999"]
    assert [line.ledger_code for line in lines[:5]] == codes
    assert sum(1 for line in lines if line.ledger_account == unspsc["8000"]) == 400


def test_without_a_table_an_assigned_line_gets_no_account(org):
    line = OrderRequestLine(position=1, description="x", quantity=Decimal(1), oci_fields={"MATGROUP": "44122104"})

    ledger_assign_lines(organization=org, connection=None, lines=[line])

    assert (line.ledger_account, line.ledger_code) == (None, "")


@pytest.mark.parametrize(
    ("code", "stored"),
    [("44122104", "44122104"), ("44", "44000000"), ("4412", "44120000"), (" 44.12.21.04 ", "44122104")],
)
def test_unspsc_codes_are_stored_as_8_digits(code, stored):
    assert ledger_code_normalise(scheme=LedgerTable.Scheme.UNSPSC, code=code) == stored


@pytest.mark.parametrize("code", ["4412210", "office", "441221041"])
def test_a_code_that_is_not_unspsc_is_refused_with_a_sentence(code):
    with pytest.raises(LedgerError) as refused:
        ledger_code_normalise(scheme=LedgerTable.Scheme.UNSPSC, code=code)

    assert str(refused.value) == (
        f"“{code}” is not a UNSPSC code: use 8 digits (for example 44122104), or 2, 4 or 6 digits for a whole "
        "segment, family or class."
    )
