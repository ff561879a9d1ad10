"""Notifications delivered (issue 18, item 5), from outside: a real ``portout serve`` POSTs each
notification to webhook receivers of our own, which check its signature as docs/api.md tells a
carrier to, and hands e-mail to an SMTP sink (aiosmtpd); a carrier is sent only its own orders'
notices; a receiver that fails is retried and then parked, and Get-PortOutDelivery shows every
attempt from the command line; what was written while the server was down is delivered after it
restarts."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import signal
import subprocess
import time
from email import message_from_bytes
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from aiosmtpd.controller import Controller

import portout
from portout.webhooks import WebhookReceiver, verify_signature
from servers import PORTOUT, Server, free_port

PIN = "602917"
N1, N2 = "+14255550100", "+14255550101"
FAST = ("--delivery-interval", "0.1", "--first-retry", "0.2", "--max-delivery-attempts", "3")


class Receiver(WebhookReceiver):
    """portout's receiver, its signatures checked here on their own, as docs/api.md tells a
    carrier to (not with portout's verify_signature)."""

    def __init__(self, status: Callable[[int], int] = lambda n: 204) -> None:
        super().__init__(status, path="/hooks/portout")

    def events(self, secret: str) -> list[dict[str, Any]]:
        """Each request's event, its signature checked (and refused if wrong)."""
        out = []
        for headers, body in self.requests:
            parts = dict(p.split("=", 1) for p in headers["portout-signature"].split(","))
            expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256).hexdigest()
            assert hmac.compare_digest(parts["v1"], expected), "a signature that does not verify"
            assert abs(time.time() - int(parts["t"])) < 300, "a signature too old"
            event = json.loads(body)
            assert headers["portout-event"] == event["type"]
            out.append(event)
        return out


class Sink:
    """An SMTP relay on a loopback port (aiosmtpd) that keeps each message."""

    def __init__(self) -> None:
        self.messages: list[tuple[float, Any]] = []
        outer = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
                outer.messages.append((time.monotonic(), message_from_bytes(envelope.content)))
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def close(self) -> None:
        self.controller.stop()


def wait_for(what: Callable[[], Any], timeout: float = 20) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = what()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError("not delivered in time")


