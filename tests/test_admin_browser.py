"""The admin center (/admin/ on ``portout serve``) in a real browser: Debian's chromium, headless,
driven through selenium against a real server over TLS, at a phone's width (360 px) and a
desktop's (1440 px).

It proves that the seed's steps can be followed word for word, by mouse and by keyboard alone:
sign in, the admin center, **Voice > Port orders** in the left navigation, **Set up and manage
the PIN**, a PIN entered in the **Set or change your port out PIN** panel and **Save**; that the
PIN's rules are told (the browser's own pre-check, then the server's), that a PIN once set can
be changed but never blanked; that a carrier's request sent over the API shows up, and is
approved, confirmed and completed in the browser; that the freeze refuses a carrier's request
until it is turned off; that signing out ends the session for the cookie too; that a form
without its CSRF token and a page a role may not use are 403 pages that change nothing.

Every page visited is checked with axe-core (no serious or critical violation) at both widths,
checked for a sideways scrollbar at 360 px, and saved as a screenshot (full page) into
$PORTOUT_SCREENSHOTS, else a pytest tmp folder. The API side of the same pages (cookies,
headers, throttling) is tests/test_admin_center.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

import pyotp
import pytest
from selenium.webdriver.support.select import Select

import portout
from browser import DESKTOP, PHONE, Browser, Keys, screenshot_folder
from conftest import business_day
from servers import Server

PASSWORDS = {"maria": "violet kettle harbour lantern", "desk": "copper meadow signal orchard",
             "audra": "quiet river stone lantern", "tomas": "tidal ember quartz"}
CONTOSO = ("+14255550100", "+14255550101", "+14255550102", "+14255550103")
WOODGROVE = ("+14255550200", "+14255550201", "+14255550202", "+14255550203")
NORTHWIND = ("+14255550300", "+14255550301")
#: The PINs set before the server starts, of the tenants whose PIN no test changes.
WOODGROVE_PIN, NORTHWIND_PIN, TAILSPIN_PIN = "602917", "731846", "958203"
#: The pages whose axe-core check at the phone's width is enough (their kind is checked at both).
ONE = (PHONE,)
#: A server's clock three weeks on (libfaketime), for an order's FOC date to come.
THREE_WEEKS_ON = {"LD_PRELOAD": "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1", "FAKETIME": "+21d"}


@dataclass
class World:
    server: Server
    folder: Path
    store: Path
    key: Path
    carrier: str = field(repr=False)
    totp_secret: str = field(repr=False)

    def look(self) -> portout.Store:
        """The store as its owner sees it, opened beside the server."""
        return portout.Store.open(str(self.store), key_file=str(self.key), allow_test_profile=True, actor="owner",
                                  create=False)

    def pin_set_at(self, tenant: str) -> datetime | None:
        """When the tenant's PIN was last set or changed (None: never)."""
        with self.look() as s:
            status = s.pin_status(tenant)
            return status.last_modified_date_time if status.pin_is_set else None

    def order(self, order_id: str) -> Any:
        with self.look() as s:
            return s.get_order(order_id)

    def port_out(self, tenant: str, number: str, pin: str) -> dict[str, Any]:
        """A carrier's request over the API; its order (201), or the problem's body."""
        with self.server.client(self.carrier) as c:
            r = c.post("/v1/port-out-orders", json={"tenantId": tenant, "phoneNumbers": [number], "pin": pin})
        body: dict[str, Any] = r.json()
        body["httpStatus"] = r.status_code
        return body


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("admin-browser")
    store, key = folder / "store.db", folder / "store.key"
    s = portout.Store.open(str(store), key_file=str(key), profile="test", allow_test_profile=True, create=True,
                           actor="provisioning")
    tenants = {"contoso.com": ("Contoso", "US"), "fabrikam.de": ("Fabrikam GmbH", "DE"),
               "woodgrove.com": ("Woodgrove Bank", "US"), "northwind.com": ("Northwind Traders", "US"),
               "tailspin.com": ("Tailspin Toys", "US")}
    for tenant, (name, country) in tenants.items():
        s.create_tenant(tenant, name, country)
    for tenant, numbers in (("contoso.com", CONTOSO), ("woodgrove.com", WOODGROVE), ("northwind.com", NORTHWIND)):
        for n in numbers:
            s.add_phone_number(tenant, n)
    s.set_pin("woodgrove.com", WOODGROVE_PIN)
    s.set_pin("northwind.com", NORTHWIND_PIN)
    s.set_pin("tailspin.com", TAILSPIN_PIN)
    s.set_policy("tailspin.com", tenant_max_failures=3)  # three wrong PINs lock the tenant's PIN
    s.new_account("maria", "TelephonyAdmin", PASSWORDS["maria"], tenant_scope=list(tenants))
    s.new_account("desk", "StoreAdmin", PASSWORDS["desk"])
    s.new_account("audra", "Auditor", PASSWORDS["audra"])
    tomas = s.new_account("tomas", "TelephonyAdmin", PASSWORDS["tomas"], tenant_scope=["contoso.com"], totp=True)
    carrier = s.new_credential("lumen-prod", "Carrier", carrier_name="Lumen", carrier_spid="9102").token
    s.close()
    assert tomas.totp_secret
    with Server(store, key, folder) as server:
        yield World(server, folder, store, key, carrier, tomas.totp_secret)


