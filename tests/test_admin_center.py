"""The admin center (issue 19) at the boundary a browser stands at, over HTTPS against a real
``portout serve``: its session cookie, CSRF tokens and security headers; sign-in with a
password then a TOTP code, counted and throttled; sign-out, an idle timeout, and an account
removed or a session row edited in the database between two requests; every action authorized
and audited as the signed-in account, a role's refusal a 403 page; bad input a clear message
with nothing changed; and the PIN in no URL, response, log line or database byte.

The same pages in a real browser, with axe-core, are tests/test_admin_browser.py."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import httpx
import pyotp
import pytest

import portout
from conftest import business_day
from servers import PORTOUT, Server

PASSWORDS = {"maria": "violet kettle harbour lantern", "desk": "copper meadow signal orchard",
             "audra": "quiet river stone lantern", "nadia": "amber falcon winter"}
PIN = "204815"
NUMBERS = tuple(f"+1425555{100 + i:04d}" for i in range(8))
#: A server whose clock runs three weeks ahead (libfaketime, as scripts/test installs it).
FAKETIME_PLUS_3_WEEKS = {"LD_PRELOAD": "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1", "FAKETIME": "+21d"}


@dataclass
class Site:
    server: Server
    store: Path
    key: Path
    carrier_token: str
    totp_secret: str

    def open(self) -> portout.Store:
        return portout.Store.open(str(self.store), key_file=str(self.key), allow_test_profile=True, create=False)


def make_store(folder: Path) -> tuple[Path, Path, str, str]:
    store, key = folder / "admin.db", folder / "admin.key"
    s = portout.Store.open(str(store), key_file=str(key), profile="test", allow_test_profile=True, create=True,
                           actor="setup")
    s.create_tenant("contoso.com", "Contoso", "US")
    s.create_tenant("fabrikam.de", "Fabrikam GmbH", "DE")
    s.create_tenant("northwind.com", "Northwind", "US")
    for n in NUMBERS:
        s.add_phone_number("contoso.com", n)
    s.new_account("maria", "TelephonyAdmin", PASSWORDS["maria"], tenant_scope=["contoso.com", "fabrikam.de"])
    s.new_account("desk", "StoreAdmin", PASSWORDS["desk"])
    s.new_account("audra", "Auditor", PASSWORDS["audra"])
    nadia = s.new_account("nadia", "TelephonyAdmin", PASSWORDS["nadia"], tenant_scope=["contoso.com"], totp=True)
    token = s.new_credential("lumen-prod", "Carrier", carrier_name="Lumen", carrier_spid="9102").token
    s.close()
    assert nadia.totp_secret
    return store, key, token, nadia.totp_secret


OPEN: list[Browser] = []


@pytest.fixture(autouse=True)
def close_browsers() -> Iterator[None]:
    """Each test's connections closed after it: a server stops at once, with none left open."""
    yield
    while OPEN:
        OPEN.pop().close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("admin")
    store, key, token, secret = make_store(folder)
    with Server(store, key, folder, workers=2) as server:
        yield Site(server, store, key, token, secret)


class Browser:
    """What a browser does with the admin center: keeps its cookies, sends each form's hidden
    CSRF token back, follows no redirect unasked."""

    def __init__(self, server: Server) -> None:
        self.http = server.client()
        self.last = ""
        OPEN.append(self)

    def close(self) -> None:
        self.http.close()

    def get(self, path: str) -> httpx.Response:
        r = self.http.get(path)
        self.last = r.text
        return r

    def csrf(self, page: str | None = None) -> str:
        found = re.search(r'name="csrf_token" value="([^"]+)"', page if page is not None else self.last)
        assert found, "the page has a form with a CSRF token"
        return found.group(1)

    def post(self, path: str, data: dict[str, Any], *, from_page: str | None = None, csrf: bool = True,
             headers: dict[str, str] | None = None) -> httpx.Response:
        if csrf:
            page = self.get(from_page).text if from_page else self.last
            data = {"csrf_token": self.csrf(page), **data}
        r = self.http.post(path, data=data, headers=headers)
        self.last = r.text
        return r

    def sign_in(self, user: str, password: str | None = None) -> httpx.Response:
        return self.post("/admin/sign-in", {"user_name": user, "password": password or PASSWORDS[user],
                                            "next": "/admin/"}, from_page="/admin/sign-in")

    def session_cookie(self) -> str:
        return self.http.cookies.get("__Host-portout-session") or ""


