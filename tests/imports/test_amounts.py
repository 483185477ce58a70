"""Deal values in CSV imports: European separators and currency signs are read as a person reads them."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from sqlalchemy import select

from salesos.db.session import unit_of_work
from salesos.leads.models import Company, Lead
from tests.conftest import both_databases
from tests.imports.helpers import API, run


def values_by_company(org_id) -> dict[str, tuple[Decimal | None, str]]:  # type: ignore[no-untyped-def]
    with unit_of_work(write=False, org_id=org_id) as session:
        rows = session.execute(select(Company.name, Lead.value, Lead.currency).join(Lead.company))
        # The world's own leads aren't " Co"s.
        return {name: (value, currency) for name, value, currency in rows if name.endswith(" Co")}


def rejects(client, person, import_id) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    got = client.get(f"{API}/imports/{import_id}/rejected.csv", headers=person.headers)
    assert got.status_code == 200
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    return {row[0]: row for row in rows[1:]}


@both_databases
def test_values_with_signs_and_separators_set_amount_and_currency(client, world):
    content = (
        "Company;Value\n"
        "Euro Co;€2.000\n"  # two thousand euros (the audit's case: it was imported as 2 USD)
        "Comma Co;1.234,56 €\n"
        "Dollar Co;$1,200.50\n"
        "Plain Co;1,200\n"
        "Swiss Co;CHF 1'234.50\n"
        "Bad Co;a lot\n"
        "Krona Co;12 500 kr\n"  # which krona? refused rather than guessed
    )
    result = run(client, world.alice, content.encode())
    assert (result["created"], result["rejected"]) == (5, 2)
    assert values_by_company(world.alice.org_id) == {
        "Euro Co": (Decimal("2000.00"), "EUR"),
        "Comma Co": (Decimal("1234.56"), "EUR"),
        "Dollar Co": (Decimal("1200.50"), "USD"),
        "Plain Co": (Decimal("1200.00"), "USD"),
        "Swiss Co": (Decimal("1234.50"), "CHF"),
    }
    refused = rejects(client, world.alice, result["id"])
    assert refused["6"][1:] == ["Deal value: enter an amount such as 1200 or 1,200.50.", "Bad Co", "a lot"]
    assert refused["7"][1] == "Deal value: “kr” could be DKK, ISK, NOK or SEK: write the code instead."


@both_databases
def test_a_currency_column_wins_and_a_value_naming_another_rejects_the_row(client, world):
    content = (
        "Company,Amount,Currency\n"
        "Agree Co,€2.000,EUR\n"
        'Column Co,"1.200,50",eur\n'
        "Krona Co,12 500 kr,SEK\n"
        "Loonie Co,$900,CAD\n"
        "Clash Co,€2.000,USD\n"
        "Unknown Co,5,Bucks\n"
    )
    result = run(client, world.alice, content.encode())
    assert (result["created"], result["rejected"]) == (4, 2)
    assert values_by_company(world.alice.org_id) == {
        "Agree Co": (Decimal("2000.00"), "EUR"),
        "Column Co": (Decimal("1200.50"), "EUR"),
        "Krona Co": (Decimal("12500.00"), "SEK"),
        "Loonie Co": (Decimal("900.00"), "CAD"),
    }
    refused = rejects(client, world.alice, result["id"])
    assert refused["5"][1:] == [
        "Deal value: the amount is in EUR, but the currency is USD.",
        "Clash Co",
        "€2.000",
        "USD",
    ]
    assert refused["6"][1].startswith("Currency: “Bucks” is not a currency")
