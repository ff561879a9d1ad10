"""Port-out orders, the number inventory, the freeze and the notification outbox."""

from __future__ import annotations

import multiprocessing
import signal
import subprocess
import sys
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest

import portout
from conftest import START, logical_digest

PIN = "602917"
N1, N2, N3 = "+14255550100", "+14255550101", "+14255550102"


@pytest.fixture(autouse=True)
def _key_from_environment(key_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Every session of a test, in this process or another, opens the test's store with its key.
    monkeypatch.setenv("PORTOUT_KEY_FILE", str(key_file))


def open_as(path: str, role: str = "StoreAdmin", actor: str = "admin@contoso.com",
            clock: portout.ManualClock | None = None) -> portout.Store:
    return portout.Store.open(path, profile="test", allow_test_profile=True, role=role, actor=actor,
                              clock=clock)


@pytest.fixture
def admin(store: portout.Store) -> portout.Store:
    store.create_tenant("contoso.com", "Contoso")
    store.set_pin("contoso.com", PIN)
    for n in ("(425) 555-0100", "+1 425 555 0101", "425.555.0102"):
        store.add_phone_number("contoso.com", n)
    return store


@pytest.fixture
def carrier(admin: portout.Store, location: str, clock: portout.ManualClock):
    with open_as(location, "Carrier", "northwind-carrier", clock) as s:
        yield s


# -- the inventory -------------------------------------------------------------------------

def test_numbers_are_kept_in_e164(admin: portout.Store) -> None:
    assert [n.phone_number for n in admin.phone_numbers("contoso.com")] == [N1, N2, N3]
    assert {n.tenant_id for n in admin.phone_numbers()} == {"contoso.com"}


@pytest.mark.parametrize("number, error_id", [
    ("", "InvalidPhoneNumber"), ("hello", "InvalidPhoneNumber"), ("12", "InvalidPhoneNumber"),
    ("+1 425 555 0100 ext 7", "InvalidPhoneNumber"), ("+44 20 7946 0958", "PhoneNumberNotInUS"),
    ("+1 416 555 0199", "PhoneNumberNotInUS"), ("+14255550100", "PhoneNumberAlreadyInInventory"),
    ("x" * 100, "InvalidPhoneNumber"), ("\u0664\u0662\u0665", "InvalidPhoneNumber"),
])
def test_bad_numbers_are_refused_and_change_nothing(admin: portout.Store, location: str,
                                                    number: str, error_id: str) -> None:
    before = logical_digest(location)
    with pytest.raises(portout.PortOutError) as caught:
        admin.add_phone_number("contoso.com", number)
    assert caught.value.error_id == error_id
    assert logical_digest(location) == before


def test_a_number_belongs_to_one_tenant(admin: portout.Store) -> None:
    admin.create_tenant("fabrikam.com", "Fabrikam")
    with pytest.raises(portout.ResourceExistsError) as caught:
        admin.add_phone_number("fabrikam.com", N1)
    assert caught.value.error_id == "PhoneNumberHeldByAnotherTenant"
    assert "contoso" not in str(caught.value)


def test_the_cmdlet_reports_per_number(admin: portout.Store, location: str) -> None:
    with portout.connect_port_out_store(location, create=True, hash_profile="test",
                                        allow_test_profile=True):
        out = portout.add_port_out_phone_number(
            "contoso.com", ["+1 425 555 0103", "nonsense", "+44 20 7946 0958", "+1 425 555 0104"],
            error_action="Continue")
        assert (out.succeeded, out.failed) == (2, 2)
        assert [e.fully_qualified_error_id for e in out.errors] == [
            "InvalidPhoneNumber,Add-PortOutPhoneNumber", "PhoneNumberNotInUS,Add-PortOutPhoneNumber"]
        assert [e.target for e in out.errors] == ["nonsense", "+44 20 7946 0958"]


def test_removing_numbers(admin: portout.Store, carrier: portout.Store) -> None:
    admin.remove_phone_number("contoso.com", "425-555-0102")
    with pytest.raises(portout.ObjectNotFoundError):
        admin.remove_phone_number("contoso.com", N3)
    order = carrier.submit_order("contoso.com", [N1], PIN, "Northwind")
    with pytest.raises(portout.InvalidOperationError) as caught:
        admin.remove_phone_number("contoso.com", N1)
    assert caught.value.error_id == "PhoneNumberInOpenOrder"
    admin.cancel_order(order.order_id, "CustomerRequest")
    admin.remove_phone_number("contoso.com", N1)


# -- orders ----------------------------------------------------------------------------------

def test_the_whole_lifecycle(admin: portout.Store, carrier: portout.Store,
                             clock: portout.ManualClock) -> None:
    order = carrier.submit_order("contoso.com", ["(425) 555-0100", N2], PIN, "Northwind",
                                 requested_foc_date=START + timedelta(days=7))
    assert (order.status, order.reason, order.internal_reason) == ("PendingReview", None, None)
    assert order.phone_numbers == (N1, N2)
    assert order.requested_foc_date == START + timedelta(days=7)
    assert order.submitted_by == "northwind-carrier"
    assert order.review_deadline == START + timedelta(days=1), "24 business hours from a Monday"
    clock.advance(3600)
    approved = admin.approve_order(order.order_id, "checked with Contoso")
    assert (approved.status, approved.comment) == ("Approved", "checked with Contoso")
    confirmed = admin.confirm_order(order.order_id, START + timedelta(days=8))
    assert (confirmed.status, confirmed.foc_date) == ("Confirmed", START + timedelta(days=8))
    with pytest.raises(portout.InvalidOperationError) as early:
        admin.complete_order(order.order_id)
    assert early.value.error_id == "FocNotReached"
    clock.advance(timedelta(days=8))
    completed = admin.complete_order(order.order_id)
    assert completed.status == "Completed"
    assert [n.phone_number for n in admin.phone_numbers("contoso.com")] == [N3]
    kinds = [n.kind for n in admin.receive_notifications("test", max_count=100)]
    assert kinds[-4:] == ["PortOutRequest", "OrderApproved", "OrderConfirmed", "OrderCompleted"]
    assert [e.event_type for e in admin.audit_events("contoso.com")][-4:] == [
        "PortOutRequested", "OrderApproved", "OrderConfirmed", "OrderCompleted"]
    steps = admin.order_history(order.order_id)
    assert [(s.actor, s.from_status, s.to_status) for s in steps] == [
        ("northwind-carrier", None, "PendingReview"), ("admin@contoso.com", "PendingReview", "Approved"),
        ("admin@contoso.com", "Approved", "Confirmed"), ("admin@contoso.com", "Confirmed", "Completed")]
    assert [s.internal_reason for s in carrier.order_history(order.order_id)] == [None] * 4


@pytest.mark.parametrize("move, start", [
    ("complete", "PendingReview"), ("confirm", "Confirmed"), ("confirm", "Completed"),
    ("cancel", "Completed"), ("confirm", "Cancelled"), ("complete", "Cancelled"),
    ("confirm", "Rejected"), ("cancel", "Rejected"), ("complete", "Rejected"),
])
def test_invalid_transitions_change_nothing(admin: portout.Store, carrier: portout.Store,
                                            clock: portout.ManualClock, location: str, move: str,
                                            start: str) -> None:
    order = carrier.submit_order("contoso.com", [N1], PIN if start != "Rejected" else "000001",
                                 "Northwind")
    foc = START + timedelta(days=3)
    if start in ("Confirmed", "Completed"):
        admin.confirm_order(order.order_id, foc)
    if start == "Completed":
        clock.advance(timedelta(days=3))
        admin.complete_order(order.order_id)
    if start == "Cancelled":
        admin.cancel_order(order.order_id, "CustomerRequest")
    assert admin.get_order(order.order_id).status == start
    before = logical_digest(location)
    call = {"confirm": lambda: admin.confirm_order(order.order_id, foc),
            "complete": lambda: admin.complete_order(order.order_id),
            "cancel": lambda: admin.cancel_order(order.order_id, "CustomerRequest")}[move]
    with pytest.raises(portout.InvalidOperationError) as caught:
        call()
    assert caught.value.error_id == "InvalidOrderTransition"
    assert logical_digest(location) == before


@pytest.mark.parametrize("setup, internal", [
    ("wrong", "WrongPin"), ("nopin", "PinNotSet"), ("locked", "Locked"),
    ("unknown", "UnknownTenant"), ("abroad", "NotInUS"),
])
def test_the_carrier_cannot_tell_why_its_pin_failed(admin: portout.Store, carrier: portout.Store,
                                                    setup: str, internal: str) -> None:
    tenant, pin = "contoso.com", PIN
    if setup == "wrong":
        pin = "481605"
    elif setup == "nopin":
        tenant = "nopin.example"
        admin.create_tenant(tenant, "No PIN")
    elif setup == "locked":
        admin.set_policy("contoso.com", max_failed_attempts=1)
        carrier.submit_order("contoso.com", [N1], "000001", "Northwind")
    elif setup == "unknown":
        tenant = "unknown.example"
    elif setup == "abroad":
        tenant = "fabrikam.co.uk"
        admin.create_tenant(tenant, "Fabrikam", "GB")
    order = carrier.submit_order(tenant, [N1], pin, "Northwind")
    assert (order.status, order.reason, order.internal_reason) == ("Rejected", "PinNotAccepted", None)
    assert order.number_problems == {}, "nothing about numbers before the PIN is right"
    seen = admin.get_order(order.order_id)
    assert (seen.reason, seen.internal_reason) == ("PinNotAccepted", internal)
    [note] = [n for n in admin.receive_notifications("admin", max_count=1000)
              if n.order_id == order.order_id]
    assert internal in note.summary and PIN not in note.details


def test_a_frozen_tenant_is_disclosed_only_to_the_right_pin(admin: portout.Store, carrier: portout.Store) -> None:
    admin.set_freeze("contoso.com", True)
    assert admin.get_tenant("contoso.com").port_out_frozen
    before = portout._core.argon2_computations()
    order = carrier.submit_order("contoso.com", [N1], "000001", "Northwind")
    # A wrong PIN learns nothing of the freeze: the answer, and the work, of any wrong PIN.
    assert (order.status, order.reason) == ("Rejected", "PinNotAccepted")
    assert portout._core.argon2_computations() == before + 1
    assert admin.pin_status("contoso.com").failed_attempt_count == 1
    assert carrier.submit_order("contoso.com", [N1], PIN, "Northwind").reason == "PortOutFrozen"
    assert admin.pin_status("contoso.com").failed_attempt_count == 0
    admin.set_freeze("contoso.com", False)
    assert carrier.submit_order("contoso.com", [N1], PIN, "Northwind").status == "PendingReview"
    kinds = [e.event_type for e in admin.audit_events("contoso.com")]
    assert "PortOutFrozen" in kinds and "PortOutUnfrozen" in kinds


def test_numbers_the_tenant_does_not_hold_are_named(admin: portout.Store, carrier: portout.Store) -> None:
    order = carrier.submit_order("contoso.com", [N1, "+1 206 555 0123"], PIN, "Northwind")
    assert (order.status, order.reason) == ("Rejected", "NumberNotOwned")
    assert order.number_problems == {"+12065550123": "NumberNotOwned"}
    first = carrier.submit_order("contoso.com", [N1], PIN, "Northwind")
    second = carrier.submit_order("contoso.com", [N1, N2], PIN, "Northwind")
    assert first.status == "PendingReview"
    assert (second.status, second.number_problems) == ("Rejected", {N1: "NumberInOpenOrder"})


def test_a_carrier_sees_only_its_own_orders(admin: portout.Store, location: str) -> None:
    with open_as(location, "Carrier", "northwind") as northwind, \
            open_as(location, "Carrier", "tailspin") as tailspin:
        mine = northwind.submit_order("contoso.com", [N1], PIN, "Northwind")
        theirs = tailspin.submit_order("contoso.com", [N2], PIN, "Tailspin")
        assert [o.order_id for o in northwind.orders()] == [mine.order_id]
        with pytest.raises(portout.ObjectNotFoundError):
            northwind.get_order(theirs.order_id)
        with pytest.raises(portout.ObjectNotFoundError):
            northwind.cancel_order(theirs.order_id, "CustomerRequest")
        assert northwind.cancel_order(mine.order_id, "CustomerRequest").status == "Cancelled"
        for forbidden in (lambda: northwind.pin_status("contoso.com"),
                          lambda: northwind.confirm_order(theirs.order_id, START),
                          lambda: northwind.add_phone_number("contoso.com", "+14255550199"),
                          lambda: northwind.approve_order(theirs.order_id)):
            with pytest.raises(portout.PermissionDeniedError):
                forbidden()
        # Its own consumer hears of its own orders only, and is told no exact reason.
        heard = northwind.receive_notifications("orders")
        assert [(n.kind, n.order_id) for n in heard] == [
            ("PortOutRequest", mine.order_id), ("OrderCancelled", mine.order_id)]
        assert all("WrongPin" not in n.details and "internal" not in n.details for n in heard)
    assert [o.gaining_carrier for o in admin.orders(status="PendingReview")] == ["Tailspin"]


@pytest.mark.parametrize("kwargs, error_id", [
    ({"phone_numbers": []}, "NoPhoneNumbers"),
    ({"phone_numbers": [f"+1425555{i:04d}" for i in range(1001)]}, "TooManyPhoneNumbers"),
    ({"phone_numbers": ["garbage"]}, "InvalidPhoneNumber"),
    ({"gaining_carrier": " "}, "InvalidCarrier"),
    ({"tenant_id": "not a tenant"}, "InvalidTenantId"),
    ({"pin": 602917}, "PinNotString"),
])
def test_malformed_requests_are_errors_and_store_nothing(admin: portout.Store, carrier: portout.Store,
                                                          location: str, kwargs: dict,
                                                          error_id: str) -> None:
    request = {"tenant_id": "contoso.com", "phone_numbers": [N1], "pin": PIN,
               "gaining_carrier": "Northwind", **kwargs}
    before = logical_digest(location)
    with pytest.raises(portout.PortOutError) as caught:
        carrier.submit_order(**request)
    assert caught.value.error_id == error_id
    assert logical_digest(location) == before


def test_two_threads_one_number_one_order(admin: portout.Store, location: str) -> None:
    def request(i: int) -> str:
        with open_as(location, "Carrier", f"carrier{i}") as s:
            return s.submit_order("contoso.com", [N1], PIN, f"Carrier {i}").status
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(request, range(8)))
    assert statuses.count("PendingReview") == 1 and statuses.count("Rejected") == 7