def signed_in(site: Site, user: str) -> Browser:
    b = Browser(site.server)
    r = b.sign_in(user)
    assert r.status_code == 303 and r.headers["location"] == "/admin/", r.text[:500]
    return b


def pin_set(site: Site, tenant: str = "contoso.com") -> bool:
    with site.open() as s:
        return bool(s.pin_status(tenant).pin_is_set)


def pin_in_place(site: Site) -> None:
    """contoso.com's PIN set (to PIN), whichever tests ran before."""
    with site.open() as s:
        if not s.pin_status("contoso.com").pin_is_set:
            s.set_pin("contoso.com", PIN)


def carrier_request(site: Site, pin: str, number: str) -> httpx.Response:
    """A carrier's port-out request over the API: 201 whatever the PIN (a wrong one is an order
    Rejected, so that no answer tells a PIN), or a problem."""
    with site.server.client(site.carrier_token) as c:
        return c.post("/v1/port-out-orders", json={"tenantId": "contoso.com", "phoneNumbers": [number],
                                                   "pin": pin})


# -- the session cookie, the headers, sign-in and sign-out ----------------------------------------

def test_the_session_cookie_is_httponly_secure_strict_and_every_page_carries_the_security_headers(
        site: Site) -> None:
    b = Browser(site.server)
    first = b.get("/admin/voice/port-orders")
    assert first.status_code == 303 and first.headers["location"].startswith("/admin/sign-in?next=")
    page = b.get("/admin/sign-in")
    sign_in_cookie = page.headers["set-cookie"]
    assert "HttpOnly" in sign_in_cookie and "Secure" in sign_in_cookie and "SameSite=strict" in sign_in_cookie
    r = b.sign_in("maria")
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("__Host-portout-session=pws_")
    for attribute in ("HttpOnly", "Secure", "SameSite=strict", "Path=/"):
        assert attribute in cookie
    assert "Domain" not in cookie and "Max-Age" not in cookie and "expires" not in cookie.lower()
    for path in ("/admin/", "/admin/voice/port-orders", "/admin/voice/port-out-pin?tenant=contoso.com",
                 "/admin/audit", "/admin/notifications?tenant=contoso.com", "/admin/sign-in", "/admin/nowhere"):
        r = b.get(path)
        assert r.status_code in (200, 404), path
        assert r.headers["content-type"].startswith("text/html")
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["referrer-policy"] == "same-origin"
        assert r.headers["cache-control"] == "no-store"
        assert r.headers["strict-transport-security"].startswith("max-age=")
        assert "<script>" not in r.text and " style=" not in r.text and "onclick" not in r.text
    static = b.get("/admin/static/admin.js")
    assert static.status_code == 200 and "javascript" in static.headers["content-type"]


def test_a_wrong_password_is_one_message_for_every_cause_counted_and_throttled(site: Site) -> None:
    b = Browser(site.server)
    for user, password in (("maria", "not the password at all"), ("nobody-here", PASSWORDS["maria"])):
        r = b.sign_in(user, password)
        assert r.status_code == 401
        assert "The user name, password or code was not accepted." in r.text
        assert "__Host-portout-session" not in r.headers.get("set-cookie", "")
    # The throttle counts per address: this test's address is the loopback of every test, so a
    # store of its own is used for the rest.
    with site.open() as s:
        failed = [e for e in s.audit_events(event_type="AuthenticationFailed")]
    assert {e.reason for e in failed} >= {"WrongPassword", "UnknownAccount"}
    assert PASSWORDS["maria"] not in "".join(e.details for e in failed)


def test_ten_failures_block_the_right_password_too(tmp_path: Path) -> None:
    store, key, _, _ = make_store(tmp_path)
    with Server(store, key, tmp_path) as server:
        b = Browser(server)
        for _ in range(10):  # the core's kAuthFailureLimit
            assert b.sign_in("maria", "not the password at all").status_code == 401
        r = b.sign_in("maria")
        b.close()  # a connection left open holds the server's stop
        assert r.status_code == 429
        assert "Too many failed sign-ins" in r.text
        assert "__Host-portout-session" not in r.headers.get("set-cookie", "")


