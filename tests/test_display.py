"""What an analyst sees in a notebook: errors where they look, tables that read well, frames
that keep their schema with or without rows (issue: pytest and Jupyter, as their users reach
for them)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import portout
from portout import display
from portout.display import RecordList, plural

PIN = "602917"


@pytest.fixture
def session(tmp_path: Path):
    with portout.connect_port_out_store(tmp_path / "s.db", create=True, hash_profile="test",
                                        allow_test_profile=True, actor="analyst@contoso.com") as s:
        for i in range(5):
            portout.new_port_out_tenant(f"t{i}.example", f"T{i}", "US")
        for i in range(9):
            portout.new_port_out_tenant(f"gb{i}.example", f"G{i}", "GB")
        yield s


def test_an_output_shows_its_errors_beside_its_records(session) -> None:
    ids = [t.tenant_id for t in portout.get_port_out_tenant()]
    out = portout.set_port_out_pin(ids, pin=PIN, pass_thru=True, error_action="SilentlyContinue")
    assert (out.succeeded, out.failed, len(out.errors)) == (5, 9, 9)
    text = repr(out)
    assert text.splitlines()[0] == "5 PinStatuses (5 succeeded, 9 failed)"
    assert "9 errors:" in text and text.count("PinNotAvailableOutsideUS,Set-PortOutPin") == 9
    assert "gb0.example: PinNotAvailableOutsideUS" in text
    page = out._repr_html_()
    assert "<b>5 succeeded, 9 failed</b>" in page and "<b>9 errors</b>" in page
    assert page.count("PinNotAvailableOutsideUS") == 9 and "gb8.example" in page
    assert PIN not in text + page


def test_an_error_record_shows_as_powershell_shows_it(session) -> None:
    out = portout.get_port_out_tenant("nosuch.example", error_action="SilentlyContinue")
    [record] = out.errors
    assert repr(record).splitlines() == [
        "Get-PortOutTenant : No tenant has this id.",
        "    + CategoryInfo          : ObjectNotFound: (nosuch.example:String) [Get-PortOutTenant], ObjectNotFoundError",
        "    + FullyQualifiedErrorId : TenantNotFound,Get-PortOutTenant"]
    assert str(record) == "No tenant has this id."
    assert record._repr_html_().startswith("<pre") and "TenantNotFound" in record._repr_html_()


def test_tables_keep_a_readable_width_and_captions_read_as_english(session) -> None:
    tenants = portout.get_port_out_tenant()
    page = tenants._repr_html_()
    assert "<b>14 Tenants</b>" in page and "overflow-x:auto" in page and "white-space:nowrap" in page
    assert ">TenantId<" in page and ">LastModifiedBy<" not in page  # the terminal's view
    assert "2 more columns" in page
    one = RecordList(tenants[:1])
    assert "<b>1 Tenant</b>" in one._repr_html_()
    assert [plural(n, c) for n, c in (("Tenant", 1), ("Tenant", 2), ("PinStatus", 2), ("PolicySettings", 2),
                                      ("more row", 1), ("more row", 3), ("Entry", 2))] == [
        "1 Tenant", "2 Tenants", "2 PinStatuses", "2 PolicySettings", "1 more row", "3 more rows", "2 Entries"]


LISTINGS = {
    "Get-PortOutTenant": {}, "Get-PortOutPin": {}, "Get-PortOutOrder": {}, "Get-PortOutPhoneNumber": {},
    "Get-PortOutAuditLog": {}, "Receive-PortOutNotification": {"Consumer": "analyst"},
}


@pytest.mark.parametrize("name", sorted(LISTINGS))
def test_frames_keep_their_schema_with_or_without_rows(tmp_path: Path, name: str) -> None:
    cmdlet = portout.cmdlets[name]
    with portout.connect_port_out_store(tmp_path / "empty.db", create=True, hash_profile="test",
                                        allow_test_profile=True):
        empty = cmdlet(**LISTINGS[name]).to_pandas() if name != "Get-PortOutAuditLog" else None
    with portout.connect_port_out_store(tmp_path / "full.db", create=True, hash_profile="test",
                                        allow_test_profile=True):
        portout.new_port_out_tenant("contoso.example", "Contoso")
        portout.set_port_out_pin("contoso.example", pin=PIN)
        portout.add_port_out_phone_number("contoso.example", "+14255550100")
        portout.new_port_out_order("contoso.example", phone_number=["+14255550100"], pin=PIN,
                                   gaining_carrier="Northwind")
        full = cmdlet(**LISTINGS[name]).to_pandas()
    assert len(full) >= 1
    if empty is not None:
        assert len(empty) == 0
        assert list(empty.columns) == list(full.columns)
        assert empty.dtypes.astype(str).to_dict() == full.dtypes.astype(str).to_dict()
    for column, dtype in full.dtypes.items():
        if column.endswith("_date_time") or column in ("locked_until", "foc_date", "requested_foc_date"):
            assert isinstance(dtype, pd.DatetimeTZDtype), column  # timezone-aware, even all None


def test_an_empty_list_groups_by_its_columns(tmp_path: Path) -> None:
    with portout.connect_port_out_store(tmp_path / "s.db", create=True, hash_profile="test",
                                        allow_test_profile=True):
        frame = portout.get_port_out_order().to_pandas()
    assert frame.groupby("status", observed=False).size().empty
    assert isinstance(frame["status"].dtype, pd.CategoricalDtype)
    assert str(frame["created_date_time"].dtype) == "datetime64[ns, UTC]"


def test_every_kind_names_a_field_there_is() -> None:
    fields = {f for cls in display.RECORD_TYPES for f in cls._fields}
    assert set(display._KINDS) <= fields