def _request(path: str, i: int) -> str:
    with portout.Store.open(path, profile="test", allow_test_profile=True, role="Carrier",
                            actor=f"carrier{i}") as s:
        return s.submit_order("contoso.com", [N2], PIN, f"Carrier {i}").status


def test_two_processes_one_number_one_order(admin: portout.Store, location: str) -> None:
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        statuses = pool.starmap(_request, [(location, i) for i in range(8)])
    assert statuses.count("PendingReview") == 1


# -- the outbox ------------------------------------------------------------------------------

def test_every_event_is_notified(admin: portout.Store, carrier: portout.Store, tmp_path: Path) -> None:
    admin.check_pin("contoso.com", "000001")
    admin.unlock_pin("contoso.com")
    admin.set_pin("contoso.com", "481605")
    admin.set_freeze("contoso.com", True)
    admin.set_freeze("contoso.com", False)
    order = carrier.submit_order("contoso.com", [N1], "481605", "Northwind")
    carrier.cancel_order(order.order_id, "CustomerRequest")
    admin.set_policy("contoso.com", max_failed_attempts=1)
    admin.check_pin("contoso.com", "000001")
    admin.rotate_key(tmp_path / "new.key")
    kinds = [n.kind for n in admin.receive_notifications("audit-trail", max_count=1000)]
    assert kinds == ["PinSet", "PinCheckFailed", "PinUnlocked", "PinChanged", "PortOutFrozen",
                     "PortOutUnfrozen", "PortOutRequest", "OrderCancelled", "PinCheckFailed",
                     "PinLockedOut", "KeyRotated"]