def test_an_account_with_totp_gives_its_code_in_a_second_step(site: Site) -> None:
    b = Browser(site.server)
    r = b.sign_in("nadia")
    assert r.status_code == 303 and r.headers["location"].startswith("/admin/sign-in/code")
    # The password alone opens no page: the code is asked for first.
    waiting = b.get("/admin/voice/port-orders")
    assert waiting.status_code == 303 and waiting.headers["location"].startswith("/admin/sign-in/code")
    page = b.get("/admin/sign-in/code")
    assert page.status_code == 200 and 'autocomplete="one-time-code"' in page.text
    wrong = b.post("/admin/sign-in/code", {"code": "000000", "next": "/admin/"})
    assert wrong.status_code == 401 and "not accepted" in wrong.text
    code = pyotp.TOTP(site.totp_secret).now()
    r = b.post("/admin/sign-in/code", {"code": code, "next": "/admin/voice/port-orders"},
               from_page="/admin/sign-in/code")
    assert r.status_code == 303 and r.headers["location"] == "/admin/voice/port-orders"
    assert b.get("/admin/voice/port-orders").status_code == 200
    # The same code a second time, in a new sign-in: refused.
    again = Browser(site.server)
    again.sign_in("nadia")
    reused = again.post("/admin/sign-in/code", {"code": code, "next": "/admin/"}, from_page="/admin/sign-in/code")
    assert reused.status_code == 401


def test_signing_out_ends_the_session_on_every_worker(site: Site) -> None:
    b = signed_in(site, "maria")
    cookie = b.session_cookie()
    # Two workers serve these requests: each resumes the session from the store.
    assert all(b.get("/admin/voice/port-orders").status_code == 200 for _ in range(6))
    out = b.post("/admin/sign-out", {}, from_page="/admin/")
    assert out.status_code == 303 and out.headers["location"] == "/admin/sign-in?done=signed-out"
    assert "__Host-portout-session=\"\"" in out.headers["set-cookie"] or "Max-Age=0" in out.headers["set-cookie"]
    assert "You have signed out." in b.get("/admin/sign-in?done=signed-out").text
    replay = Browser(site.server)
    replay.http.cookies.set("__Host-portout-session", cookie, domain="127.0.0.1")
    for _ in range(4):
        r = replay.get("/admin/voice/port-orders")
        assert r.status_code == 303 and r.headers["location"].startswith("/admin/sign-in")
    session_id = cookie.split("_")[1]
    with site.open() as s:
        signed_in_events = [e for e in s.audit_events(event_type="SignedIn") if f"session={session_id}" in e.details]
        signed_out = [e for e in s.audit_events(event_type="SignedOut") if f"session={session_id}" in e.details]
    assert len(signed_in_events) == 1 and "account=maria" in signed_in_events[0].details
    assert len(signed_out) == 1


def test_a_session_idle_past_the_timeout_ends(tmp_path: Path) -> None:
    store, key, _, _ = make_store(tmp_path)
    with Server(store, key, tmp_path, extra=("--session-idle-timeout", "0.04")) as server:  # 2.4 s
        b = Browser(server)
        assert b.sign_in("maria").status_code == 303
        assert b.get("/admin/").status_code == 200
        time.sleep(3)
        r = b.get("/admin/")
        assert r.status_code == 303 and "ended=1" in r.headers["location"]
        assert "Your session has ended" in b.get(r.headers["location"]).text
        b.close()
    with portout.Store.open(str(store), key_file=str(key), allow_test_profile=True, create=False) as s:
        assert [e.reason for e in s.audit_events(event_type="SessionEnded")] == ["IdleTimeout"]


