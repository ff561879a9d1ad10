"""``portout serve`` from outside (issue 18): a real server on a loopback port over TLS, called
with httpx as a carrier's system and an admin's script would call it; the store looked at
afterwards as its owner sees it."""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import threading
import time
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

import portout
from conftest import business_day
from servers import PORTOUT, Server, free_port

PIN = "602917"
N1, N2, N3 = "+14255550100", "+14255550101", "+14255550102"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("server")
    store_path, key = folder / "store.db", folder / "store.key"
    tokens: dict[str, str] = {}
    with portout.Store.open(store_path, key_file=key, profile="test", allow_test_profile=True,
                            actor="provisioning") as admin:
        for tenant in ("contoso", "fabrikam", "frozen", "nopin", "locked"):
            admin.create_tenant(tenant, tenant.title(), "US")
        for tenant in ("contoso", "fabrikam", "frozen", "locked"):
            admin.set_pin(tenant, PIN)
        for n in (N1, N2):
            admin.add_phone_number("contoso", n)
        admin.add_phone_number("fabrikam", N3)
        admin.set_freeze("frozen", True)
        tokens["lumen"] = admin.new_credential("lumen-prod", "Carrier", carrier_name="Lumen",
                                               carrier_spid="6529").token
        tokens["zayo"] = admin.new_credential("zayo", "Carrier", carrier_name="Zayo", carrier_spid="7788").token
        tokens["auditor"] = admin.new_credential("audit-feed", "Auditor").token
        tokens["contoso-admin"] = admin.new_credential("contoso-automation", "TelephonyAdmin",
                                                       tenant_scope="contoso").token
    with Server(store_path, key, folder) as server:
        yield {"server": server, "tokens": tokens, "store": store_path, "key": key}


def look(world: dict[str, Any]) -> portout.Store:
    """The store as its owner sees it, opened beside the server."""
    return portout.Store.open(world["store"], key_file=world["key"], allow_test_profile=True, actor="owner",
                              create=False)


def client(world: dict[str, Any], who: str | None) -> httpx.Client:
    return world["server"].client(world["tokens"][who] if who else None)


def request(tenant: str = "contoso", numbers: tuple[str, ...] = (N1,), pin: str = PIN, **extra: Any) -> dict[str, Any]:
    return {"tenantId": tenant, "phoneNumbers": list(numbers), "pin": pin, **extra}