def cli(world: dict[str, Any], *args: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("PORTOUT_")}
    env = {**base, "PORTOUT_STORE": str(world["store"]), "PORTOUT_KEY_FILE": str(world["key"]),
           "PORTOUT_ALLOW_TEST_PROFILE": "1", "PYTHONWARNINGS": "error"}
    return subprocess.run([str(PORTOUT), *args], capture_output=True, text=True, timeout=60, env=env,
                          stdin=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("delivery")
    store_path, key = folder / "store.db", folder / "store.key"
    with portout.Store.open(store_path, key_file=key, profile="test", allow_test_profile=True,
                            actor="provisioning") as admin:
        for tenant in ("contoso.com", "fabrikam.com"):
            admin.create_tenant(tenant, tenant.split(".")[0].title(), "US")
            admin.set_pin(tenant, PIN)
        admin.add_phone_number("contoso.com", N1)
        admin.add_phone_number("fabrikam.com", N2)
        tokens = {"lumen": admin.new_credential("lumen-prod", "Carrier", carrier_name="Lumen",
                                                carrier_spid="6529").token,
                  "zayo": admin.new_credential("zayo", "Carrier", carrier_name="Zayo", carrier_spid="7788").token}
    sink = Sink()
    server = Server(store_path, key, folder, extra=(*FAST, "--smtp", f"127.0.0.1:{sink.port}",
                                                    "--smtp-from", "portout@provider.example",
                                                    "--allow-private-webhooks"))
    try:
        yield {"server": server, "tokens": tokens, "store": store_path, "key": key, "sink": sink,
               "folder": folder}
    finally:
        server.stop()
        sink.close()


def owner(world: dict[str, Any]) -> portout.Store:
    return portout.Store.open(world["store"], key_file=world["key"], allow_test_profile=True, actor="owner",
                              create=False)


def carrier_webhook(world: dict[str, Any], who: str, url: str) -> Any:
    """A carrier makes its own webhook over the server, with its credential."""
    with world["server"].client(world["tokens"][who]) as c:
        made = c.post("/v1/cmdlets/New-PortOutWebhook", json={"parameters": {"Url": url, "Event": ["*"]}})
    assert made.status_code == 200, made.text
    return made.json()


def submit(world: dict[str, Any], who: str, tenant: str, number: str) -> str:
    with world["server"].client(world["tokens"][who]) as c:
        done = c.post("/v1/port-out-orders", json={"tenantId": tenant, "phoneNumbers": [number], "pin": PIN})
    assert done.status_code == 201, done.text
    return str(done.json()["id"])


def test_webhooks_are_signed_and_a_carrier_is_sent_only_its_own_orders_notices(world: dict[str, Any]) -> None:
    desk, lumen, zayo = Receiver(), Receiver(), Receiver()
    try:
        with owner(world) as o:
            desk_hook = o.new_webhook(desk.url, ["PortOutRequest", "OrderApproved"], tenant_scope="contoso.com")
        lumen_made = carrier_webhook(world, "lumen", lumen.url)
        zayo_made = carrier_webhook(world, "zayo", zayo.url)
        lumen_secret = lumen_made["output"][0]["fields"]["secret"]
        zayo_secret = zayo_made["output"][0]["fields"]["secret"]
        assert lumen_made["output"][0]["fields"]["audience"] == "Lumen"

        order = submit(world, "lumen", "contoso.com", N1)
        other = submit(world, "zayo", "fabrikam.com", N2)
        with owner(world) as o:
            o.approve_order(order)
        wait_for(lambda: len(lumen.requests) >= 2 and len(desk.requests) >= 2 and len(zayo.requests) >= 1)
        time.sleep(0.5)  # anything more that was (wrongly) on its way
        mine = lumen.events(lumen_secret)
        assert sorted(e["type"] for e in mine) == ["OrderApproved", "PortOutRequest"]
        assert {e["order_id"] for e in mine} == {order}
        assert all("PIN" not in e["details"] and PIN not in json.dumps(e) for e in mine)
        assert [e["order_id"] for e in zayo.events(zayo_secret)] == [other]
        tenant_side = desk.events(desk_hook.secret)
        assert sorted(e["type"] for e in tenant_side) == ["OrderApproved", "PortOutRequest"]
        assert {e["tenant_id"] for e in tenant_side} == {"contoso.com"}  # not fabrikam's
        # A signature under another secret is refused by the receiver's check.
        with pytest.raises(AssertionError):
            lumen.events(zayo_secret)
        # Each event has its own id, the same on every attempt: a receiver drops repeats by it.
        assert len({e["id"] for e in mine}) == 2
    finally:
        for r in (desk, lumen, zayo):
            r.close()


def test_a_tenants_email_contacts_hear_of_a_port_out_request_within_seconds(world: dict[str, Any]) -> None:
    set_ = cli(world, "Set-PortOutTenant", "contoso.com", "-NotificationEmail", "noc@contoso.com,Sec@Contoso.com")
    assert set_.returncode == 0, set_.stderr
    listed = cli(world, "Get-PortOutSubscription", "Email", "-OutputFormat", "Json")
    assert sorted(s["Target"] for s in json.loads(listed.stdout)) == ["Sec@contoso.com", "noc@contoso.com"]
    before = len(world["sink"].messages)
    with owner(world) as o:
        o.add_phone_number("contoso.com", "+14255550150")
    sent = time.monotonic()
    order = submit(world, "zayo", "contoso.com", "+14255550150")

    def request_mails() -> list[tuple[float, Any]]:
        return [(t, m) for t, m in world["sink"].messages[before:] if order in m.get_payload()
                and "PortOutRequest" in m.get_payload()]
    mails = wait_for(lambda: len(request_mails()) >= 2 and request_mails())
    assert max(t for t, _ in mails) - sent < 10, "the customer notice took longer than seconds"
    assert sorted(m["To"] for _, m in mails) == ["Sec@contoso.com", "noc@contoso.com"]
    body = mails[0][1].get_payload()
    assert mails[0][1]["From"] == "portout@provider.example" and mails[0][1]["Subject"].startswith("portout: ")
    assert "Deny-PortOutOrder -Identity " + order in body and PIN not in body
    with owner(world) as o:
        o.cancel_order(order, "DuplicateRequest")
        o.set_notification_emails("contoso.com", [])


def test_a_failing_receiver_is_retried_then_parked_and_each_attempt_shown(world: dict[str, Any]) -> None:
    down = Receiver(status=lambda n: 503)
    try:
        with owner(world) as o:
            hook = o.new_webhook(down.url, ["PortOutFrozen"], tenant_scope="fabrikam.com")
            o.set_freeze("fabrikam.com", True)
        wait_for(lambda: len(down.requests) >= 3)
        with owner(world) as o:
            parked = wait_for(lambda: o.deliveries(hook.subscription_id, status="Parked"))
        shown = cli(world, "Get-PortOutDelivery", hook.subscription_id, "-OutputFormat", "Json")
        assert shown.returncode == 0, shown.stderr
        delivery = json.loads(shown.stdout)  # one object, as ConvertTo-Json writes one
        assert delivery["Status"] == "Parked" and delivery["Attempts"] == 3
        log = delivery["AttemptLog"]
        assert [a["Attempt"] for a in log] == [1, 2, 3] and {a["StatusCode"] for a in log} == {503}
        started = [a["StartedDateTime"] for a in log]
        assert started == sorted(started)
        time.sleep(1.0)
        assert len(down.requests) == 3, "a parked delivery is not sent again"
        # Fixed, and sent once more by hand.
        down.status = lambda n: 200
        resumed = cli(world, "Resume-PortOutDelivery", str(parked[0].delivery_id))
        assert resumed.returncode == 0, resumed.stderr
        with owner(world) as o:
            wait_for(lambda: o.deliveries(hook.subscription_id, status="Delivered"))
            o.set_freeze("fabrikam.com", False)
            o.remove_subscription(hook.subscription_id)
    finally:
        down.close()


def subscribed_store(location: str | Path, key: Path, receiver: Receiver) -> Any:
    """A store of one tenant whose every notification goes to `receiver`; the webhook."""
    with portout.Store.open(location, key_file=key, profile="test", allow_test_profile=True) as o:
        o.create_tenant("contoso.com", "Contoso", "US")
        return o.new_webhook(receiver.url, ["*"])


def test_what_was_written_while_the_server_was_down_is_delivered_after_it_restarts(
        location: str, key_file: Path, tmp_path: Path) -> None:
    with Receiver() as receiver:
        hook = subscribed_store(location, key_file, receiver)
        server = Server(location, key_file, tmp_path, tls=False, extra=(*FAST, "--allow-private-webhooks"))
        server.stop(signal.SIGKILL)
        with portout.Store.open(location, key_file=key_file, allow_test_profile=True, create=False) as o:
            for i in range(5):
                o.set_pin("contoso.com", f"60291{i}")
        with Server(location, key_file, tmp_path, tls=False, extra=(*FAST, "--allow-private-webhooks")):
            wait_for(lambda: len(receiver.requests) >= 5)
        events = receiver.events(hook.secret)
        assert [e["type"] for e in events] == ["PinSet"] + ["PinChanged"] * 4
        with portout.Store.open(location, key_file=key_file, allow_test_profile=True, create=False) as o:
            assert {d.status for d in o.deliveries()} == {"Delivered"}


def test_two_servers_of_two_workers_on_one_store_send_each_event_once(location: str, key_file: Path,
                                                                       tmp_path: Path) -> None:
    with Receiver() as receiver:
        hook = subscribed_store(location, key_file, receiver)
        extra = (*FAST, "--allow-private-webhooks")
        with Server(location, key_file, tmp_path, tls=False, workers=2, extra=extra), \
                Server(location, key_file, tmp_path, tls=False, workers=2, extra=extra):
            with portout.Store.open(location, key_file=key_file, allow_test_profile=True, create=False) as o:
                for i in range(20):
                    o.set_freeze("contoso.com", i % 2 == 0)
            wait_for(lambda: len(receiver.requests) >= 20)
            time.sleep(0.5)  # a second copy, were one on its way
        events = receiver.events(hook.secret)
        assert len(events) == 20 and len({e["id"] for e in events}) == 20
        assert {e["type"] for e in events} == {"PortOutFrozen", "PortOutUnfrozen"}


def test_a_webhook_into_the_servers_own_network_is_refused_by_default(tmp_path: Path) -> None:
    receiver = Receiver()
    store_path, key = tmp_path / "store.db", tmp_path / "store.key"
    try:
        hook = subscribed_store(store_path, key, receiver)
        with portout.Store.open(store_path, key_file=key, allow_test_profile=True, create=False) as o:
            o.set_pin("contoso.com", PIN)
        with Server(store_path, key, tmp_path, extra=FAST):
            with portout.Store.open(store_path, key_file=key, allow_test_profile=True, create=False) as o:
                [d] = wait_for(lambda: [d for d in o.deliveries(hook.subscription_id) if d.attempts >= 1])
        assert d.attempt_log[0].error.startswith("DestinationNotAllowed") and d.attempt_log[0].status_code is None
        assert receiver.requests == []
    finally:
        receiver.close()


@pytest.mark.parametrize(("option", "error_id"), [
    (("--smtp", "mail.example"), "InvalidSmtpAddress"),
    (("--max-delivery-attempts", "0"), "InvalidDeliveryAttempts"),
    (("--first-retry", "0"), "InvalidDeliveryInterval"),
    (("--smtp-from", "not an address"), "InvalidSmtpFrom"),
    # The admin center's (issue 19): 1 to 720 minutes.
    (("--session-idle-timeout", "0"), "InvalidSessionIdleTimeout"),
    (("--session-idle-timeout", "721"), "InvalidSessionIdleTimeout"),
])
def test_serve_refuses_wrong_delivery_and_session_options(tmp_path: Path, option: tuple[str, str], error_id: str) -> None:
    store_path, key = tmp_path / "store.db", tmp_path / "store.key"
    with portout.Store.open(store_path, key_file=key, profile="test", allow_test_profile=True) as o:
        o.create_tenant("contoso.com", "Contoso", "US")
        before = len(list(o.audit_events()))
    done = subprocess.run([str(PORTOUT), "serve", "--store", str(store_path), "--key-file", str(key),
                           "--listen", f"127.0.0.1:{free_port()}", "--allow-test-profile", *option],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and f"({error_id})" in done.stderr
    with portout.Store.open(store_path, key_file=key, allow_test_profile=True, create=False) as o:
        assert len(list(o.audit_events())) == before


def test_portouts_own_signature_check_agrees_and_refuses_what_it_should(world: dict[str, Any]) -> None:
    with Receiver() as receiver, owner(world) as o:
        hook = o.new_webhook(receiver.url, ["PinUnlocked"], tenant_scope="contoso.com")
        o.unlock_pin("contoso.com")
        assert receiver.wait(1)
        o.remove_subscription(hook.subscription_id)
    headers, body = receiver.requests[0]
    signature = headers["portout-signature"]
    assert verify_signature(hook.secret, signature, body)
    assert not verify_signature(hook.secret, signature, body + b" ")
    assert not verify_signature("whsec_" + "A" * 43, signature, body)
    assert not verify_signature(hook.secret, signature, body, now=time.time() + 3600)  # replayed an hour on
    assert not verify_signature(hook.secret, "t=x,v1=00", body)