def test_the_database_edited_between_two_requests(site: Site, tmp_path: Path) -> None:
    """A session row moved to another account by SQL, and an account removed from the command
    line, each end the session at the next request."""
    b = signed_in(site, "maria")
    assert b.get("/admin/audit").status_code == 200
    with sqlite3.connect(site.store) as db:
        db.execute("UPDATE web_sessions SET principal_id = (SELECT principal_id FROM principals WHERE name = 'desk')"
                   " WHERE principal_id = (SELECT principal_id FROM principals WHERE name = 'maria')")
    r = b.get("/admin/audit")
    assert r.status_code == 303 and r.headers["location"].startswith("/admin/sign-in")
    with site.open() as s:
        # The token's hash binds the session to its account: moved, it is a wrong token, counted.
        assert "WrongSessionToken" in [e.reason for e in s.audit_events(event_type="AuthenticationFailed")]

    gone = signed_in(site, "audra")
    assert gone.get("/admin/audit").status_code == 200
    env = {"PORTOUT_STORE": str(site.store), "PORTOUT_KEY_FILE": str(site.key), "PORTOUT_ALLOW_TEST_PROFILE": "1",
           "PATH": "/usr/bin:/bin"}
    removed = subprocess.run([str(PORTOUT), "Remove-PortOutAccount", "audra", "-Confirm:$false"], env=env,
                             capture_output=True, text=True, timeout=60)
    assert removed.returncode == 0, removed.stderr
    r = gone.get("/admin/audit")
    assert r.status_code == 303 and r.headers["location"].startswith("/admin/sign-in")
    with site.open() as s:
        s.new_account("audra", "Auditor", PASSWORDS["audra"])


def test_next_sends_nowhere_but_the_admin_center(site: Site) -> None:
    for target in ("https://evil.example/", "//evil.example/x", "/v1/cmdlets", "/admin\\..\\x"):
        b = Browser(site.server)
        r = b.post("/admin/sign-in", {"user_name": "maria", "password": PASSWORDS["maria"], "next": target},
                   from_page="/admin/sign-in?next=" + target)
        assert r.status_code == 303 and r.headers["location"] == "/admin/"


# -- CSRF -----------------------------------------------------------------------------------------

def test_a_form_without_its_csrf_token_or_from_another_site_is_refused_and_changes_nothing(site: Site) -> None:
    b = signed_in(site, "maria")
    before = pin_set(site)
    page = b.get("/admin/voice/port-out-pin?tenant=contoso.com").text
    fields = {"tenant": "contoso.com", "pin": "820461", "pin_confirmation": "820461"}
    refused = [
        b.post("/admin/voice/port-out-pin", fields, csrf=False),
        b.post("/admin/voice/port-out-pin", {"csrf_token": "0" * 48, **fields}, csrf=False),
        # The token of another session.
        b.post("/admin/voice/port-out-pin", {"csrf_token": signed_in(site, "desk").csrf(
            signed_in(site, "desk").get("/admin/").text), **fields}, csrf=False),
        # The right token, from another site's page.
        b.post("/admin/voice/port-out-pin", {"csrf_token": b.csrf(page), **fields}, csrf=False,
               headers={"Origin": "https://evil.example"}),
    ]
    for r in refused:
        assert r.status_code == 403
        assert "You don't have permission" in r.text or "not sent from the admin center" in r.text
    assert pin_set(site) == before
    # Sign-in itself needs the sign-in cookie's token.
    with site.server.client() as fresh:
        r = fresh.post("/admin/sign-in", data={"user_name": "maria", "password": PASSWORDS["maria"]})
    assert r.status_code == 403 and "__Host-portout-session" not in r.headers.get("set-cookie", "")
    # And signing out another's session by a cross-site post does not happen.
    assert b.post("/admin/sign-out", {}, csrf=False).status_code == 403
    assert b.get("/admin/").status_code == 200


# -- the PIN ---------------------------------------------------------------------------------------