def test_each_consumer_sees_everything_until_it_acknowledges(admin: portout.Store) -> None:
    first = admin.receive_notifications("pager")
    assert [n.kind for n in first] == ["PinSet"]
    assert admin.receive_notifications("pager") == first, "not acknowledged: handed again"
    assert admin.acknowledge_notifications("pager", [first[0].notification_id]) == 1
    assert admin.acknowledge_notifications("pager", [first[0].notification_id, 999]) == 0
    assert admin.receive_notifications("pager") == []
    assert admin.receive_notifications("siem") == first, "another consumer sees it still"
    admin.set_freeze("contoso.com", True)
    admin.set_freeze("contoso.com", False)
    pending = admin.receive_notifications("pager")
    assert [n.kind for n in pending] == ["PortOutFrozen", "PortOutUnfrozen"]
    admin.acknowledge_notifications("pager", pending[1].notification_id)  # out of order
    assert admin.receive_notifications("pager") == pending[:1]
    admin.acknowledge_notifications("pager", pending[0].notification_id)
    assert admin.receive_notifications("pager") == []
    with pytest.raises(portout.InvalidArgumentError):
        admin.receive_notifications("no spaces allowed")


def test_the_follower_acknowledges_after_the_handler(admin: portout.Store) -> None:
    admin.set_freeze("contoso.com", True)
    seen: list[str] = []

    def crashing(n: portout.Notification) -> None:
        seen.append(n.kind)
        if n.kind == "PortOutFrozen":
            raise RuntimeError("the consumer crashed")

    with pytest.raises(RuntimeError):
        portout.follow_notifications(admin, "pager", crashing, once=True)
    assert seen == ["PinSet", "PortOutFrozen"]
    handled = portout.follow_notifications(admin, "pager", lambda n: seen.append(n.kind), once=True)
    assert handled == 1 and seen[-1] == "PortOutFrozen"
    stop = threading.Event()
    follower = threading.Thread(target=portout.follow_notifications,
                                args=(admin, "pager", lambda n: seen.append(n.kind)),
                                kwargs={"poll_interval": 0.01, "stop": stop})
    follower.start()
    admin.set_freeze("contoso.com", False)
    deadline = time.monotonic() + 10
    while seen[-1] != "PortOutUnfrozen":
        assert time.monotonic() < deadline
        time.sleep(0.01)
    stop.set()
    follower.join()