def is_problem(response: httpx.Response, status: int, error_id: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["errorId"] == error_id and body["status"] == status
    assert body["type"].endswith(error_id.split(",")[0]) and body["title"] and body["detail"]
    return body


def test_a_carrier_submits_over_https_and_is_recorded_as_its_credentials_carrier(world: dict[str, Any]) -> None:
    with client(world, "lumen") as c:
        done = c.post("/v1/port-out-orders", json=request(numbers=(N2,), carrierName="T-Mobile",
                                                          carrierSpid="9999", purchaseOrderNumber="PON-77"))
    assert done.status_code == 201, done.text
    order = done.json()
    assert done.headers["location"] == f"/v1/port-out-orders/{order['id']}"
    assert order["status"] == "PendingReview" and order["reason"] is None
    assert (order["carrierName"], order["carrierSpid"]) == ("Lumen", "6529")  # the body's carrier is ignored
    with look(world) as owner:
        stored = owner.get_order(order["id"])
        assert (stored.gaining_carrier, stored.carrier_spid, stored.submitted_by) == ("Lumen", "6529", "Lumen")
        requested = [e for e in owner.audit_events(event_type="PortOutRequested") if order["id"] in e.details]
        assert requested and "via=credential:lumen-prod" in requested[0].details
        owner.cancel_order(order["id"], "DuplicateRequest")


def test_a_retried_post_with_its_idempotency_key_returns_the_first_order(world: dict[str, Any]) -> None:
    with client(world, "lumen") as c:
        first = c.post("/v1/port-out-orders", json=request(tenant="fabrikam", numbers=(N3,)),
                       headers={"Idempotency-Key": "retry-42"})
        again = c.post("/v1/port-out-orders", json=request(tenant="fabrikam", numbers=(N3,)),
                       headers={"Idempotency-Key": "retry-42"})
        other = c.post("/v1/port-out-orders", json=request(tenant="fabrikam", numbers=(N3,), portType="Partial"),
                       headers={"Idempotency-Key": "retry-42"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    is_problem(other, 422, "IdempotencyKeyReused")
    with look(world) as owner:
        assert [o.order_id for o in owner.orders("fabrikam")] == [first.json()["id"]]
        owner.cancel_order(first.json()["id"], "DuplicateRequest")


def test_without_a_valid_token_nothing_is_done(world: dict[str, Any]) -> None:
    with look(world) as owner:
        before = len(list(owner.orders()))
    with client(world, None) as c:
        is_problem(c.post("/v1/port-out-orders", json=request()), 401, "AuthenticationRequired")
        wrong = world["tokens"]["lumen"][:-1] + ("A" if world["tokens"]["lumen"][-1] != "A" else "B")
        refused = c.post("/v1/port-out-orders", json=request(), headers={"Authorization": f"Bearer {wrong}"})
        is_problem(refused, 401, "AuthenticationFailed")
        assert refused.headers["www-authenticate"].startswith("Bearer")
    with look(world) as owner:
        assert len(list(owner.orders())) == before
        failed = list(owner.audit_events(event_type="AuthenticationFailed"))
        assert failed[-1].reason == "WrongToken" and "address=127.0.0.1" in failed[-1].details


def test_a_token_of_another_role_may_not_submit(world: dict[str, Any]) -> None:
    with client(world, "auditor") as c:
        is_problem(c.post("/v1/port-out-orders", json=request(carrierName="Audit")), 403, "AccessDenied")
    with client(world, "contoso-admin") as c:
        is_problem(c.post("/v1/port-out-orders", json=request(carrierName="Contoso")), 403, "AccessDenied")


def test_a_carrier_sees_and_cancels_only_its_own_orders_a_page_at_a_time(world: dict[str, Any]) -> None:
    with client(world, "zayo") as zayo, client(world, "lumen") as lumen:
        mine = [zayo.post("/v1/port-out-orders", json=request(pin="000000" + str(i))).json() for i in range(3)]
        assert all(o["status"] == "Rejected" for o in mine)
        seen: list[str] = []
        cursor = None
        while True:
            page = zayo.get("/v1/port-out-orders", params={"limit": 2, **({"cursor": cursor} if cursor else {})})
            assert page.status_code == 200
            seen += [o["id"] for o in page.json()["data"]]
            cursor = page.json()["nextCursor"]
            if cursor is None:
                break
        assert seen == [o["id"] for o in mine]
        assert all(o["carrierName"] == "Zayo" for o in zayo.get("/v1/port-out-orders").json()["data"])
        assert zayo.get("/v1/port-out-orders", params={"status": "Rejected"}).json()["data"]
        is_problem(lumen.get(f"/v1/port-out-orders/{mine[0]['id']}"), 404, "OrderNotFound")
        is_problem(lumen.post(f"/v1/port-out-orders/{mine[0]['id']}/cancel", json={"reason": "CarrierError"}),
                   404, "OrderNotFound")
        assert mine[0]["id"] not in [o["id"] for o in lumen.get("/v1/port-out-orders").json()["data"]]
        is_problem(zayo.get("/v1/port-out-orders", params={"cursor": "x"}), 422, "InvalidCursor")

        opened = zayo.post("/v1/port-out-orders", json=request(numbers=(N1,))).json()
        assert opened["status"] == "PendingReview"
        is_problem(zayo.post(f"/v1/port-out-orders/{opened['id']}/cancel", json={"reason": "Other"}),
                   422, "CommentRequired")
        cancelled = zayo.post(f"/v1/port-out-orders/{opened['id']}/cancel",
                              json={"reason": "CustomerRequest", "comment": "The customer stays."})
        assert cancelled.status_code == 200 and cancelled.json()["status"] == "Cancelled"
        assert zayo.get(f"/v1/port-out-orders/{opened['id']}").json()["reason"] == "CustomerRequest"


def test_a_malformed_request_is_a_problem_that_never_echoes_the_pin(world: dict[str, Any]) -> None:
    with client(world, "lumen") as c:
        numeric = c.post("/v1/port-out-orders", json={"tenantId": "contoso", "phoneNumbers": [N1], "pin": 602917})
        body = is_problem(numeric, 422, "InvalidRequest")
        assert "602917" not in numeric.text and body["issues"][0]["field"] == "pin"
        is_problem(c.post("/v1/port-out-orders", json={**request(), "favouriteColour": "blue"}), 422,
                   "InvalidRequest")
        is_problem(c.post("/v1/port-out-orders", json=request(numbers=("12",))), 422, "InvalidPhoneNumber")
        is_problem(c.post("/v1/port-out-orders", content=b"x" * 300_000,
                          headers={"content-type": "application/json"}), 413, "RequestTooLarge")
        is_problem(c.get("/v1/nowhere"), 404, "RouteNotFound")


def _shape(response: httpx.Response) -> tuple[int, str]:
    body = response.json()
    for varying in ("id", "createdAt", "updatedAt", "tenantId"):
        body.pop(varying)
    return response.status_code, json.dumps(body, sort_keys=True)


@pytest.mark.serial  # it times answers: alone, not beside other suites on two cores
def test_the_carrier_cannot_tell_unknown_unset_locked_frozen_and_wrong_apart_over_http(
        world: dict[str, Any]) -> None:
    with client(world, "lumen") as c:
        for i in range(5):  # Lumen locks itself out of "locked"
            assert c.post("/v1/port-out-orders", json=request(tenant="locked", pin=f"91827{i}")).status_code == 201
        cases = {"unknown": request(tenant="no-such-tenant"), "unset": request(tenant="nopin"),
                 "locked": request(tenant="locked"), "frozen": request(tenant="frozen", pin="918273"),
                 "wrong": request(tenant="contoso", pin="918273")}
        shapes = {name: _shape(c.post("/v1/port-out-orders", json=body)) for name, body in cases.items()}
        assert len(set(shapes.values())) == 1, shapes
        assert shapes["wrong"][0] == 201 and '"reason": "PinNotAccepted"' in shapes["wrong"][1]
        # And in time: the cases interleaved, twenty each, their medians side by side.
        times: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(20):
            for name, body in cases.items():
                started = time.perf_counter()
                c.post("/v1/port-out-orders", json=body)
                times[name].append(time.perf_counter() - started)
    medians = {name: statistics.median(t) for name, t in times.items()}
    for name, median in medians.items():
        assert 0.5 < median / medians["wrong"] < 2.0, medians
    with look(world) as owner:
        # The tenant's side sees the exact reasons.
        reasons: dict[str, list[str]] = {}
        for o in owner.orders():
            reasons.setdefault(o.tenant_id, []).append(o.internal_reason)
        assert set(reasons["nopin"]) == {"PinNotSet"}
        assert reasons["frozen"][:5] == ["WrongPin"] * 5 and reasons["frozen"][-1] == "Locked"
        assert reasons["no-such-tenant"][0] == "UnknownTenant"
        owner.unlock_pin("locked")


def test_every_cmdlet_has_its_endpoint_and_keeps_its_error_ids(world: dict[str, Any]) -> None:
    with client(world, "contoso-admin") as c:
        spec = c.get("/openapi.json").json()
        for name in ("Get-PortOutPin", "Set-PortOutPin", "Approve-PortOutOrder", "Get-PortOutAuditLog"):
            assert f"/v1/cmdlets/{name}" in spec["paths"]
        assert "/v1/cmdlets/Copy-PortOutStore" not in spec["paths"]  # files of the server's machine
        status = c.post("/v1/cmdlets/Get-PortOutPin", json={"parameters": {"Identity": "contoso"}})
        assert status.status_code == 200, status.text
        record = status.json()["output"][0]
        assert record["$type"] == "PinStatus" and record["fields"]["pin_is_set"] is True
        is_problem(c.post("/v1/cmdlets/Get-PortOutPin", json={"parameters": {"Identity": "fabrikam"}}), 403,
                   "AccessDenied,Get-PortOutPin")
        weak = c.post("/v1/cmdlets/Set-PortOutPin", json={"parameters": {"Identity": "contoso", "Pin": "123456"}})
        body = is_problem(weak, 422, "PinPolicyViolation,Set-PortOutPin")
        assert "123456" not in weak.text and body["violations"]
        is_problem(c.post("/v1/cmdlets/Get-PortOutPin", json={"parameters": {"Nope": 1}}), 422,
                   "NamedParameterNotFound,Get-PortOutPin")


def test_health_and_metrics(world: dict[str, Any]) -> None:
    with client(world, None) as c:
        health = c.get("/healthz").json()
        assert health["status"] == "ok" and health["storeId"]
        text = c.get("/metrics").text
    assert 'portout_http_requests_total{method="POST",route="/v1/port-out-orders",status="201"}' in text
    assert "portout_pin_check_seconds_bucket" in text
    assert 'portout_authentication_failures_total{error_id="AuthenticationFailed"}' in text
    assert "portout_tenants_locked" in text


def test_failed_authentications_from_one_address_are_throttled(tmp_path: Path) -> None:
    store_path, key = tmp_path / "store.db", tmp_path / "store.key"
    with portout.Store.open(store_path, key_file=key, profile="test", allow_test_profile=True) as admin:
        token = admin.new_credential("lumen", "Carrier", carrier_name="Lumen", carrier_spid="6529").token
    with Server(store_path, key, tmp_path, rate_limit=1) as server:
        with server.client("pot_" + "0" * 16 + "_" + "A" * 43) as bad:
            for _ in range(portout_limit()):
                is_problem(bad.get("/v1/port-out-orders"), 401, "AuthenticationFailed")
            throttled = is_problem(bad.get("/v1/port-out-orders"), 429, "AuthenticationThrottled")
            assert throttled["detail"].startswith("Too many failed authentications")
        with server.client(token) as good:
            # Blocked from this address, a right token too (the whole block is the answer's wait).
            refused = good.get("/v1/port-out-orders")
            assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 800


def test_a_credential_is_rate_limited_with_retry_after(tmp_path: Path) -> None:
    store_path, key = tmp_path / "store.db", tmp_path / "store.key"
    with portout.Store.open(store_path, key_file=key, profile="test", allow_test_profile=True) as admin:
        token = admin.new_credential("lumen", "Carrier", carrier_name="Lumen", carrier_spid="6529").token
    with Server(store_path, key, tmp_path, rate_limit=1, tls=False) as server, server.client(token) as c:
        answers = [c.get("/v1/port-out-orders") for _ in range(4)]
        assert [a.status_code for a in answers[:2]] == [200, 200]
        limited = answers[-1]
        is_problem(limited, 429, "RateLimited")
        assert 1 <= int(limited.headers["retry-after"]) <= 2


def portout_limit() -> int:
    return 10  # kAuthFailureLimit in the core


@pytest.mark.parametrize("options, error_id", [
    (("--listen", "127.0.0.1"), "InvalidListenAddress"),
    (("--listen", "127.0.0.1:70000"), "InvalidListenAddress"),
    (("--tls-cert", "server.crt"), "TlsIncomplete"),
    (("--tls-cert", "none.crt", "--tls-key", "none.key"), "TlsFileNotFound"),
    (("--workers", "0"), "InvalidWorkers"),
    (("--rate-limit", "-1"), "InvalidRateLimit"),
])
def test_a_wrong_server_option_is_refused_before_anything_listens(
        tmp_path: Path, options: tuple[str, ...], error_id: str) -> None:
    store_path = tmp_path / "store.db"
    portout.Store.open(store_path, profile="test", allow_test_profile=True).close()
    before = store_path.read_bytes()
    done = subprocess.run([str(PORTOUT), "serve", "--store", str(store_path), "--allow-test-profile", *options],
                          capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 1 and f"({error_id})" in done.stderr, done.stderr
    assert store_path.read_bytes() == before


def test_listening_beyond_loopback_without_tls_is_refused(tmp_path: Path) -> None:
    store_path = tmp_path / "store.db"
    portout.Store.open(store_path, profile="test", allow_test_profile=True).close()
    done = subprocess.run([str(PORTOUT), "serve", "--store", str(store_path), "--listen", "0.0.0.0:18999",
                           "--allow-test-profile"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "TlsRequired" in done.stderr and "--behind-proxy" in done.stderr
    done = subprocess.run([str(PORTOUT), "serve", "--store", str(tmp_path / "none.db"), "--listen",
                           "127.0.0.1:18999", "--allow-test-profile"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "StoreNotFound" in done.stderr


def test_a_request_under_review_past_its_deadline_is_settled_when_the_carrier_reads_it(
        world: dict[str, Any]) -> None:
    # The server keeps the system's time; the review window of a tenant set to zero settles at once.
    with look(world) as owner:
        owner.set_policy("fabrikam", review_window=0)
    with client(world, "lumen") as c:
        order = c.post("/v1/port-out-orders", json=request(tenant="fabrikam", numbers=(N3,),
                                                           requestedDueDate=business_day(
                                                               portout.ManualClock().now()).date().isoformat()))
        assert order.status_code == 201 and order.json()["status"] == "Approved", order.text
        assert order.json()["requestedDueDate"].endswith("12:00:00+00:00")
    with look(world) as owner:
        owner.cancel_order(order.json()["id"], "CustomerRequest")
        owner.reset_policy("fabrikam")


def test_the_committed_openapi_document_is_the_servers_own() -> None:
    from portout.server.openapi import document

    committed = Path(__file__).resolve().parent.parent / "docs" / "api" / "openapi.json"
    assert committed.read_text() == document(), "docs/api/openapi.json is stale: run scripts/generate"
    spec = json.loads(committed.read_text())
    for path in ("/v1/port-out-orders", "/v1/port-out-orders/{order_id}", "/v1/port-out-orders/{order_id}/cancel",
                 "/healthz", "/metrics", "/v1/session"):
        assert path in spec["paths"], path
    post = spec["paths"]["/v1/port-out-orders"]["post"]
    assert {p["name"] for p in post["parameters"]} >= {"idempotency-key", "authorization"}
    assert set(post["responses"]) >= {"201", "401", "403", "422", "429"}


def test_workers_and_hosts_on_one_store_make_one_order_per_idempotency_key(
        location: str, key_file: Path, tmp_path: Path) -> None:
    """Two servers (two hosts, or two workers each) on one store, the same request sent to both
    at once under one key, eight times over: one order a key, and the chain verifies."""
    from concurrent.futures import ThreadPoolExecutor

    with portout.Store.open(location, key_file=key_file, profile="test", allow_test_profile=True) as admin:
        admin.create_tenant("contoso", "Contoso", "US")
        admin.set_pin("contoso", PIN)
        token = admin.new_credential("lumen", "Carrier", carrier_name="Lumen", carrier_spid="6529").token
    with Server(location, key_file, tmp_path, workers=2, tls=False) as one, \
            Server(location, key_file, tmp_path, workers=2, tls=False) as two:
        clients = [one.client(token), two.client(token)]

        def send(i: int) -> tuple[int, str]:
            answer = clients[i % 2].post("/v1/port-out-orders", json=request(pin="918273"),
                                         headers={"Idempotency-Key": f"key-{i // 4}"})
            return answer.status_code, answer.json()["id"]

        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(send, range(32)))
        for c in clients:
            c.close()
    assert {status for status, _ in answers} == {201}
    by_key: dict[int, set[str]] = {}
    for i, (_, order_id) in enumerate(answers):
        by_key.setdefault(i // 4, set()).add(order_id)
    assert all(len(ids) == 1 for ids in by_key.values()), by_key
    with portout.Store.open(location, key_file=key_file, allow_test_profile=True, create=False) as owner:
        orders = list(owner.orders())
        assert len(orders) == 8 and len({o.idempotency_key for o in orders}) == 8
        assert owner.verify_audit().is_valid
        # Every request was a wrong PIN; each key's was counted once (the replays count nothing),
        # and Lumen was locked at the fifth.
        assert owner.pin_status("contoso").carriers[0].lockout_count == 1


@pytest.mark.serial  # the requests' connections must be made before SIGTERM: not beside other suites
def test_sigterm_lets_the_requests_in_flight_finish_and_loses_nothing_accepted(tmp_path: Path) -> None:
    numbers = [f"+1425555{200 + i:04d}" for i in range(6)]
    store_path, key = tmp_path / "store.db", tmp_path / "store.key"
    # The interactive profile: each PIN check takes a real Argon2id's time, so some are in flight.
    with portout.Store.open(store_path, key_file=key, profile="interactive", actor="provisioning") as admin:
        admin.create_tenant("contoso", "Contoso", "US")
        admin.set_pin("contoso", PIN)
        for n in numbers:
            admin.add_phone_number("contoso", n)
        token = admin.new_credential("lumen-prod", "Carrier", carrier_name="Lumen", carrier_spid="6529").token
    server = Server(store_path, key, tmp_path)
    answers: list[tuple[float, int, str]] = []

    def send(number: str) -> None:
        with server.client(token) as c:
            r = c.post("/v1/port-out-orders", json=request(numbers=(number,)), headers={"Idempotency-Key": number})
            answers.append((time.monotonic(), r.status_code, r.json().get("id", "")))

    threads = [threading.Thread(target=send, args=(n,)) for n in numbers]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30
    while not answers and time.monotonic() < deadline:  # the first answered: the others are in flight
        time.sleep(0.005)
    signalled = time.monotonic()
    server.proc.send_signal(signal.SIGTERM)
    for t in threads:
        t.join(60)
    assert server.proc.wait(60) == 0
    server.stop()
    assert any(at > signalled for at, _, _ in answers), "no request was in flight at SIGTERM"
    accepted = [order_id for _, status, order_id in answers if status == 201]
    assert accepted and len(answers) == len(numbers), answers
    with portout.Store.open(store_path, key_file=key, create=False) as owner:
        assert {o.order_id for o in owner.orders()} >= set(accepted)
        assert owner.verify_audit().is_valid


def test_start_portoutserver_is_portout_serve_as_a_cmdlet(tmp_path: Path) -> None:
    store_path, key = tmp_path / "store.db", tmp_path / "store.key"
    with portout.Store.open(store_path, key_file=key, profile="test", allow_test_profile=True) as admin:
        admin.create_tenant("contoso", "Contoso", "US")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTOUT_")}
    env["PORTOUT_ALLOW_TEST_PROFILE"] = "1"
    for wrong, error_id in ((("-Listen", "nowhere"), "InvalidListenAddress"), (("-Workers", "0"), "InvalidWorkers"),
                            (("-Listen", "192.0.2.1:8443"), "TlsRequired")):
        refused = subprocess.run([str(PORTOUT), "Start-PortOutServer", str(store_path), "-KeyFile", str(key), *wrong],
                                 capture_output=True, text=True, timeout=60, env=env, stdin=subprocess.DEVNULL)
        assert refused.returncode != 0 and f"{error_id},Start-PortOutServer" in refused.stderr, refused.stderr
    port = free_port()
    server = subprocess.Popen([str(PORTOUT), "Start-PortOutServer", str(store_path), "-KeyFile", str(key),
                               "-Listen", f"127.0.0.1:{port}"], env=env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        health = None
        while time.monotonic() < deadline and health is None:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).json()
            except httpx.TransportError:
                time.sleep(0.1)
        assert health and health["status"] == "ok"
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(30) == 0