def test_the_pin_panel_refuses_weak_mismatched_and_blank_pins_then_saves_and_changes_one(site: Site) -> None:
    b = signed_in(site, "maria")
    page = b.get("/admin/voice/port-out-pin?tenant=contoso.com")
    assert "Set or change your port out PIN" in page.text and "not the support PIN" in page.text
    assert 'autocomplete="new-password"' in page.text and 'inputmode="numeric"' in page.text
    form = "/admin/voice/port-out-pin?tenant=contoso.com"
    weak = b.post("/admin/voice/port-out-pin", {"tenant": "contoso.com", "pin": "123456",
                                                "pin_confirmation": "123456"}, from_page=form)
    assert weak.status_code == 422
    assert set(re.findall(r'data-rule="(\w+)"', weak.text)) >= {"Sequential"}
    assert 'aria-invalid="true"' in weak.text and 'aria-describedby="pin-hint pin-check pin-errors"' in weak.text
    mismatch = b.post("/admin/voice/port-out-pin", {"tenant": "contoso.com", "pin": "204815",
                                                    "pin_confirmation": "204816"}, from_page=form)
    assert re.findall(r'data-rule="(\w+)"', mismatch.text) == ["ConfirmationMismatch"]
    assert 'value="204815"' not in mismatch.text and 'value="204816"' not in mismatch.text
    assert not pin_set(site)

    saved = b.post("/admin/voice/port-out-pin", {"tenant": "contoso.com", "pin": PIN, "pin_confirmation": PIN},
                   from_page=form)
    assert saved.status_code == 303 and saved.headers["location"].endswith("&done=pin-saved")
    assert PIN not in saved.headers["location"]
    shown = b.get(saved.headers["location"]).text
    assert "Your port-out PIN was saved." in shown
    assert "You can change it, but you can't remove it or set it back to blank." in shown
    assert carrier_request(site, PIN, NUMBERS[1]).json()["status"] == "PendingReview"

    blank = b.post("/admin/voice/port-out-pin", {"tenant": "contoso.com", "pin": "", "pin_confirmation": ""},
                   from_page=form)
    assert blank.status_code == 422 and re.findall(r'data-rule="(\w+)"', blank.text) == ["Empty"]
    changed = b.post("/admin/voice/port-out-pin", {"tenant": "contoso.com", "pin": "730264",
                                                   "pin_confirmation": "730264"}, from_page=form)
    assert changed.status_code == 303
    rejected = carrier_request(site, PIN, NUMBERS[2]).json()
    assert rejected["status"] == "Rejected" and rejected["reason"] == "PinNotAccepted"
    with site.open() as s:
        events = list(s.audit_events("contoso.com", event_type=["PinSet", "PinChanged"]))
        assert [e.actor for e in events] == ["maria", "maria"]
        assert all("via=account:maria" in e.details for e in events)
        s.set_pin("contoso.com", PIN)  # back, for the tests that follow


def test_a_non_us_tenant_is_told_why_it_has_no_pin(site: Site) -> None:
    b = signed_in(site, "maria")
    page = b.get("/admin/voice/port-out-pin?tenant=fabrikam.de").text
    assert "only used for organizations in the United States" in page
    assert 'name="pin"' not in page
    r = b.post("/admin/voice/port-out-pin", {"tenant": "fabrikam.de", "pin": "820461", "pin_confirmation": "820461"},
               from_page="/admin/voice/port-out-pin?tenant=contoso.com")
    assert r.status_code == 409 and "United States" in r.text


def test_the_pin_is_in_no_url_response_log_line_or_database_byte(site: Site) -> None:
    b = signed_in(site, "maria")
    secret_pin = "481930"
    r = b.post("/admin/voice/port-out-pin", {"tenant": "contoso.com", "pin": secret_pin,
                                             "pin_confirmation": secret_pin},
               from_page="/admin/voice/port-out-pin?tenant=contoso.com")
    assert r.status_code == 303
    seen = [r.headers["location"], b.get(r.headers["location"]).text]
    weak = b.post("/admin/voice/port-out-pin", {"tenant": "contoso.com", "pin": "999999",
                                                "pin_confirmation": "999999"},
                  from_page="/admin/voice/port-out-pin?tenant=contoso.com")
    seen += [weak.text, str(weak.headers)]
    assert not any(secret_pin in text or "999999" in text for text in seen)
    assert secret_pin.encode() not in site.server.log.read_bytes()
    for path in site.store.parent.glob("admin.db*"):
        assert secret_pin.encode() not in path.read_bytes()
    with site.open() as s:
        s.set_pin("contoso.com", PIN)


# -- orders, the freeze and roles ----------------------------------------------------------------

