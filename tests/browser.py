"""A real browser for the admin center's tests: Debian's chromium, headless, driven by its
chromedriver through selenium; axe-core run inside the page for accessibility; screenshots.

One :class:`Browser` holds one chromium and moves between a phone's width (360 px) and a
desktop's (1440 px) by setting its viewport (DevTools' device metrics), so a test file needs a
single chromium."""

from __future__ import annotations

import base64
import json
import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator
from urllib.parse import urlsplit

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.wait import WebDriverWait

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("PORTOUT_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("PORTOUT_CHROMEDRIVER", "/usr/bin/chromedriver")
AXE = Path(os.environ.get("PORTOUT_AXE") or ROOT / "build" / "npm" / "node_modules" / "axe-core" / "axe.min.js")

PHONE, DESKTOP = 360, 1440
HEIGHTS = {PHONE: 800, DESKTOP: 900}
WIDTHS = (PHONE, DESKTOP)

#: The impacts that fail a page; "minor" and "moderate" findings are printed, not failed.
FAILING_IMPACTS = ("serious", "critical")


def axe_source() -> str:
    """axe-core's script (axe.min.js): from $PORTOUT_AXE, else build/npm. Never skipped: a
    missing axe fails the test that needs it."""
    if not AXE.is_file():
        pytest.fail(f"axe-core is missing: no {AXE}. Run scripts/test, which installs it (npm install "
                    f"--prefix build/npm axe-core), or set PORTOUT_AXE to an axe.min.js.", pytrace=False)
    return AXE.read_text(encoding="utf-8")


def screenshot_folder(fallback: Path) -> Path:
    """Where screenshots go: $PORTOUT_SCREENSHOTS when set, else `fallback` (a pytest tmp dir)."""
    folder = Path(os.environ["PORTOUT_SCREENSHOTS"]) if os.environ.get("PORTOUT_SCREENSHOTS") else fallback
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def new_driver(profile: Path) -> webdriver.Chrome:
    """A headless chromium (its own profile folder in `profile`) that trusts the test server's
    self-signed certificate."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--ignore-certificate-errors",
                     f"--user-data-dir={profile}", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
                     "--disable-extensions", "--disable-background-networking", "--disable-sync",
                     "--disable-features=Translate,MediaRouter,OptimizationHints,PasswordLeakDetection",
                     "--password-store=basic", "--force-device-scale-factor=1",
                     "--lang=en-US", f"--window-size={DESKTOP},{HEIGHTS[DESKTOP]}"):
        options.add_argument(argument)
    # No password manager bubble, no "save password" prompts over the pages.
    options.add_experimental_option("prefs", {"credentials_enable_service": False,
                                              "profile.password_manager_enabled": False})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(30)
    return driver


class AxeViolations(AssertionError):
    """A page with serious or critical axe-core violations."""


class Browser:
    """One chromium on the admin center of the server at `base_url`."""

    def __init__(self, base_url: str, folder: Path, shots: Path) -> None:
        self.base_url = base_url.rstrip("/")
        self.shots = shots
        shots.mkdir(parents=True, exist_ok=True)
        self._profile = Path(tempfile.mkdtemp(prefix="chromium-", dir=folder))
        self.driver = new_driver(self._profile)
        self._axe: str | None = None  # read when first needed: a missing axe fails that test
        self.width = self.height = 0
        self.resize(DESKTOP)

    def quit(self) -> None:
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(self._profile, ignore_errors=True)

    # -- moving about --------------------------------------------------------------------------

    def resize(self, width: int, height: int | None = None) -> None:
        """The viewport `width` x `height` CSS pixels (DevTools' device metrics, as a desktop
        browser's window of that size: no phone emulation, no zoom to fit)."""
        height = height or HEIGHTS[width]
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
        self.width, self.height = width, height

    def _normal(self, width: int) -> None:
        """The viewport `width` wide at that width's usual height, if it is not already."""
        if (self.width, self.height) != (width, HEIGHTS[width]):
            self.resize(width)

    @contextmanager
    def on(self, base_url: str) -> Iterator[None]:
        """Pages of another server (`base_url`) for a while, each request on a connection of its
        own (``Connection: close``): an idle keep-alive connection left open would hold up that
        server's stop (uvicorn waits for the TLS close_notify chromium does not answer)."""
        was, self.base_url = self.base_url, base_url.rstrip("/")
        self.driver.execute_cdp_cmd("Network.enable", {})
        self.driver.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {"Connection": "close"}})
        try:
            yield
        finally:
            self.base_url = was
            self.driver.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {}})
            self.driver.execute_cdp_cmd("Network.disable", {})

    def url(self, path: str) -> str:
        return self.base_url + path

    @property
    def path(self) -> str:
        """The current page's path and query."""
        parts = urlsplit(self.driver.current_url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def go(self, path: str) -> None:
        self.driver.get(self.url(path))
        self.wait_loaded()

    def wait_loaded(self) -> None:
        WebDriverWait(self.driver, 10).until(
            lambda d: d.execute_script("return document.readyState") == "complete")

    def find(self, css: str) -> WebElement:
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css: str) -> list[WebElement]:
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def exists(self, css: str) -> bool:
        return bool(self.find_all(css))

    def text(self, css: str = "main") -> str:
        return self.find(css).text

    def heading(self) -> str:
        return self.find("h1").text

    def link(self, text: str, within: str = "main") -> WebElement:
        """The link (or button-like link) whose visible text is exactly `text`, inside `within`."""
        found = [a for a in self.find_all(f"{within} a") if a.text.strip() == text]
        assert len(found) == 1, (text, within, [a.text for a in self.find_all(f"{within} a")])
        return found[0]

    def button(self, text: str, within: str = "main") -> WebElement:
        found = [b for b in self.find_all(f"{within} button") if b.text.strip() == text]
        assert len(found) == 1, (text, within, [b.text for b in self.find_all(f"{within} button")])
        return found[0]

    def _leaving(self) -> None:
        """Marks the current page, for :meth:`_arrived` to tell when another has replaced it."""
        self.driver.execute_script("window.__portoutOldPage = true;")

    def _arrived(self) -> None:
        """Waits until a new page has replaced the marked one and has loaded. (Not selenium's
        staleness_of: chromedriver may answer a node of the old page with an "unknown error"
        rather than a stale element while the new one comes.)"""
        def new_page(driver: webdriver.Chrome) -> bool:
            try:
                return bool(driver.execute_script(
                    "return !window.__portoutOldPage && document.readyState === 'complete';"))
            except WebDriverException:
                return False
        WebDriverWait(self.driver, 10, poll_frequency=0.05).until(new_page, f"no new page after {self.path}")

    def click(self, element: WebElement) -> None:
        """Click `element` and wait for the page it leads to."""
        self._leaving()
        element.click()
        self._arrived()

    def follow(self, text: str, within: str = "main") -> None:
        self.click(self.link(text, within))

    def press(self, text: str, within: str = "main") -> None:
        self.click(self.button(text, within))

    def type_into(self, css: str, value: str) -> None:
        field = self.find(css)
        field.clear()
        field.send_keys(value)

    def keys(self, *keys: str) -> None:
        """Keys pressed on whatever has the focus."""
        self.driver.switch_to.active_element.send_keys(*keys)

    def keys_to_new_page(self, *keys: str) -> None:
        """Keys pressed on whatever has the focus (the last sends a form or follows a link);
        waits for the page it leads to."""
        self._leaving()
        self.keys(*keys)
        self._arrived()

    def script_to_new_page(self, script: str, *args: Any) -> None:
        """Runs `script` (which leaves the page) and waits for the page it leads to."""
        self._leaving()
        self.driver.execute_script(script, *args)
        self._arrived()

    def focused(self) -> str:
        """The id (else the tag and text) of the focused element."""
        return str(self.driver.execute_script(
            "var e = document.activeElement; return e.id || (e.tagName + ':' + (e.textContent || '').trim());"))

    def tab_to(self, element_id: str, limit: int = 40) -> int:
        """Tab from the top of the page until the element with `element_id` has the focus, as a
        person with a keyboard does; the number of Tabs it took."""
        self.driver.execute_script("document.activeElement && document.activeElement.blur(); window.focus();")
        body = self.find("body")
        for n in range(1, limit + 1):
            (self.driver.switch_to.active_element if n > 1 else body).send_keys(Keys.TAB)
            if self.focused() == element_id:
                return n
        raise AssertionError(f"#{element_id} was not reached with {limit} Tabs")

    def cookies(self) -> list[dict[str, Any]]:
        return list(self.driver.get_cookies())

    def forget(self) -> None:
        """As a new visitor: no cookies."""
        self.driver.delete_all_cookies()

    # -- signing in ---------------------------------------------------------------------------

    def sign_in(self, user: str, password: str, *, keyboard: bool = False, next_path: str | None = None) -> None:
        """Signs in on /admin/sign-in (as a new visitor): by typing and clicking Sign in, or
        with the keyboard alone (the user name has the focus; Tab; Enter)."""
        self.forget()
        self.go("/admin/sign-in" + (f"?next={next_path}" if next_path else ""))
        if keyboard:
            assert self.focused() == "user_name"  # autofocus
            self.keys(user, Keys.TAB)
            assert self.focused() == "password"
            self.keys_to_new_page(password, Keys.ENTER)
        else:
            self.type_into("#user_name", user)
            self.type_into("#password", password)
            self.press("Sign in")

    # -- looking at a page --------------------------------------------------------------------

    def horizontal_overflow(self) -> int:
        """How many CSS pixels the document is wider than the viewport (0: no horizontal
        scrollbar). The viewport's width less any vertical scrollbar (clientWidth, not
        innerWidth): content under the scrollbar scrolls sideways too."""
        return int(self.driver.execute_script(
            "var d = document.documentElement;"
            "return Math.max(0, d.scrollWidth - Math.min(d.clientWidth, window.innerWidth));"))

    def overflowing(self) -> list[str]:
        """The elements that stick out past the viewport's right edge, for a failure's message."""
        return list(self.driver.execute_script("""
            var out = [], w = Math.min(document.documentElement.clientWidth, window.innerWidth);
            document.querySelectorAll('body *').forEach(function (e) {
              var r = e.getBoundingClientRect();
              if (r.right > w + 0.5 && r.width > 0) {
                // Inside a scroller, unless positioned out of it (absolute, its containing block
                // outside the scroller): only those widen the document.
                var inside = false, absolute = getComputedStyle(e).position === 'absolute';
                for (var p = e.parentElement; p; p = p.parentElement) {
                  var style = getComputedStyle(p), s = style.overflowX;
                  if (absolute && style.position !== 'static') absolute = false;
                  if ((s === 'auto' || s === 'scroll' || s === 'hidden') && !absolute) { inside = true; break; }
                }
                if (!inside) out.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
                  (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : '') +
                  ' right=' + Math.round(r.right));
              }
            });
            return out.slice(0, 20);"""))

    def axe(self) -> list[dict[str, Any]]:
        """axe-core's violations on the current page (all impacts)."""
        if self._axe is None:
            self._axe = axe_source()
        if not self.driver.execute_script("return typeof window.axe === 'object'"):
            self.driver.execute_script(self._axe)
        result = self.driver.execute_async_script("""
            var done = arguments[arguments.length - 1];
            axe.run(document, {resultTypes: ['violations']})
              .then(function (r) { done(JSON.stringify(r.violations)); })
              .catch(function (e) { done(JSON.stringify({error: String(e)})); });""")
        violations = json.loads(result)
        if isinstance(violations, dict):
            raise AssertionError(f"axe-core failed on {self.path}: {violations['error']}")
        return list(violations)

    def assert_accessible(self, name: str) -> None:
        """No serious or critical axe-core violation on the current page; any lesser ones are
        printed."""
        violations = self.axe()
        lines = []
        for v in violations:
            targets = [" ".join(map(str, node.get("target", []))) for node in v.get("nodes", [])]
            lines.append(f"  {v['id']} ({v.get('impact')}): {v.get('help')} -> {targets[:8]}")
        failing = [v for v in violations if v.get("impact") in FAILING_IMPACTS]
        if violations:
            print(f"axe on {name} at {self.width} px ({self.path}):\n" + "\n".join(lines))
        if failing:
            raise AxeViolations(f"axe-core found {len(failing)} serious or critical violation(s) on {name} at "
                                f"{self.width} px ({self.path}):\n" + "\n".join(
                                    line for line, v in zip(lines, violations) if v.get("impact") in FAILING_IMPACTS))

    def screenshot(self, name: str, restore: bool = True) -> Path:
        """The whole page as `name`-`width`.png: the viewport made as tall as the document for
        the shot (then put back, with `restore`)."""
        height = int(self.driver.execute_script(
            "return Math.max(document.documentElement.scrollHeight, document.body.scrollHeight)"))
        tall = min(max(height, HEIGHTS[self.width]), 8000)
        if tall != self.height:
            self.resize(self.width, tall)
        target = self.shots / f"{name}-{self.width}.png"
        try:
            shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "optimizeForSpeed": True})
            target.write_bytes(base64.b64decode(shot["data"]))
        finally:
            if restore:
                self._normal(self.width)
        return target

    def inspect(self, name: str, widths: Iterable[int] = WIDTHS, axe_at: Iterable[int] | None = None) -> None:
        """The current page at each width: no horizontal scrollbar at the phone's width, no
        serious accessibility violation (axe-core; at the widths `axe_at`, by default each), and
        a screenshot. The viewport is left at the width it had."""
        axe_widths = set(widths if axe_at is None else axe_at)
        was = self.width
        try:
            for width in widths:
                self._normal(width)
                if width <= PHONE:
                    overflow = self.horizontal_overflow()
                    assert overflow == 0, (f"{name} ({self.path}) scrolls sideways at {width} px by {overflow} px: "
                                           f"{self.overflowing()}")
                if width in axe_widths:
                    self.assert_accessible(name)
                self.screenshot(name, restore=False)
        finally:
            self._normal(was)

    def wait_for(self, script: str, timeout: float = 5) -> Any:
        """Waits until the JavaScript expression `script` is truthy; its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.driver.execute_script("return " + script)
            if value or time.monotonic() > deadline:
                return value
            time.sleep(0.05)


__all__ = ["AXE", "Browser", "DESKTOP", "PHONE", "WIDTHS", "WebDriverException", "Keys", "axe_source",
           "screenshot_folder"]