@pytest.fixture(scope="module")
def chromium(world: World, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """One chromium for the whole file."""
    browser = Browser(world.server.url, tmp_path_factory.mktemp("chromium"),
                      screenshot_folder(tmp_path_factory.mktemp("screenshots")))
    yield browser
    browser.quit()


@pytest.fixture
def b(chromium: Browser, world: World, request: pytest.FixtureRequest) -> Iterator[Browser]:
    """The browser for one test: a new visitor (no cookies) at the desktop's width. After a
    failure, the page as it was is saved (FAILED-<test>.png) and the server log's tail printed."""
    chromium.resize(DESKTOP)
    chromium.forget()
    failed = request.session.testsfailed
    yield chromium
    if request.session.testsfailed > failed:
        try:
            chromium.driver.save_screenshot(str(chromium.shots / f"FAILED-{request.node.name}.png"))
            print(f"page at failure: {chromium.path}")
        except Exception as error:  # the browser itself may be what failed
            print(f"no screenshot of the failure: {error}")
        print("server log (tail):\n" + world.server.log.read_text(errors="replace")[-4000:])


# -- small steps ----------------------------------------------------------------------------------

def sign_in(b: Browser, user: str, **kwargs: Any) -> None:
    b.sign_in(user, PASSWORDS[user], **kwargs)
    assert b.path.startswith("/admin/") and not b.path.startswith("/admin/sign-in"), b.path


def nav(b: Browser, text: str) -> None:
    """Chooses `text` in the left navigation."""
    b.follow(text, within="nav.side")


def notice(b: Browser) -> str:
    found = b.find_all("main .notice.ok[role=status]")
    return found[0].text if found else ""


def status(b: Browser) -> str:
    """The order page's status badge."""
    return b.text("main .lead .status")


def pin_form(b: Browser, pin: str, confirmation: str | None = None, *, press: bool = True) -> None:
    """Types a PIN and its confirmation into the panel's fields, and clicks Save."""
    b.type_into("#pin", pin)
    b.type_into("#pin_confirmation", pin if confirmation is None else confirmation)
    if press:
        b.press("Save")


def submit_without_script(b: Browser, css: str = "form[data-pin-form]") -> None:
    """Sends a form as a browser without JavaScript would (no submit event: no pre-check)."""
    b.script_to_new_page("document.querySelector(arguments[0]).submit();", css)


def rules(b: Browser) -> list[str]:
    """The rules the server named in #pin-errors."""
    return [li.get_attribute("data-rule") for li in b.find_all("#pin-errors li[data-rule]")]


def pin_in_page(b: Browser, pin: str) -> bool:
    return pin in b.driver.page_source or pin in b.driver.current_url


def forbidden(b: Browser) -> bool:
    return b.heading() == "You don't have permission to do this"


def foc_day(days: int = 5) -> datetime:
    """An FOC date `days` business days ahead (weekdays, not US federal holidays)."""
    return business_day(datetime.now(timezone.utc), days)


def type_date(b: Browser, css: str, day: datetime) -> None:
    """Types a date into a date field as a person does in an en-US chromium (mm dd yyyy)."""
    b.find(css).send_keys(day.strftime("%m%d%Y"))  # focused on its first part, the month


# -- sign-in ----------------------------------------------------------------------------------------

def test_a_wrong_password_is_told_on_the_sign_in_page(b: Browser) -> None:
    b.go("/admin/")
    assert b.path == "/admin/sign-in?next=/admin/" and b.heading() == "Sign in"
    b.inspect("sign-in")
    b.type_into("#user_name", "maria")
    b.type_into("#password", "not the password at all")
    b.press("Sign in")
    assert b.text("#sign-in-error") == "The user name, password or code was not accepted."
    assert b.find("#password").get_attribute("aria-invalid") == "true"
    assert b.find("#user_name").get_attribute("value") == "maria"
    b.inspect("sign-in-error", axe_at=ONE)


def test_an_account_with_totp_signs_in_with_its_code(b: Browser, world: World) -> None:
    b.sign_in("tomas", PASSWORDS["tomas"])
    assert b.path == "/admin/sign-in/code?next=/admin/" and b.heading() == "Enter your code"
    b.inspect("code")
    b.type_into("#code", "000000" if pyotp.TOTP(world.totp_secret).now() != "000000" else "111111")
    b.press("Verify")
    assert b.text("#code-error") == "The user name, password or code was not accepted."
    b.inspect("code-error", axe_at=ONE)
    b.type_into("#code", pyotp.TOTP(world.totp_secret).now())
    b.press("Verify")
    assert b.path == "/admin/" and b.heading() == "Admin center"


# -- the seed's steps --------------------------------------------------------------------------------

def test_the_seeds_steps_at_a_phones_width_with_the_keyboard(b: Browser, world: World) -> None:
    """Sign in, Voice > Port orders, Set up and manage the PIN, the panel, Save: at 360 px, the
    sign-in and the PIN typed and sent with the keyboard alone."""
    b.resize(PHONE)
    before = world.pin_set_at("contoso.com")
    b.sign_in("maria", PASSWORDS["maria"], keyboard=True)
    assert b.path == "/admin/" and b.heading() == "Admin center"
    b.inspect("home")
    side = [a.text for a in b.find_all("nav.side a")]
    assert side == ["Home", "Voice", "Port orders", "Port-out PIN", "Notifications", "Audit log"]
    nav(b, "Voice")
    assert b.path == "/admin/voice/" and b.heading() == "Voice"
    b.inspect("voice")
    nav(b, "Port orders")
    assert b.path == "/admin/voice/port-orders" and b.heading() == "Port orders"
    assert b.find("nav.side a[aria-current=page]").text == "Port orders"
    b.inspect("port-orders")
    b.follow("Set up and manage the PIN")
    assert b.path == "/admin/voice/port-out-pin" and b.heading() == "Set up and manage the PIN"
    b.inspect("pin-choose", axe_at=ONE)
    # maria manages several organizations: she picks Contoso and shows it, by keyboard.
    b.tab_to("tenant-picker")
    b.keys("Contoso", Keys.TAB)
    assert b.focused() == "BUTTON:Show"
    b.keys_to_new_page(Keys.ENTER)
    assert b.path == "/admin/voice/port-out-pin?tenant=contoso.com"
    assert b.text("#panel-heading") == "Set or change your port out PIN"
    b.inspect("pin")
    # The keyboard alone: Tab to the PIN, type it, Tab, type it again, Tab to Save, Enter.
    b.tab_to("pin")
    b.keys("480631", Keys.TAB)
    assert b.focused() == "pin_confirmation"
    b.keys("480631", Keys.TAB)
    assert b.focused() == "BUTTON:Save"
    b.keys_to_new_page(Keys.ENTER)
    assert b.path == "/admin/voice/port-out-pin?tenant=contoso.com&done=pin-saved"
    assert notice(b) == "Your port-out PIN was saved."
    assert world.pin_set_at("contoso.com") not in (None, before)
    assert b.text("#pin-state").startswith("A PIN is set.")
    leaked = pin_in_page(b, "480631")
    assert not leaked
    b.inspect("pin-saved", axe_at=ONE)


def test_the_seeds_steps_at_a_desktops_width_with_the_mouse(b: Browser, world: World) -> None:
    before = world.pin_set_at("contoso.com")
    sign_in(b, "maria")
    assert b.heading() == "Admin center"
    nav(b, "Voice")
    nav(b, "Port orders")
    assert b.heading() == "Port orders"
    b.follow("Set up and manage the PIN")
    Select(b.find("#tenant-picker")).select_by_visible_text("Contoso (contoso.com)")
    b.press("Show")
    assert b.text("#panel-heading") == "Set or change your port out PIN"
    pin_form(b, "274059")
    assert b.path == "/admin/voice/port-out-pin?tenant=contoso.com&done=pin-saved"
    assert notice(b) == "Your port-out PIN was saved."
    assert world.pin_set_at("contoso.com") not in (None, before)
    b.inspect("pin-saved-desktop", widths=(DESKTOP,))


# -- the PIN's rules ------------------------------------------------------------------------------

def test_the_pin_rules_are_told_and_a_pin_once_set_cannot_be_blanked(b: Browser, world: World) -> None:
    sign_in(b, "maria", next_path="/admin/voice/port-out-pin?tenant=contoso.com")
    assert b.path == "/admin/voice/port-out-pin?tenant=contoso.com"
    set_at = world.pin_set_at("contoso.com")

    # The browser's pre-check: nothing is sent.
    for pin, confirmation, rule, field in (("", "", "(Empty)", "#pin-check"),
                                            ("12ab56", "12ab56", "(NotDigits)", "#pin-check"),
                                            ("4806", "4806", "(TooShort)", "#pin-check"),
                                            ("480631", "480632", "(ConfirmationMismatch)", "#pin-confirmation-check")):
        pin_form(b, pin, confirmation, press=False)
        b.button("Save").click()
        assert b.wait_for(f"document.querySelector('{field}').textContent.indexOf('{rule}') >= 0"), rule
        assert b.path == "/admin/voice/port-out-pin?tenant=contoso.com", rule  # not sent
        invalid = b.find(field.replace("-check", "").replace("#pin-confirmation", "#pin_confirmation"))
        assert invalid.get_attribute("aria-invalid") == "true", rule
        assert b.focused() == invalid.get_attribute("id"), rule
        if rule == "(Empty)":
            b.inspect("pin-precheck", axe_at=ONE)
    assert world.pin_set_at("contoso.com") == set_at

    # The server's rules: a weak PIN, named by its rules; the PIN not echoed back.
    pin_form(b, "123456")
    assert {"Sequential", "CommonPin"} <= set(rules(b))
    assert "Sequential" in b.text("#pin-errors") and b.find("#pin").get_attribute("aria-invalid") == "true"
    cleared = b.find("#pin").get_attribute("value") == "" and b.find("#pin_confirmation").get_attribute("value") == ""
    assert cleared  # the refused PIN is not sent back to the browser
    b.inspect("pin-weak")
    pin_form(b, "987654")
    assert "Sequential" in rules(b)
    leaked = pin_in_page(b, "987654")
    assert not leaked
    assert world.pin_set_at("contoso.com") == set_at

    # A good PIN is saved; the same again is refused, and so is a mismatch sent past the
    # pre-check; then another good PIN is saved.
    pin_form(b, "395062")
    assert notice(b) == "Your port-out PIN was saved."
    changed = world.pin_set_at("contoso.com")
    assert changed is not None and changed != set_at
    assert "You can change it, but you can't remove it or set it back to blank" in b.text("#pin-state")
    assert "This is not the support PIN" in b.text("main .panel .note")
    pin_form(b, "395062")
    assert rules(b) == ["SameAsCurrent"]
    pin_form(b, "958203", "958230", press=False)
    submit_without_script(b)
    assert rules(b) == ["ConfirmationMismatch"]
    assert world.pin_set_at("contoso.com") == changed
    pin_form(b, "518274")
    assert notice(b) == "Your port-out PIN was saved."
    assert world.pin_set_at("contoso.com") not in (None, changed)
    changed = world.pin_set_at("contoso.com")

    # And no way to blank it: the pre-check stops it, and the server refuses it when sent anyway.
    pin_form(b, "", press=False)
    b.button("Save").click()
    assert b.wait_for("document.querySelector('#pin-check').textContent.indexOf('(Empty)') >= 0")
    submit_without_script(b)
    assert rules(b) == ["Empty"]
    with world.look() as s:
        status = s.pin_status("contoso.com")
    assert status.pin_is_set and status.last_modified_date_time == changed


def test_a_tenant_outside_the_us_is_told_it_has_no_pin(b: Browser) -> None:
    sign_in(b, "maria", next_path="/admin/voice/port-out-pin?tenant=fabrikam.de")
    assert b.text("#non-us-heading") == "No port-out PIN outside the United States"
    assert "only used for organizations in the United States" in b.text("main")
    assert not b.exists("#pin") and not b.exists("#panel-heading")
    b.inspect("pin-non-us")


# -- orders ---------------------------------------------------------------------------------------

def test_a_carriers_request_is_approved_confirmed_and_completed(b: Browser, world: World) -> None:
    # maria sets the PIN in the browser; then the carrier asks over the API with it.
    sign_in(b, "maria", next_path="/admin/voice/port-out-pin?tenant=contoso.com")
    pin_form(b, "815307")
    assert notice(b) == "Your port-out PIN was saved."
    order = world.port_out("contoso.com", CONTOSO[3], "815307")
    assert (order["httpStatus"], order["status"]) == (201, "PendingReview")
    order_id = order["id"]

    nav(b, "Port orders")
    first = b.find("table.orders tbody tr td a")
    assert first.text == order_id  # newest first
    b.inspect("port-orders-with-order", axe_at=ONE)
    b.click(first)
    assert b.path == f"/admin/voice/port-orders/{order_id}" and status(b) == "Pending review"
    actions = [a.text for a in b.find_all(".actions a")]
    assert actions == ["Approve", "Deny", "Cancel order"]  # Confirm and Complete are the desk's
    b.inspect("order")
    for label, name in (("Deny", "order-deny"), ("Cancel order", "order-cancel")):
        b.follow(label)
        assert b.exists("#reason") and b.exists("#comment") and b.button(label)
        b.inspect(name, axe_at=ONE)
        b.follow("Go back")
    b.follow("Approve")
    assert b.heading() == "Approve this port-out request?"
    b.inspect("order-approve", axe_at=ONE)
    b.type_into("#comment", "Checked with the customer by phone.")
    b.press("Approve")
    assert b.path == f"/admin/voice/port-orders/{order_id}?done=approve"
    assert notice(b) == "The order was approved." and status(b) == "Approved"
    assert [a.text for a in b.find_all(".actions a")] == ["Cancel order"]
    b.inspect("order-approved", axe_at=ONE)

    # The provider's desk confirms with an FOC date: a Saturday is refused, a business day taken.
    sign_in(b, "desk", next_path=f"/admin/voice/port-orders/{order_id}")
    assert [a.text for a in b.find_all(".actions a")] == ["Confirm", "Cancel order"]
    b.follow("Confirm")
    assert b.heading() == "Confirm this order with a firm order commitment (FOC) date?"
    b.inspect("order-confirm", axe_at=ONE)
    good = foc_day(5)
    saturday = good + timedelta(days=(5 - good.weekday()) % 7)
    type_date(b, "#foc_date", saturday)
    assert b.find("#foc_date").get_attribute("value") == saturday.date().isoformat()
    b.press("Confirm")
    assert b.exists("#action-error") and world.order(order_id).status == "Approved"
    assert b.find("#foc_date").get_attribute("value") == saturday.date().isoformat()  # kept
    b.inspect("order-confirm-error", axe_at=ONE)
    type_date(b, "#foc_date", good)
    assert b.find("#foc_date").get_attribute("value") == good.date().isoformat()
    b.press("Confirm")
    assert notice(b) == "The order was confirmed." and status(b) == "Confirmed"
    assert b.exists(f"dl.fields time[datetime^='{good.date().isoformat()}']")  # the FOC date
    b.inspect("order-confirmed", axe_at=ONE)
    # Before its FOC date the order cannot be completed: the page says so.
    b.follow("Complete")
    assert b.heading() == "Mark this order complete?"
    b.inspect("order-complete", axe_at=ONE)
    b.press("Complete")
    assert "cannot be completed before then" in b.text("#action-error")
    assert world.order(order_id).status == "Confirmed"
    b.inspect("order-complete-early", widths=(DESKTOP,))

    # The FOC date comes: the same store served by a server whose clock is three weeks on.
    (world.folder / "later").mkdir(exist_ok=True)
    with Server(world.store, world.key, world.folder / "later", env=THREE_WEEKS_ON) as later:
        with b.on(later.url):
            sign_in(b, "desk", next_path=f"/admin/voice/port-orders/{order_id}")
            b.follow("Complete")
            b.press("Complete")
            assert notice(b) == "The order was completed." and status(b) == "Completed"
            assert not b.exists(".actions")
            history = [li.find_element("css selector", "strong").text for li in b.find_all("ol.history > li")]
            assert history == ["Pending review", "Approved", "Confirmed", "Completed"]
            b.inspect("order-completed", axe_at=ONE)
    assert world.order(order_id).status == "Completed"
    with world.look() as s:
        assert CONTOSO[3] not in [n.phone_number for n in s.phone_numbers("contoso.com")]


def test_an_order_is_denied_and_another_cancelled_with_their_reasons(b: Browser, world: World) -> None:
    denied = world.port_out("woodgrove.com", WOODGROVE[0], WOODGROVE_PIN)["id"]
    cancelled = world.port_out("woodgrove.com", WOODGROVE[1], WOODGROVE_PIN)["id"]
    sign_in(b, "maria", next_path=f"/admin/voice/port-orders/{denied}/deny")
    assert b.heading() == "Deny this port-out request?"
    reasons = [o.get_attribute("value") for o in b.find_all("#reason option")]
    assert "Other" in reasons
    b.find("#reason").send_keys("Other")  # reason Other needs a comment
    b.press("Deny")
    assert b.exists("#action-error") and world.order(denied).status == "PendingReview"
    b.inspect("order-deny-error", axe_at=ONE)
    b.type_into("#comment", "The customer did not ask for this port.")
    b.press("Deny")
    assert notice(b) == "The order was denied." and status(b) == "Denied"

    b.go(f"/admin/voice/port-orders/{cancelled}")
    b.follow("Cancel order")
    assert b.heading() == "Cancel this order?"
    choice = [o for o in b.find_all("#reason option") if o.get_attribute("value") != "Other"][0]
    choice.click()
    b.press("Cancel order")
    assert notice(b) == "The order was cancelled." and status(b) == "Cancelled"
    assert world.order(denied).status == "Denied" and world.order(cancelled).status == "Cancelled"


# -- the freeze -------------------------------------------------------------------------------------

def test_the_freeze_refuses_a_carriers_request_until_it_is_turned_off(b: Browser, world: World) -> None:
    sign_in(b, "maria", next_path="/admin/voice/port-out-pin?tenant=northwind.com")
    b.follow("Turn on the freeze")
    assert b.heading() == "Turn on the port-out freeze?"
    b.inspect("freeze", axe_at=ONE)
    b.press("Turn on the freeze")
    assert b.path == "/admin/voice/port-out-pin?tenant=northwind.com&done=frozen"
    assert notice(b).startswith("The port-out freeze is on")
    b.inspect("pin-frozen", axe_at=ONE)

    # The carrier's request, with the right PIN, is refused: recorded and answered as Rejected
    # (201, as every request the API takes), reason PortOutFrozen; the order page says so.
    refused = world.port_out("northwind.com", NORTHWIND[0], NORTHWIND_PIN)
    assert (refused["httpStatus"], refused["status"], refused["reason"]) == (201, "Rejected", "PortOutFrozen")
    nav(b, "Port orders")
    assert b.find("table.orders tbody tr td a").text == refused["id"]
    b.follow(refused["id"])
    assert status(b) == "Rejected" and "Port out frozen" in b.text("main .lead")
    b.inspect("order-rejected", axe_at=ONE)

    b.go("/admin/voice/port-out-pin?tenant=northwind.com")
    b.follow("Turn off the freeze")
    assert b.heading() == "Turn off the port-out freeze?"
    b.inspect("unfreeze", axe_at=ONE)
    b.press("Turn off the freeze")
    assert notice(b).startswith("The port-out freeze is off")
    accepted = world.port_out("northwind.com", NORTHWIND[1], NORTHWIND_PIN)
    assert (accepted["httpStatus"], accepted["status"]) == (201, "PendingReview")


def test_a_pin_locked_by_wrong_pins_is_unlocked_in_the_browser(b: Browser, world: World) -> None:
    for attempt in range(3):  # wrong PINs
        sent = world.port_out("tailspin.com", "+14255550400", f"40917{attempt}")
        assert sent["httpStatus"] == 201 and sent["status"] == "Rejected"
    with world.look() as s:
        assert s.pin_status("tailspin.com").is_locked
    sign_in(b, "maria", next_path="/admin/voice/port-out-pin?tenant=tailspin.com")
    assert "Locked" in b.text("dl.fields")
    b.inspect("pin-locked", axe_at=ONE)
    b.follow("Unlock")
    assert b.heading() == "Clear the PIN lock?"
    b.inspect("unlock", axe_at=ONE)
    b.press("Clear the lock")
    assert notice(b).startswith("The PIN lock was cleared")
    with world.look() as s:
        assert not s.pin_status("tailspin.com").is_locked


# -- sessions, CSRF and roles ------------------------------------------------------------------------

def test_signing_out_ends_the_session_for_its_cookie_too(b: Browser) -> None:
    sign_in(b, "maria")
    session = [c for c in b.cookies() if c["name"] == "__Host-portout-session"]
    assert len(session) == 1 and session[0]["httpOnly"] and session[0]["secure"]
    b.press("Sign out", within="header")
    assert b.path == "/admin/sign-in?done=signed-out" and notice(b) == "You have signed out."
    b.inspect("signed-out", axe_at=ONE)
    assert not [c for c in b.cookies() if c["name"] == "__Host-portout-session"]
    # The old cookie put back: it opens nothing.
    old = session[0]
    b.driver.add_cookie({"name": old["name"], "value": old["value"], "path": "/", "secure": True,
                         "httpOnly": True, "sameSite": "Strict"})
    b.go("/admin/voice/port-orders")
    assert b.path.startswith("/admin/sign-in?next=/admin/voice/port-orders")
    assert b.heading() == "Sign in" and notice(b) == "Your session has ended. Sign in again."
    b.inspect("session-ended", axe_at=ONE)


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(b: Browser, world: World) -> None:
    order_id = world.port_out("woodgrove.com", WOODGROVE[2], WOODGROVE_PIN)["id"]
    sign_in(b, "maria", next_path=f"/admin/voice/port-orders/{order_id}/approve")
    b.driver.execute_script("document.querySelector('main form input[name=csrf_token]').remove();")
    b.press("Approve")
    assert forbidden(b) and "This form has expired" in b.text(".notice.error")
    b.inspect("csrf-forbidden", axe_at=ONE)
    assert world.order(order_id).status == "PendingReview"

    set_at = world.pin_set_at("woodgrove.com")
    b.go("/admin/voice/port-out-pin?tenant=woodgrove.com")
    b.driver.execute_script("document.querySelector('form[data-pin-form] input[name=csrf_token]').remove();")
    pin_form(b, "583071")
    assert forbidden(b)
    assert world.pin_set_at("woodgrove.com") == set_at


def test_an_auditor_sees_no_actions_and_gets_403_for_one(b: Browser, world: World) -> None:
    order_id = world.port_out("woodgrove.com", WOODGROVE[3], WOODGROVE_PIN)["id"]
    sign_in(b, "audra")
    assert [a.text for a in b.find_all("nav.side a")] == ["Home", "Voice", "Port orders", "Port-out PIN",
                                                          "Audit log"]
    b.inspect("home-auditor", widths=(DESKTOP,))
    b.go(f"/admin/voice/port-orders/{order_id}")
    assert status(b) == "Pending review"
    assert not b.exists(".actions") and not b.find_all("main a.button") and not b.find_all("main form")
    b.inspect("order-auditor", axe_at=ONE)
    b.go(f"/admin/voice/port-orders/{order_id}/approve")
    assert forbidden(b)
    b.inspect("forbidden")
    b.go("/admin/voice/port-out-pin?tenant=woodgrove.com")
    assert not b.exists("#pin") and "may see the PIN's status but not set it" in b.text("main")
    b.inspect("pin-auditor", axe_at=ONE)
    b.go("/admin/audit")
    assert b.text("#verification").startswith("The audit chain verifies.")
    assert world.order(order_id).status == "PendingReview"


# -- the audit log, notifications, and pages that are not there -------------------------------------

def test_the_audit_log_shows_its_verification_and_events(b: Browser) -> None:
    sign_in(b, "desk")
    nav(b, "Audit log")
    assert b.heading() == "Audit log"
    assert b.text("#verification").startswith("The audit chain verifies.")
    assert len(b.find_all("table.audit tbody tr")) > 5
    b.inspect("audit")
    sign_in(b, "maria")
    nav(b, "Audit log")
    assert b.exists("#verification") and len(b.find_all("table.audit tbody tr")) > 1
    b.inspect("audit-tenant-admin", axe_at=ONE)


def test_notification_contacts_and_a_webhook_are_set_and_removed(b: Browser) -> None:
    sign_in(b, "maria")
    nav(b, "Notifications")
    assert b.heading() == "Notifications"
    b.inspect("notifications-picker", widths=(PHONE,))
    Select(b.find("#tenant-picker")).select_by_visible_text("Contoso (contoso.com)")
    b.press("Show")
    assert b.text("#emails-heading") == "E-mail contacts of contoso.com"
    b.inspect("notifications")
    b.type_into("#emails", "noc@contoso.com\nnot an address")
    b.press("Save contacts")
    assert b.exists("#emails-error") and b.find("#emails").get_attribute("aria-invalid") == "true"
    b.inspect("notifications-error", axe_at=ONE)
    b.type_into("#emails", "noc@contoso.com\nport-desk@contoso.com")
    b.press("Save contacts")
    assert notice(b) == "The e-mail contacts were saved."
    assert sorted(b.find("#emails").get_attribute("value").split()) == ["noc@contoso.com", "port-desk@contoso.com"]

    b.type_into("#url", "https://hooks.contoso.example/portout")
    b.find("input[name=events][value=PortOutRequest]").click()
    b.press("Add webhook")
    assert b.text("#webhook-secret").startswith("The webhook was added.")
    assert b.find("#secret").get_attribute("value")
    b.inspect("webhook-added", axe_at=ONE)
    b.go("/admin/notifications?tenant=contoso.com")
    assert "https://hooks.contoso.example/portout" in b.text("main table")
    remove = [a for a in b.find_all("main table a") if a.text.startswith("Remove")][0]
    b.click(remove)
    assert b.heading() == "Remove this webhook?"
    b.inspect("webhook-remove", axe_at=ONE)
    b.press("Remove")
    assert notice(b) == "The webhook was removed."
    assert "hooks.contoso.example" not in b.text("main table")


def test_pages_that_are_not_there_are_404_pages(b: Browser) -> None:
    sign_in(b, "maria")
    b.go("/admin/no-such-page")
    assert b.heading() == "This page does not exist"
    b.inspect("not-found")
    b.go("/admin/voice/port-orders/00000000-0000-0000-0000-000000000000")
    assert b.heading() == "Not found"
    b.inspect("order-not-found", widths=(DESKTOP,))