BURST = textwrap.dedent("""
    import sys, portout
    s = portout.Store.open(sys.argv[1], profile="test", allow_test_profile=True, role="Carrier",
                           actor="burst")
    print("ready", flush=True)
    i = 0
    while True:
        s.submit_order("contoso.com", ["+14255550100"], "602917" if i % 2 else "000001", "Burst")
        i += 1
""")


def test_a_killed_burst_leaves_orders_and_notifications_together(admin: portout.Store,
                                                                  location: str) -> None:
    admin.set_policy("contoso.com", max_failed_attempts=100)
    for round_ in range(3):
        child = subprocess.Popen([sys.executable, "-c", BURST, location], stdout=subprocess.PIPE,
                                 text=True)
        assert child.stdout is not None and child.stdout.readline() == "ready\n"
        time.sleep(0.2 + 0.1 * round_)
        child.send_signal(signal.SIGKILL)
        child.wait()
    orders = {o.order_id for o in admin.orders()}
    noted = {n.order_id for n in admin.receive_notifications("burst-check", max_count=10000)
             if n.kind == "PortOutRequest"}
    audited = len(list(admin.audit_events(event_type="PortOutRequested")))
    assert len(orders) > 3
    assert orders == noted and audited == len(orders)
    assert admin.verify_audit().is_valid


