"""Spreadsheet imports at their largest allowed size, against the floor of reading the same file without ocilink.

- ``ledger_xlsx`` / ``ledger_csv``: a ledger translation table of ``MAX_IMPORT_ROWS`` (50,000) mappings, as
  ocilink's own export writes it (three text columns), imported into an empty table: every run creates all of
  them (the table is emptied between runs, untimed). The floor is openpyxl's read-only mode reading the XLSX's
  values (``iter_rows(values_only=True)``), and the csv module reading the CSV; ``read_ms`` is ocilink's reading
  alone (``read_rows``), with its bounds.
- ``address_sheet``: the delivery-address sheet ocilink makes for an organization with ``MAX_ROWS`` (5,000)
  addresses, filled in with an OCI account and three numbers per address, uploaded back: every run stores 5,000
  accounts, each sealed with the key ring (removed between runs, untimed); ``read_ms`` is the reading alone. Floor
  as above.

Figures are milliseconds; ``p99`` of few runs is near their maximum; ``read_to_floor`` compares ocilink's reading
(with its bounds) to the floor. The import's deadline (``IMPORT_DEADLINE_SECONDS``, 30 by default) must stay well
above ``p99`` on the production machine.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable

from _setup import django_setup, emit, median, percentile

django_setup()

from openpyxl import load_workbook  # noqa: E402

from ocilink.accounts.models import DeliveryAddress  # noqa: E402
from ocilink.connections import address_sheet  # noqa: E402
from ocilink.connections.address_sheet import address_sheet_build, address_sheet_import  # noqa: E402
from ocilink.connections.models import OciCredential  # noqa: E402
from ocilink.core.spreadsheets import Deadline  # noqa: E402
from ocilink.suppliers.ledger_io import (  # noqa: E402
    MAX_IMPORT_ROWS,
    ledger_table_export_csv,
    ledger_table_export_xlsx,
    ledger_table_import,
    read_rows,
)
from ocilink.suppliers.models import LedgerAccount, LedgerMapping, LedgerTable  # noqa: E402
from tests.conftest import make_shop  # noqa: E402
from tests.factories import DeliveryAddressFactory, OrganizationFactory, UserFactory  # noqa: E402

RUNS = {"ledger": 7, "address_sheet": 7}
WARMUP = 1
ACCOUNTS = 60


def _timed(function: Callable[[], object]) -> float:
    started = time.perf_counter()
    function()
    return (time.perf_counter() - started) * 1000


def _openpyxl_floor(data: bytes) -> None:
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    for _row in workbook.worksheets[0].iter_rows(values_only=True):
        pass
    workbook.close()


def _csv_floor(data: bytes) -> None:
    for _row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")):
        pass


def _emit(case: str, *, rows: int, data: bytes, runs: int, samples: list[float], **medians: list[float]) -> None:
    emit(
        bench="imports",
        case=case,
        rows=rows,
        runs=runs,
        file_kb=round(len(data) / 1024, 1),
        p50_ms=round(median(samples), 1),
        p99_ms=round(percentile(samples, 99), 1),
        **{f"{name}_p50_ms": round(median(values), 1) for name, values in medians.items()},
        **{f"{name}_p99_ms": round(percentile(values, 99), 1) for name, values in medians.items() if name == "floor"},
        read_to_floor=round(median(medians["read"]) / median(medians["floor"]), 2),
    )


def ledger() -> None:
    organization = OrganizationFactory()
    actor = UserFactory()
    accounts = [
        LedgerAccount(organization=organization, code=str(4000 + n), name=f"Account {n}") for n in range(ACCOUNTS)
    ]
    LedgerAccount.objects.bulk_create(accounts)
    accounts = list(LedgerAccount.objects.filter(organization=organization).order_by("code"))
    table = LedgerTable.objects.create(organization=organization)
    LedgerMapping.objects.bulk_create(
        LedgerMapping(table=table, code=str(10_000_000 + 97 * n), account=accounts[n % ACCOUNTS])
        for n in range(MAX_IMPORT_ROWS)
    )
    files = {"ledger_xlsx": ledger_table_export_xlsx(table=table), "ledger_csv": ledger_table_export_csv(table=table)}
    floors = {"ledger_xlsx": _openpyxl_floor, "ledger_csv": _csv_floor}
    for case, data in files.items():
        samples: list[float] = []
        reads: list[float] = []
        floor: list[float] = []
        for attempt in range(RUNS["ledger"] + WARMUP):
            LedgerMapping.objects.filter(table=table).delete()
            elapsed = _timed(
                lambda data=data: ledger_table_import(
                    table=table, data=data, create_missing_accounts=False, actor=actor, deadline=Deadline(3600)
                )
            )
            assert LedgerMapping.objects.filter(table=table).count() == MAX_IMPORT_ROWS
            read = _timed(lambda data=data: sum(1 for _ in read_rows(data, deadline=Deadline(3600))))
            floor_ms = _timed(lambda data=data, case=case: floors[case](data))
            if attempt >= WARMUP:
                samples.append(elapsed)
                reads.append(read)
                floor.append(floor_ms)
        _emit(case, rows=MAX_IMPORT_ROWS, data=data, runs=RUNS["ledger"], samples=samples, read=reads, floor=floor)


def address_sheets() -> None:
    shop = make_shop()  # an organization with one delivery address and a connection
    organization, connection = shop.organization, shop.connection
    more = address_sheet.MAX_ROWS - 2  # the sheet's first row is the organization-wide account
    DeliveryAddress.objects.bulk_create(
        DeliveryAddressFactory.build(organization=organization, label=f"Location {n:05d}", street=f"Street {n}")
        for n in range(more)
    )
    workbook = load_workbook(io.BytesIO(address_sheet_build(organization=organization, language="en")))
    sheet = workbook.worksheets[0]
    for row in sheet.iter_rows(min_row=2):
        number = row[0].row
        values = (f"user{number}", f"Password-{number}", number, f"D{number}", "L")
        for column, value in zip(range(7, 12), values, strict=True):
            sheet.cell(row=number, column=column, value=value)
    output = io.BytesIO()
    workbook.save(output)
    data = output.getvalue()
    samples: list[float] = []
    reads: list[float] = []
    floor: list[float] = []
    for attempt in range(RUNS["address_sheet"] + WARMUP):
        OciCredential.objects.filter(connection=connection).delete()
        report = None

        def run() -> None:
            nonlocal report
            report = address_sheet_import(connection=connection, file=data, deadline=Deadline(3600))

        elapsed = _timed(run)
        assert report is not None
        assert (report.updated, report.rejected) == (address_sheet.MAX_ROWS, []), report
        read = _timed(lambda: address_sheet._read_rows(data, Deadline(3600)))
        floor_ms = _timed(lambda: _openpyxl_floor(data))
        if attempt >= WARMUP:
            samples.append(elapsed)
            reads.append(read)
            floor.append(floor_ms)
    _emit(
        "address_sheet",
        rows=address_sheet.MAX_ROWS,
        data=data,
        runs=RUNS["address_sheet"],
        samples=samples,
        read=reads,
        floor=floor,
    )


def main() -> None:
    ledger()
    address_sheets()


if __name__ == "__main__":
    main()