def test_a_carriers_request_is_approved_confirmed_and_completed_in_the_admin_center(site: Site) -> None:
    pin_in_place(site)
    created = carrier_request(site, PIN, NUMBERS[3])
    assert created.json()["status"] == "PendingReview", created.text
    order_id = created.json()["id"]
    maria = signed_in(site, "maria")
    listing = maria.get("/admin/voice/port-orders").text
    assert order_id in listing and "Pending review" in listing
    page = maria.get(f"/admin/voice/port-orders/{order_id}").text
    assert ">Approve<" in page and ">Deny<" in page and ">Confirm<" not in page  # a tenant admin reviews
    approved = maria.post(f"/admin/voice/port-orders/{order_id}/approve", {"comment": "Known move"},
                          from_page=f"/admin/voice/port-orders/{order_id}/approve")
    assert approved.status_code == 303, re.findall(r"role=.alert.[^>]*>([^<]*)", approved.text)
    assert approved.headers["location"].endswith("?done=approve")

    desk = signed_in(site, "desk")
    # Bad input: a clear message, nothing changed.
    for bad in ("", "tomorrow", "2020-01-01"):
        r = desk.post(f"/admin/voice/port-orders/{order_id}/confirm", {"foc_date": bad},
                      from_page=f"/admin/voice/port-orders/{order_id}/confirm")
        assert r.status_code == 422 and 'role="alert"' in r.text
    with site.open() as s:
        assert s.get_order(order_id).status == "Approved"
    foc = business_day(business_day(datetime.now(timezone.utc)), 10).date().isoformat()
    confirmed = desk.post(f"/admin/voice/port-orders/{order_id}/confirm", {"foc_date": foc},
                          from_page=f"/admin/voice/port-orders/{order_id}/confirm")
    assert confirmed.status_code == 303, re.findall(r'role="alert"[^>]*>([^<]*)', confirmed.text)
    # Before its FOC date an order cannot be completed: said on the page, nothing changed.
    early = desk.post(f"/admin/voice/port-orders/{order_id}/complete", {},
                      from_page=f"/admin/voice/port-orders/{order_id}/complete")
    assert early.status_code == 409 and "cannot be completed before then" in early.text
    with site.open() as s:
        assert s.get_order(order_id).status == "Confirmed"
    # The FOC date comes: the same store served by a server whose clock is three weeks on.
    later = site.store.parent / "later"
    later.mkdir(exist_ok=True)
    with Server(site.store, site.key, later, env=FAKETIME_PLUS_3_WEEKS) as server:
        desk = Browser(server)
        assert desk.sign_in("desk").status_code == 303
        completed = desk.post(f"/admin/voice/port-orders/{order_id}/complete", {},
                              from_page=f"/admin/voice/port-orders/{order_id}/complete")
        assert completed.status_code == 303, re.findall(r"role=.alert.[^>]*>([^<]*)", completed.text)
        shown = desk.get(completed.headers["location"]).text
        desk.close()
    assert "The order was completed." in shown and "Completed" in shown
    with site.open() as s:
        steps = s.order_history(order_id)
        assert [(x.to_status, x.actor) for x in steps[1:]] == [("Approved", "maria"), ("Confirmed", "desk"),
                                                              ("Completed", "desk")]
        assert NUMBERS[3] not in [n.phone_number for n in s.phone_numbers("contoso.com")]


def test_what_a_role_may_not_do_is_a_403_page_and_nothing_changes(site: Site) -> None:
    pin_in_place(site)
    created = carrier_request(site, PIN, NUMBERS[4])
    assert created.json()["status"] == "PendingReview", created.text
    order_id = created.json()["id"]
    audra = signed_in(site, "audra")
    page = audra.get(f"/admin/voice/port-orders/{order_id}").text
    assert "Approve" not in page and "Cancel order" not in page
    r = audra.get(f"/admin/voice/port-orders/{order_id}/approve")
    assert r.status_code == 403 and "You don&#39;t have permission" in r.text
    r = audra.post(f"/admin/voice/port-orders/{order_id}/approve", {}, from_page="/admin/")
    assert r.status_code == 403
    assert audra.get("/admin/voice/port-out-freeze?tenant=contoso.com&to=on").status_code == 403
    assert audra.post("/admin/voice/port-out-pin", {"tenant": "contoso.com", "pin": "820461",
                                                   "pin_confirmation": "820461"}, from_page="/admin/").status_code == 403
    maria = signed_in(site, "maria")
    assert maria.get(f"/admin/voice/port-orders/{order_id}/confirm").status_code == 403  # the desk's
    # A tenant outside maria's scope.
    r = maria.get("/admin/voice/port-out-pin?tenant=northwind.com")
    assert r.status_code == 403
    with site.open() as s:
        assert s.get_order(order_id).status == "PendingReview"
        assert not s.get_tenant("contoso.com").port_out_frozen
        refusals = list(s.audit_events(event_type="AccessDenied"))
        assert any(e.actor == "audra" for e in refusals) and any(e.actor == "maria" for e in refusals)
    cancelled = maria.post(f"/admin/voice/port-orders/{order_id}/cancel", {"reason": "Nonsense"},
                           from_page=f"/admin/voice/port-orders/{order_id}/cancel")
    assert cancelled.status_code == 422 and 'role="alert"' in cancelled.text
    cancelled = maria.post(f"/admin/voice/port-orders/{order_id}/cancel", {"reason": "DuplicateRequest"},
                           from_page=f"/admin/voice/port-orders/{order_id}/cancel")
    assert cancelled.status_code == 303