@pytest.mark.parametrize("order_id", ["\ud800", "x\udfffy", "", "no-such-order", "\x00"])
def test_an_unknown_order_id_is_not_found_whatever_its_bytes(admin: portout.Store, order_id: str) -> None:
    with pytest.raises(portout.ObjectNotFoundError) as caught:
        admin.get_order(order_id)
    assert caught.value.error_id == "OrderNotFound"


def _raw_count(location: str, table: str) -> int:
    from conftest import POSTGRES, _postgres_schema

    if not location.startswith("postgresql://"):
        import sqlite3
        from contextlib import closing

        with closing(sqlite3.connect(f"file:{location}?mode=ro", uri=True)) as db:
            return int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    import psycopg2

    with psycopg2.connect(POSTGRES) as db, db.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {_postgres_schema(location)}.{table}")
        return int(cursor.fetchone()[0])


def test_acknowledgements_keep_to_the_sessions_scope(admin: portout.Store, location: str) -> None:
    """The reported case: a session scoped to one tenant cleared another tenant's alerts."""
    admin.create_tenant("fabrikam.com", "Fabrikam")
    admin.set_pin("fabrikam.com", PIN)
    admin.set_freeze("fabrikam.com", True)
    scoped = portout.Store.open(location, profile="test", allow_test_profile=True, role="TelephonyAdmin",
                                actor="contoso-admin", tenant_scope="contoso.com")
    fabrikam = portout.Store.open(location, profile="test", allow_test_profile=True, role="TelephonyAdmin",
                                  actor="fabrikam-admin", tenant_scope="fabrikam.com")
    try:
        everything = [n.notification_id for n in admin.receive_notifications("pager", max_count=1000)]
        theirs = [n.notification_id for n in fabrikam.receive_notifications("pager", max_count=1000)]
        assert len(theirs) == 2 and set(theirs) < set(everything)
        tables = ("notification_acks", "notification_consumers")
        before = logical_digest(location, tables)
        events = len(list(admin.audit_events()))
        # Another scope's ids, and a sweep over every id: nothing of theirs is touched.
        assert scoped.acknowledge_notifications("pager", theirs) == 0
        assert scoped.acknowledge_notifications("pager", list(range(1, 10000))) == 1  # its own PinSet
        assert [n.notification_id for n in fabrikam.receive_notifications("pager", max_count=1000)] == theirs
        assert [n.notification_id for n in admin.receive_notifications("pager", max_count=1000)] == everything, \
            "the provider's own pager lost alerts to a scoped session"
        assert scoped.receive_notifications("pager") == []
        # Audited, once, naming the consumer; the refused part changed nothing else.
        acks = list(admin.audit_events(event_type="NotificationsAcknowledged"))
        assert len(acks) == 1 and acks[0].actor == "contoso-admin" and "consumer=pager" in acks[0].details
        assert len(list(admin.audit_events())) == events + 1
        assert logical_digest(location, tables) != before
        # Bounded bookkeeping: the scoped consumer's mark moves past the other tenant's
        # unacknowledged notifications, so nothing is kept above it.
        for _ in range(20):
            admin.set_freeze("contoso.com", True)
            admin.set_freeze("fabrikam.com", False)
            admin.set_freeze("contoso.com", False)
            admin.set_freeze("fabrikam.com", True)
            mine = [n.notification_id for n in scoped.receive_notifications("pager", max_count=1000)]
            assert scoped.acknowledge_notifications("pager", mine) == len(mine) == 2
        assert _raw_count(location, "notification_acks") == 0
        assert scoped.receive_notifications("pager") == []
        assert len(fabrikam.receive_notifications("pager", max_count=1000)) == 2 + 40
    finally:
        scoped.close()
        fabrikam.close()


