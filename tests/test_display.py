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
    assert "6 more columns" in page  # LastModifiedBy and the account details
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


# -- item 6: the rest shows what it is --------------------------------------------------------

def test_the_cmdlet_table_lists_each_cmdlet_with_its_synopsis() -> None:
    text = repr(portout.cmdlets)
    assert "at 0x" not in text
    assert text.startswith(f"<{len(portout.cmdlets)} portout cmdlets")
    assert "Set-PortOutPin" in text and "set_port_out_pin" in text
    assert "Sets or changes a tenant's port-out PIN." in text
    page = portout.cmdlets._repr_html_()
    assert page.count("<tr>") == len(portout.cmdlets) + 1
    for name in portout.cmdlets:
        assert f"<code>{name}</code>" in page
        assert portout.cmdlets[name].synopsis.replace("'", "&#x27;") in page
    one = portout.cmdlets["Set-PortOutPin"]
    assert repr(one).splitlines()[1].startswith("Set-PortOutPin [-Identity] <String[]> -Pin")
    assert "<code>-Pin</code>" in one._repr_html_() and "Roles:" in one._repr_html_()


def test_a_listing_shows_its_first_rows_and_still_gives_them_all(session) -> None:
    tenants = session.store.tenants()
    assert "generator object" not in repr(tenants)
    text = repr(tenants)
    assert text.startswith("<Records: tenants of ") and "the next 10, more follow" in text
    assert "TenantId" in text and "gb0.example" in text
    page = tenants._repr_html_()
    assert "<b>14 Tenants</b>" in page and "that is all" in page
    # Shown, not used up: iterating still gives every tenant, once, in order.
    ids = [t.tenant_id for t in tenants]
    assert len(ids) == 14 and ids == sorted(ids)
    assert repr(tenants).endswith("none (left)>")
    assert next(session.store.tenants()).tenant_id == "gb0.example"
    frame = session.store.pin_statuses().to_pandas()
    assert len(frame) == 14 and str(frame.pin_is_set.dtype) == "boolean"
    first = session.store.audit_events(first=3)
    assert "3 AuditEvents" in first._repr_html_() and len(list(first)) == 3
    assert "no orders" in session.store.orders()._repr_html_()


def test_many_records_show_the_next_page_and_say_more_follow(tmp_path: Path) -> None:
    with portout.Store.open(str(tmp_path / "big.db"), profile="test", allow_test_profile=True,
                            create=True) as store:
        store.import_tenants([(f"t{i:03d}.example", "T", "US") for i in range(120)])
        listing = store.tenants(batch_size=7)
        page = listing._repr_html_()
        assert f"<b>The next {display.MAX_ROWS} Tenants</b>" in page and "more follow" in page
        assert page.count("<tr>") == display.MAX_ROWS + 1
        assert sum(1 for _ in listing) == 120


def test_a_store_shows_where_it_is_who_acts_and_its_tenants(session, tmp_path: Path) -> None:
    store = session.store
    portout.set_port_out_pin("t0.example", pin=PIN)
    portout.enable_port_out_freeze("t1.example", confirm=False)
    text = repr(store)
    assert str(tmp_path / "s.db") in text and "role='StoreAdmin'" in text
    assert "actor='analyst@contoso.com'" in text
    assert "14 tenants (5 US, 1 with a PIN, 1 frozen, 0 locked)" in text
    page = store._repr_html_()
    for label in ("Location", "Role", "Actor", "Tenants", "Hash profile", "Store id", "Key id"):
        assert f">{label}</th>" in page
    assert "14 tenants (5 US, 1 with a PIN, 1 frozen, 0 locked)" in page
    assert "PortOutSession" in repr(session) and "14 tenants" in repr(session)
    assert "<b>PortOutSession</b>" in session._repr_html_() and ">Key id</th>" in session._repr_html_()
    assert store.tenant_counts().to_dict() == {"tenants": 14, "us": 5, "with_pin": 1,
                                               "frozen": 1, "locked": 0}

    with portout.Store.open(str(tmp_path / "s.db"), allow_test_profile=True, role="Auditor",
                            tenant_scope=["t0.example", "gb0.example"]) as scoped:
        assert "2 tenants (1 US, 1 with a PIN, 0 frozen, 0 locked)" in repr(scoped)
        assert "scope=" in repr(scoped)
    denied_before = len(list(store.audit_events(event_type="AccessDenied")))
    with portout.Store.open(str(tmp_path / "s.db"), allow_test_profile=True, role="Carrier",
                            actor="carrier") as carrier:
        assert "not shown to a Carrier" in repr(carrier) and "not shown" in carrier._repr_html_()
    assert len(list(store.audit_events(event_type="AccessDenied"))) == denied_before, \
        "showing a store writes nothing"
    store_copy = portout.Store.open(str(tmp_path / "s.db"), allow_test_profile=True)
    store_copy.close()
    assert repr(store_copy).endswith("closed>")