def test_the_freeze_refuses_a_carriers_request_until_it_is_turned_off(site: Site) -> None:
    pin_in_place(site)
    maria = signed_in(site, "maria")
    confirm = maria.get("/admin/voice/port-out-freeze?tenant=contoso.com&to=on")
    assert confirm.status_code == 200 and "every port-out request is refused" in confirm.text
    r = maria.post("/admin/voice/port-out-freeze", {"tenant": "contoso.com", "frozen": "on"})
    assert r.status_code == 303 and r.headers["location"].endswith("done=frozen")
    refused = carrier_request(site, PIN, NUMBERS[5]).json()
    assert refused["status"] == "Rejected" and refused["reason"] == "PortOutFrozen", refused
    maria.get("/admin/voice/port-out-freeze?tenant=contoso.com&to=off")
    r = maria.post("/admin/voice/port-out-freeze", {"tenant": "contoso.com", "frozen": "off"})
    assert r.status_code == 303
    with site.open() as s:
        assert [e.actor for e in s.audit_events("contoso.com", event_type=["PortOutFrozen", "PortOutUnfrozen"])] \
            [-2:] == ["maria", "maria"]


# -- the audit log and notifications --------------------------------------------------------------

def test_the_audit_log_shows_its_verification_to_whom_may_verify(site: Site) -> None:
    desk = signed_in(site, "desk").get("/admin/audit").text
    assert "The audit chain verifies." in desk
    audra = signed_in(site, "audra").get("/admin/audit").text
    assert "The audit chain verifies." in audra
    maria = signed_in(site, "maria").get("/admin/audit").text
    assert "The audit chain verifies." not in maria and "provider's desk" in maria
    assert "northwind.com" not in maria  # a tenant admin reads its own tenants' events


def test_e_mail_contacts_and_webhooks_are_set_and_bad_ones_refused(site: Site) -> None:
    maria = signed_in(site, "maria")
    page = "/admin/notifications?tenant=contoso.com"
    bad = maria.post("/admin/notifications/emails", {"tenant": "contoso.com", "emails": "noc@contoso.com\nnot an address"},
                     from_page=page)
    assert bad.status_code == 422 and 'role="alert"' in bad.text
    with site.open() as s:
        assert not [x for x in s.subscriptions("Email") if "contoso.com" in x.tenant_scope]
    ok = maria.post("/admin/notifications/emails", {"tenant": "contoso.com",
                                                    "emails": "noc@contoso.com\nit@contoso.com"}, from_page=page)
    assert ok.status_code == 303
    with site.open() as s:
        assert sorted(x.target for x in s.subscriptions("Email") if "contoso.com" in x.tenant_scope) == \
            ["it@contoso.com", "noc@contoso.com"]
    refused = maria.post("/admin/notifications/webhooks", {"tenant": "contoso.com", "url": "ftp://x.example/"},
                         from_page=page)
    assert refused.status_code == 422
    added = maria.post("/admin/notifications/webhooks", {"tenant": "contoso.com", "url": "https://hooks.contoso.com/p",
                                                         "events": "PortOutRequest"}, from_page=page)
    assert added.status_code == 200 and "whsec_" in added.text
    with site.open() as s:
        hook = [x for x in s.subscriptions("Webhook") if x.target == "https://hooks.contoso.com/p"][0]
        assert hook.tenant_scope == ("contoso.com",) and hook.created_by == "maria"
    removed = maria.post(f"/admin/notifications/webhooks/{hook.subscription_id}/remove", {"tenant": "contoso.com"},
                         from_page=f"/admin/notifications/webhooks/{hook.subscription_id}/remove")
    assert removed.status_code == 303