def test_a_tenant_with_an_order_in_flight_is_not_removed(admin: portout.Store, carrier: portout.Store,
                                                         location: str) -> None:
    order = carrier.submit_order("contoso.com", [N1], PIN, "Northwind")
    before = logical_digest(location)
    for confirm in (False, True):
        if confirm:
            admin.confirm_order(order.order_id, START + timedelta(days=3))
            before = logical_digest(location)
        with pytest.raises(portout.InvalidOperationError) as caught:
            admin.remove_tenant("contoso.com")
        assert caught.value.error_id == "TenantHasOpenOrders"
        assert caught.value.target == "contoso.com"
        assert logical_digest(location) == before, "a refused removal changed the store"


def test_a_recreated_tenant_starts_clean(admin: portout.Store, carrier: portout.Store, location: str,
                                        clock: portout.ManualClock) -> None:
    """The reported case: a re-created id inherited the old tenant's numbers, orders and history,
    and completing an inherited order released the new owner's number."""
    done = carrier.submit_order("contoso.com", [N1], PIN, "Northwind")
    admin.confirm_order(done.order_id, START + timedelta(days=3))
    clock.advance(timedelta(days=3))
    admin.complete_order(done.order_id)
    cancelled = carrier.submit_order("contoso.com", [N2], PIN, "Northwind")
    carrier.cancel_order(cancelled.order_id, "CustomerRequest")
    admin.remove_tenant("contoso.com")
    removed = list(admin.audit_events("contoso.com", event_type="TenantRemoved"))
    assert len(removed) == 1
    assert "numbers_released=2" in removed[0].details and "orders_removed=2" in removed[0].details

    admin.create_tenant("contoso.com", "Contoso Again")
    admin.set_pin("contoso.com", "481605")
    admin.add_phone_number("contoso.com", N2)
    assert [n.phone_number for n in admin.phone_numbers("contoso.com")] == [N2]
    assert list(admin.orders("contoso.com")) == []
    for gone in (done.order_id, cancelled.order_id):
        with pytest.raises(portout.ObjectNotFoundError):
            admin.get_order(gone)
    history = [e.event_type for e in admin.audit_events("contoso.com")]
    assert history == ["TenantCreated", "PinSet", "PhoneNumberAdded"]
    with portout.Store.open(location, profile="test", allow_test_profile=True, role="TelephonyAdmin",
                            actor="new-owner", tenant_scope="contoso.com") as owner:
        assert [e.event_type for e in owner.audit_events()] == history
        assert [n.kind for n in owner.receive_notifications("pager", max_count=1000)] == ["PinSet"]
        assert list(owner.orders()) == []
    # The store-wide log keeps the whole story, and the chain holds.
    everything = [e.event_type for e in admin.audit_events(event_type=["TenantCreated", "TenantRemoved"])]
    assert everything == ["TenantCreated", "TenantRemoved", "TenantCreated"]
    assert admin.verify_audit().is_valid
    # The carrier's old order cannot release the new owner's number.
    assert [n.phone_number for n in admin.phone_numbers("contoso.com")] == [N2]


