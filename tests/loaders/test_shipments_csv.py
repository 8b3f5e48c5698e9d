"""shipments-csv: customs records become parties and shipments with HS-6 and CHPL tier."""

from collections.abc import Callable
from pathlib import Path

import pytest

from ownergraph.ingest import LoadSummary
from ownergraph.workspace import Workspace

Load = Callable[..., LoadSummary]
HEADER = (
    "declaration_id,date,exporter_name,exporter_country,exporter_id,importer_name,"
    "importer_country,importer_id,declarant_name,declarant_country,declarant_id,hs_code,"
    "description,quantity,unit,value,currency,origin_country,destination_country,source_url,"
    "transport\n"
)
GOOD = (
    "KZ1,2023-03-14,Kestrel Bauteile GmbH,DE,lei:5493001KJTIIGC8Y1R12,ТОО «Береке Трейд»,KZ,"
    "bin:230340355717,Tranzit Broker LLP,KZ,,8542.31.0000,microcontrollers,1200,pcs,"
    '"14,500.00",usd,DE,KZ,https://example.org/kz1,road\n'
    "KZ1,2023-03-14,Kestrel Bauteile GmbH,DE,lei:5493001KJTIIGC8Y1R12,ТОО «Береке Трейд»,KZ,"
    "bin:230340355717,Tranzit Broker LLP,KZ,,85176200,routers,10,pcs,900,USD,DE,KZ,,road\n"
    "RU7,2023-04-02,BEREKE TREID TOO,KZ,,OOO Vostok,Russia,,,,,870323,car,1,pcs,30000,USD,DE,RU,,\n"
)


def _load(tmp_path: Path, load: Load, text: str) -> LoadSummary:
    path = tmp_path / "shipments.csv"
    path.write_text(HEADER + text, encoding="utf-8")
    return load("shipments-csv", path, dataset="customs")


def test_shipments_carry_hs6_chpl_tier_values_and_extra_columns(
    tmp_path: Path, load: Load, workspace: Workspace
) -> None:
    summary = _load(tmp_path, load, GOOD)
    assert summary.rejected == 0
    rows = {row["id"]: row for row in workspace.query("SELECT * FROM shipments")}
    assert set(rows) == {"customs:KZ1/1", "customs:KZ1/2", "customs:RU7/1"}
    first = rows["customs:KZ1/1"]
    assert (first["hs6"], first["chpl_tier"], first["value"], first["currency"]) == (
        "854231", "1", 14500.0, "USD",
    )  # fmt: skip
    assert first["source_url"] == "https://example.org/kz1"
    assert '"transport":"road"' in first["data"]
    assert rows["customs:KZ1/2"]["chpl_tier"] == "2"
    assert rows["customs:RU7/1"]["chpl_tier"] is None


def test_parties_are_records_per_spelling_with_identifiers_and_broker_topic(
    tmp_path: Path, load: Load, workspace: Workspace
) -> None:
    _load(tmp_path, load, GOOD)
    shipment = workspace.query("SELECT * FROM shipments WHERE id = 'customs:KZ1/1'")[0]
    importer = workspace.query("SELECT * FROM entities WHERE id = ?", (shipment["importer_id"],))[0]
    assert importer["name"] == "ТОО «Береке Трейд»"
    assert "bin:230340355717" in importer["data"]
    broker = workspace.query("SELECT * FROM entities WHERE id = ?", (shipment["declarant_id"],))[0]
    assert "customs.broker" in broker["data"]
    later = workspace.query("SELECT exporter_id FROM shipments WHERE id = 'customs:RU7/1'")[0][0]
    assert later != shipment["importer_id"], "a name-only spelling is its own record until resolved"
    assert workspace.query("SELECT count(*) FROM entities")[0][0] == 5


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("X1,2023-02-30,A,DE,,B,KZ,,,,,,,1,,1,,,,,\n", "date"),
        ("X1,2023-02-01,A,DE,,B,KZ,,,,,,,lots,,1,,,,,\n", "quantity"),
        ("X1,2023-02-01,,DE,,B,KZ,,,,,,,1,,1,,,,,\n", "exporter and importer"),
        ("X1,2023-02-01,A,DE,7701,B,KZ,,,,,,,1,,1,,,,,\n", "not scheme:value"),
        (",2023-02-01,A,DE,,B,KZ,,,,,,,1,,1,,,,,\n", "declaration_id"),
    ],
)
def test_bad_shipment_rows_are_rejected_and_leave_no_orphan_party(
    tmp_path: Path, load: Load, workspace: Workspace, row: str, reason: str
) -> None:
    summary = _load(tmp_path, load, row + GOOD)
    assert summary.rejected == 1
    reject = workspace.query("SELECT line, reason FROM rejects")[0]
    assert (reject["line"], reason in reject["reason"]) == (2, True)
    assert workspace.query("SELECT count(*) FROM shipments")[0][0] == 3
    names = {row[0] for row in workspace.query("SELECT name FROM entities")}
    assert "A" not in names


def test_a_party_first_seen_on_a_rejected_row_is_still_written_later(
    tmp_path: Path, load: Load, workspace: Workspace
) -> None:
    bad = "X1,never,Solo Exporter GmbH,DE,,B,KZ,,,,,,,1,,1,,,,,\n"
    good = "X2,2023-02-01,Solo Exporter GmbH,DE,,B,KZ,,,,,,,1,,1,,,,,\n"
    _load(tmp_path, load, bad + good)
    exporter = workspace.query("SELECT exporter_id FROM shipments")[0][0]
    assert workspace.query("SELECT name FROM entities WHERE id = ?", (exporter,))[0][0] == (
        "Solo Exporter GmbH"
    )