# -- bad input to the pages (after the PIN tests: it needs contoso's PIN set) ---------------------

def test_empty_fields_a_wrong_filter_and_an_unknown_action_are_told_and_change_nothing(site: Site) -> None:
    b = Browser(site.server)
    for user, password in (("", PASSWORDS["maria"]), ("maria", ""), ("  ", "")):
        r = b.post("/admin/sign-in", {"user_name": user, "password": password, "next": "/admin/"},
                   from_page="/admin/sign-in")
        assert r.status_code == 422 and "Enter your user name and your password." in r.text
        assert "__Host-portout-session" not in r.headers.get("set-cookie", "")
    totp = Browser(site.server)
    assert totp.sign_in("nadia").status_code == 303
    r = totp.post("/admin/sign-in/code", {"code": " ", "next": "/admin/"}, from_page="/admin/sign-in/code")
    assert r.status_code == 422 and "Enter the six-digit code" in r.text
    assert totp.get("/admin/").headers["location"].startswith("/admin/sign-in/code")  # still waiting for it

    maria = signed_in(site, "maria")
    listing = maria.get("/admin/voice/port-orders?status=Nonsense&before=abc&tenant=%20")
    assert listing.status_code == 200 and '<option value="" selected' not in listing.text
    assert "Port orders, newest first</caption>" in listing.text  # no filter in force
    pin_in_place(site)
    order_id = carrier_request(site, PIN, NUMBERS[6]).json()["id"]
    for method in ("get", "post"):
        r = maria.get(f"/admin/voice/port-orders/{order_id}/obliterate") if method == "get" else maria.post(
            f"/admin/voice/port-orders/{order_id}/obliterate", {}, from_page="/admin/")
        assert r.status_code == 404 and "RouteNotFound" in r.text
    with site.open() as s:
        assert s.get_order(order_id).status == "PendingReview"


# -- bad input to the sessions' own calls ----------------------------------------------------------

@pytest.mark.parametrize("bad", [None, 42, b"pws_x", ["x"], "", "pws_", "x" * 100_000, "pws_" + "0" * 16 + "_" + "A" * 43,
                                 "pws_" + "0" * 16 + "_" + "A" * 42 + "\x00", "\u202epws_", "' OR 1=1 --"])
def test_a_bad_session_token_is_a_typed_error_and_changes_nothing(tmp_path: Path, bad: Any) -> None:
    store, key, _, _ = make_store(tmp_path)
    with portout.Store.open(str(store), key_file=str(key), allow_test_profile=True, create=False) as gate:
        live = gate.start_web_session("maria", PASSWORDS["maria"], client_address="192.0.2.7").token
        before = sqlite3.connect(store).execute("SELECT session_id, state, last_seen_at FROM web_sessions").fetchall()
        for call in (lambda: gate.resume_web_session(bad, client_address="192.0.2.7", idle_timeout=900),
                     lambda: gate.complete_web_session(bad, "123456", client_address="192.0.2.7")):
            with pytest.raises(portout.PortOutError) as caught:
                call()
            if not isinstance(bad, str):
                assert isinstance(caught.value, portout.InvalidTypeError)
            else:
                assert caught.value.error_id == "SessionEnded" or isinstance(caught.value, portout.InvalidArgumentError)
        gate.end_web_session(bad, client_address="192.0.2.7") if isinstance(bad, str) and len(bad) < 256 else None
        after = sqlite3.connect(store).execute("SELECT session_id, state, last_seen_at FROM web_sessions").fetchall()
        assert after == before
        assert gate.resume_web_session(live, client_address="192.0.2.7", idle_timeout=900).principal.name == "maria"
        for address in ("x" * 65, "a b", "\x00"):
            with pytest.raises(portout.InvalidArgumentError):
                gate.resume_web_session(live, client_address=address, idle_timeout=900)
        for idle in (0, -1, 13 * 3600):
            with pytest.raises(portout.InvalidArgumentError):
                gate.resume_web_session(live, client_address="192.0.2.7", idle_timeout=idle)