def test_the_mark_moves_past_ids_never_handed_out(admin: portout.Store, location: str) -> None:
    """A PostgreSQL sequence skips ids on a rollback: a gap must not hold a consumer's mark back,
    or every later acknowledgement would be kept one by one."""
    from conftest import raw_execute

    for _ in range(3):
        admin.set_freeze("contoso.com", True)
        admin.set_freeze("contoso.com", False)
    ids = [n.notification_id for n in admin.receive_notifications("pager", max_count=1000)]
    assert len(ids) == 7
    raw_execute(location, f"DELETE FROM notifications WHERE notification_id = {ids[3]}")  # a gap
    rest = [i for i in ids if i != ids[3]]
    assert admin.acknowledge_notifications("pager", rest) == 6
    assert _raw_count(location, "notification_acks") == 0, "the gap held the mark back"
    assert admin.receive_notifications("pager") == []


def test_a_request_without_a_pin_is_refused_as_such_and_locks_no_one(admin: portout.Store,
                                                                       carrier: portout.Store,
                                                                       location: str) -> None:
    """Five requests without a PIN used to lock a tenant's port-outs, each counted as a wrong
    PIN. Now PinRequired, for any tenant alike, and nothing is counted."""
    admin.create_tenant("nopin.example", "No PIN")
    for tenant in ["contoso.com"] * 7 + ["nopin.example", "unknown.example"]:
        order = carrier.submit_order(tenant, [N1], "", "Northwind")
        assert (order.status, order.reason) == ("Rejected", "PinRequired") and not order.internal_reason
        assert admin.get_order(order.order_id).internal_reason == "PinRequired"
    status = admin.pin_status("contoso.com")
    assert status.failed_attempt_count == 0 and status.locked_until is None
    assert carrier.submit_order("contoso.com", [N1], PIN, "Northwind").status == "PendingReview"
    # Seen from a session opened afresh, as the tenant's admin would.
    with open_as(location, "TelephonyAdmin", "admin@contoso.com") as other:
        reasons = [e.reason for e in other.audit_events("contoso.com", event_type="PortOutRequested")]
    assert reasons == ["PinRequired"] * 7 + [""]


# -- the review, on a manual clock ------------------------------------------------------------

@pytest.mark.parametrize("action, status, reason", [("Approve", "Approved", None),
                                                    ("Deny", "Denied", "ReviewDeadlinePassed")])
def test_the_review_deadline_passes_on_a_manual_clock(admin: portout.Store, carrier: portout.Store,
                                                      clock: portout.ManualClock, action: str,
                                                      status: str, reason: str | None) -> None:
    admin.set_policy("contoso.com", review_deadline_action=action)
    order = carrier.submit_order("contoso.com", [N1], PIN, "Northwind", service_zip_code="98052")
    assert order.review_deadline == START + timedelta(days=1)  # Monday 08:00 in New York: Tuesday
    clock.advance(timedelta(days=1) - timedelta(seconds=1))
    assert carrier.get_order(order.order_id).status == "PendingReview"
    clock.advance(timedelta(seconds=1))
    settled = carrier.get_order(order.order_id)  # the carrier's read settles it, as any would
    assert (settled.status, settled.reason) == (status, reason)
    [request, deadline] = admin.order_history(order.order_id)
    assert (deadline.actor, deadline.from_status, deadline.to_status) == ("review deadline", "PendingReview", status)
    assert [n.kind for n in carrier.receive_notifications("orders")][-1] == f"Order{status}"
    if status == "Denied":  # its number is free for the next request
        assert carrier.submit_order("contoso.com", [N1], PIN, "Northwind").status == "PendingReview"


def test_the_foc_on_a_saturday_in_the_past_changed_and_completed_early(
        admin: portout.Store, carrier: portout.Store, clock: portout.ManualClock, location: str) -> None:
    order = carrier.submit_order("contoso.com", [N1, N2], PIN, "Northwind")
    admin.approve_order(order.order_id)
    before = logical_digest(location)
    for foc, error_id in ((START + timedelta(days=5), "FocNotBusinessDay"),  # a Saturday
                          (START - timedelta(days=1), "FocInPast"),
                          (START + timedelta(hours=6), "FocTooEarly"),
                          (START + timedelta(days=31), "FocTooLate")):
        with pytest.raises(portout.InvalidArgumentError) as caught:
            admin.confirm_order(order.order_id, foc)
        assert caught.value.error_id == error_id
    assert logical_digest(location) == before, "a refused FOC changed the store"
    admin.confirm_order(order.order_id, START + timedelta(days=2))
    moved = admin.change_foc(order.order_id, START + timedelta(days=3), "the customer asked")
    assert moved.foc_date == START + timedelta(days=3)
    clock.advance(timedelta(days=2))
    with pytest.raises(portout.InvalidOperationError) as early:
        admin.complete_order(order.order_id)
    assert early.value.error_id == "FocNotReached"
    clock.advance(timedelta(days=1))
    assert admin.complete_order(order.order_id).status == "Completed"
    kinds = [n.kind for n in carrier.receive_notifications("orders")]
    assert kinds == ["PortOutRequest", "OrderApproved", "OrderConfirmed", "OrderFocChanged", "OrderCompleted"]
