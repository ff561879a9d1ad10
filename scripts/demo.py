"""The portout demonstration: the PIN policy, then a store's life on an embedded SQLite file.

Run by scripts/demo, on Debian's Python with the package installed in build/venv, in a temporary
folder that scripts/demo removes afterwards.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time
import unicodedata
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import portout

# Public example values, as the help page and the docs show them; no one's PIN.
EXAMPLES: list[tuple[str, str]] = [
    ("602917", "six digits, nothing to guess"),
    ("4816039275", "ten digits"),
    ("", "blank: a PIN cannot be removed"),
    ("48163", "five digits"),
    ("48160392751", "eleven digits"),
    ("48a603", "a letter"),
    ("4816 03", "a space"),
    ("\uff14\uff18\uff11\uff16\uff10\uff13", "full-width digits"),
    ("\u0664\u0668\u0661\u0666\u0660\u0663", "Arabic-Indic digits"),
    ("000000", "one digit repeated"),
    ("123456", "ascending run"),
    ("987654", "descending run"),
    ("121212", "repeated pattern"),
    ("112233", "doubled digits"),
    ("147258", "keypad shape, commonly chosen"),
    ("11111", "too short and weak"),
]


def heading(text: str) -> None:
    print(f"\n{text}\n{'-' * len(text)}")


def pad(text: str, width: int) -> str:
    """Left-justify by terminal columns: full-width characters take two."""
    columns = sum(2 if unicodedata.east_asian_width(c) in "FW" else 1 for c in text)
    return text + " " * max(0, width - columns)


def show(policy: portout.PinPolicy, examples: list[tuple[str, str]]) -> None:
    print(f"{pad('Example', 18)} {pad('What it is', 32)} Verdict")
    for example, what in examples:
        rules = [v.rule for v in policy.validate(example)]
        verdict = "accepted" if not rules else "refused: " + ", ".join(rules)
        print(f"{pad(repr(example), 18)} {pad(what, 32)} {verdict}")


def table(rows: list[dict[str, object]], columns: list[str]) -> None:
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in columns}
    print("  ".join(c.ljust(widths[c]) for c in columns))
    print("  ".join("-" * widths[c] for c in columns))
    for r in rows:
        print("  ".join(str(r[c]).ljust(widths[c]) for c in columns))


def attempt(label: str, action: Callable[[], object]) -> None:
    try:
        result = action()
    except portout.PortOutError as error:
        print(f"  {label:<44} refused: {type(error).__name__} [{error.error_id}] {error}")
    else:
        print(f"  {label:<44} {result}")


def request(carrier: portout.Store, numbers: list[str], pin: str, label: str, zip_code: str | None = None,
            name: str | None = None) -> portout.Order:
    start = time.perf_counter()
    carrier_name = "Tailspin Wireless" if carrier.actor.startswith("orders@tailspin") else "Northwind Mobile"
    order = carrier.submit_order("contoso.com", numbers, pin, carrier_name, carrier_spid="6529",
                                 purchase_order_number="PON-2211", service_zip_code=zip_code,
                                 authorized_name=name)
    took = 1000 * (time.perf_counter() - start)
    told = order.reason or "-"
    problems = f"  {order.number_problems}" if order.number_problems else ""
    print(f"  {carrier_name[:9]}: {label:<36} -> {order.status:<13} told: {told:<19} ({took:3.0f} ms){problems}")
    return order


def next_weekday(after: datetime, weekday: int) -> datetime:
    """The first given weekday (Monday 0) after `after`, at 15:00 UTC."""
    day = after.date() + timedelta(days=1)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, 15, tzinfo=timezone.utc)


def store_story(folder: Path) -> None:
    heading("A store on an embedded SQLite file, with its key file beside it")
    path = folder / "store.db"
    admin = portout.Store.open(path, actor="admin@contoso.com")  # the interactive profile
    key = Path(admin.key_file)
    print(f"  store  {path.name}  mode {stat.filemode(path.stat().st_mode)}")
    print(f"  key    {key.name}  mode {stat.filemode(key.stat().st_mode)}  key id {admin.key_id}")
    print(f"  hashing: Argon2id, profile {admin.profile!r}")

    heading("Tenants and their numbers (parsed with libphonenumber, kept in E.164)")
    admin.create_tenant("contoso.com", "Contoso", "US")
    admin.create_tenant("fabrikam.co.uk", "Fabrikam UK", "GB")
    for number in ("(425) 555-0100", "425.555.0101", "+1 425 555 0102"):
        admin.add_phone_number("contoso.com", number)
    attempt("add +44 20 7946 0958 to Contoso:", lambda: admin.add_phone_number("contoso.com", "+44 20 7946 0958"))
    attempt("set a PIN for the UK tenant:", lambda: admin.set_pin("fabrikam.co.uk", "602917"))
    table([t.to_dict() for t in admin.tenants()],
          ["tenant_id", "display_name", "country_or_region", "pin_is_set", "port_out_frozen"])
    print()
    table([n.to_dict() for n in admin.phone_numbers()], ["phone_number", "tenant_id", "added_by"])

    heading("A gaining carrier asks to port Contoso's numbers out")
    admin.update_tenant("contoso.com", service_zip_code="98052", authorized_name="Megan Bowen")
    contoso = admin.get_tenant("contoso.com")
    print(f"  Contoso's account {contoso.account_number}, service ZIP {contoso.service_zip_code}, "
          f"authorized name {contoso.authorized_name!r}, business days in {contoso.time_zone}")
    carrier = portout.Store.open(path, actor="orders@northwind.example", role="Carrier")
    sprayer = portout.Store.open(path, actor="orders@tailspin.example", role="Carrier")
    numbers = ["+14255550100", "+14255550101"]
    request(carrier, numbers, "602917", "no PIN is set yet")
    attempt("the admin tries a weak PIN:", lambda: admin.set_pin("contoso.com", "123456"))
    attempt("the admin sets a good one:", lambda: admin.set_pin("contoso.com", "602917").pin_is_set)
    for guess in ("000001", "135792", "246813", "999998", "102938"):
        request(sprayer, numbers, guess, "a wrong PIN")
    request(sprayer, numbers, "602917", "the right PIN, while locked out")
    status = admin.pin_status("contoso.com")
    for c in status.carriers:
        print(f"  the admin sees: {c.carrier} locked out until {c.locked_until:%H:%M:%S} UTC after "
              f"{c.failed_attempt_count} wrong PINs; {status.failed_attempt_count} of "
              f"{admin.get_policy('contoso.com').tenant_max_failures} toward locking every carrier")
    request(carrier, numbers, "602917", "the right PIN, wrong ZIP", zip_code="10001")
    request(carrier, numbers, "000001", "a wrong PIN, wrong ZIP", zip_code="10001")
    for order in admin.orders(status="Rejected"):
        print(f"    order {order.order_id[:8]}  carrier told {order.reason:<19} admin sees "
              f"{order.internal_reason}")
    admin.set_freeze("contoso.com", True)
    request(carrier, numbers, "602917", "the right PIN, while frozen")
    admin.set_freeze("contoso.com", False)
    request(carrier, numbers + ["+12065550123"], "602917", "a number Contoso does not hold")
    order = request(carrier, numbers, "602917", "the right PIN, ZIP, name and numbers",
                    zip_code="98052", name="megan bowen")
    print(f"  review deadline: {order.review_deadline:%a %Y-%m-%d %H:%M} UTC (24 business hours)")
    attempt("a carrier reads the tenant's PIN status:", lambda: carrier.pin_status("contoso.com"))
    sprayer.close()

    heading("The review, the FOC date, and the order's history")
    attempt("the tenant's admin approves:", lambda: admin.approve_order(order.order_id, "Megan confirmed").status)
    now = datetime.now(timezone.utc)
    attempt("an FOC on a Saturday:", lambda: admin.confirm_order(order.order_id, next_weekday(now, 5)))
    attempt("an FOC in the past:", lambda: admin.confirm_order(order.order_id, now - timedelta(days=1)))
    attempt("an FOC 60 days out:", lambda: admin.confirm_order(order.order_id, next_weekday(now + timedelta(days=58), 1)))
    foc = next_weekday(now + timedelta(days=2), 2)  # a Wednesday at least three days away
    if (foc.month, foc.day) in ((11, 11), (12, 25), (1, 1), (6, 19), (7, 4)):
        foc += timedelta(days=1)
    confirmed = admin.confirm_order(order.order_id, foc)
    print(f"  {confirmed.order_id[:8]} {confirmed.status}, FOC {confirmed.foc_date:%a %Y-%m-%d}")
    attempt("complete it before the FOC date:", lambda: admin.complete_order(order.order_id).status)
    attempt("what the carrier sees of it:", lambda: carrier.get_order(order.order_id).status)
    for step in admin.order_history(order.order_id):
        print(f"  step {step.step}: {step.from_status or '(request)':>13} -> {step.to_status:<13} "
              f"by {step.actor}{'  ' + step.comment if step.comment else ''}")
    heard = carrier.receive_notifications("northwind-orders")
    print(f"  Northwind's own consumer heard {len(heard)} notices of its orders: "
          + ", ".join(sorted({n.kind for n in heard})))
    carrier.close()

    heading("What the notification consumer 'pager' received (the outbox, at least once)")
    notes = admin.receive_notifications("pager", max_count=100)
    for n in notes:
        print(f"  #{n.notification_id:<3} {n.kind:<16} {n.summary}")
    admin.acknowledge_notifications("pager", [n.notification_id for n in notes])
    print(f"  acknowledged {len(notes)}; received again: {len(admin.receive_notifications('pager'))}")

    heading("The same store from the command line, as a script would use it")
    admin.close()
    portout_cli = [os.path.join(os.path.dirname(sys.executable), "portout"), "--store", str(path),
                   "--actor", "admin@contoso.com"]
    for args, stdin in ((["Get-PortOutOrder", "-Identity", "contoso.com", "-Status", "Confirmed",
                          "-OutputFormat", "List"], ""),
                        (["Set-PortOutPin", "contoso.com", "-Pin", "481605"], ""),
                        (["Set-PortOutPin", "contoso.com", "-PinFromStdin"], "123456\n"),
                        (["Remove-PortOutTenant", "fabrikam.co.uk", "-WhatIf"], "")):
        print(f"$ portout {' '.join(args)}" + ("   # the PIN on stdin" if stdin else ""))
        done = subprocess.run(portout_cli + args, input=stdin, capture_output=True, text=True)
        print(textwrap.indent((done.stdout + done.stderr).strip("\n"), "  "))
        print(f"  (exit code {done.returncode})\n")
    admin = portout.Store.open(path, actor="admin@contoso.com")

    heading("The audit log of contoso.com, the last ten events (a keyed hash chain; no PIN)")
    events = list(admin.audit_events("contoso.com"))
    table([{"id": e.event_id, "event": e.event_type, "actor": e.actor, "outcome": e.outcome,
            "reason": e.reason} for e in events[-10:]],
          ["id", "event", "actor", "outcome", "reason"])
    verdict = admin.verify_audit()
    print(f"\n  verified: {verdict.is_valid}, {verdict.event_count} events")

    heading("Key rotation: every PIN record re-sealed without knowing any PIN")
    report = admin.rotate_key(folder / "store-2.key")
    print(f"  {report.old_key_id} -> {report.new_key_id}: {report.records_rotated} record(s) "
          f"in {report.batches} batch(es)")
    admin.close()
    attempt("open with the old key:", lambda: portout.Store.open(path))
    admin = portout.Store.open(path, key_file=folder / "store-2.key", actor="admin@contoso.com")

    heading("Someone edits the file with plain SQL, bypassing portout")
    with sqlite3.connect(path) as db:
        db.execute("UPDATE audit_events SET outcome = 'Success', reason = '' "
                   "WHERE event_type = 'PinCheck' AND reason = 'WrongPin'")
    verdict = admin.verify_audit()
    print(f"  verified: {verdict.is_valid}; first broken event {verdict.first_broken_event_id} "
          f"({verdict.problem})")
    data = path.read_bytes() + (Path(f"{path}-wal").read_bytes() if Path(f"{path}-wal").exists() else b"")
    print(f"  the PIN in the file's bytes: {b'602917' in data}; an Argon2id string: {b'argon2' in data}")
    admin.close()


def server_story(folder: Path) -> None:
    """The store behind portout serve: a carrier's request over HTTPS, and an admin's cmdlet."""
    import socket

    import httpx

    from portout.server.certificates import self_signed
    from portout.webhooks import WebhookReceiver

    heading("portout serve: a carrier sends a request over HTTPS, holding only its token")
    path = folder / "served.db"
    with portout.Store.open(path, actor="provisioning") as admin:
        admin.create_tenant("contoso.com", "Contoso Ltd.", "US")
        admin.set_pin("contoso.com", "602917")
        admin.add_phone_number("contoso.com", "+14255550100")
        lumen = admin.new_credential("lumen-prod", "Carrier", carrier_name="Lumen", carrier_spid="6529")
        ops = admin.new_credential("ops", "StoreAdmin")
        noc = WebhookReceiver()
        hook = admin.new_webhook(noc.url, ["PortOutRequest"], tenant_scope="contoso.com")
    print(f"  credential lumen-prod (Carrier: Lumen, SPID 6529): token {lumen.token[:24]}... (shown once)")
    print(f"  Contoso's NOC subscribes a webhook to its port-out requests: {noc.url}")
    cert, key = self_signed(folder, "portout demo")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"https://127.0.0.1:{port}"
    log = open(folder / "server.log", "wb")
    server = subprocess.Popen([str(Path(sys.executable).with_name("portout")), "serve", "--store", str(path),
                               "--listen", f"127.0.0.1:{port}", "--tls-cert", str(cert), "--tls-key", str(key),
                               "--log-level", "warning", "--delivery-interval", "0.2",
                               # the NOC's receiver is on this machine: a real one is not
                               "--allow-private-webhooks"], stdout=log, stderr=subprocess.STDOUT)
    try:
        with httpx.Client(base_url=url, verify=str(cert), timeout=30) as anyone:
            for _ in range(100):
                try:
                    if anyone.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            print(f"  portout serve on {url} (TLS); only the server holds the key file")
            refused = anyone.post("/v1/port-out-orders", json={})
            print(f"  no token: {refused.status_code} {refused.json()['errorId']}")
        headers = {"Authorization": f"Bearer {lumen.token}"}
        with httpx.Client(base_url=url, verify=str(cert), headers=headers, timeout=30) as carrier:
            body: dict[str, object] = {"tenantId": "contoso.com", "phoneNumbers": ["+14255550100"], "pin": "602917",
                    "purchaseOrderNumber": "PON-1001", "carrierName": "Someone Else"}
            first = carrier.post("/v1/port-out-orders", json=body, headers={"Idempotency-Key": "demo-1"})
            order = first.json()
            print(f"  POST /v1/port-out-orders -> {first.status_code}: {order['status']}, recorded as "
                  f"{order['carrierName']} ({order['carrierSpid']}) though the body said 'Someone Else'")
            again = carrier.post("/v1/port-out-orders", json=body, headers={"Idempotency-Key": "demo-1"})
            print(f"  the same request again, same Idempotency-Key -> {again.status_code}, the same order: "
                  f"{again.json()['id'] == order['id']}")
            wrong_pin: dict[str, object] = dict(body, pin="918273")
            unknown: dict[str, object] = dict(body, tenantId="nobody.example")
            for label, wrong in (("a wrong PIN", wrong_pin), ("an unknown tenant", unknown)):
                answer = carrier.post("/v1/port-out-orders", json=wrong).json()
                print(f"  {label + ':':<19} {answer['status']} {answer['reason']}")
        noc.wait(2, timeout=10)  # the request, and the one with a wrong PIN
        for event in noc.events(hook.secret):
            print(f"  the NOC's webhook got {event['type']} for order {event['order_id'][:8]}..., signature "
                  f"verified: {event['summary']}")
        noc.close()
        session = portout.connect_port_out_store(server=url, token_file=str(_token_file(folder, ops.token)),
                                                 ca_file=str(cert))
        print(f"  an admin's cmdlets, remotely: {session.actor} ({session.role})")
        approved = portout.approve_port_out_order(order["id"], comment="Checked with Contoso", session=session)
        print(f"    Approve-PortOutOrder -> {type(approved).__name__} {approved.status}")
        session.close()
        admin_center(url, cert, path)
    finally:
        server.terminate()  # SIGTERM: requests in flight finish
        server.wait(30)
        log.close()


def admin_center(url: str, cert: Path, path: Path) -> None:
    """The seed's steps in a browser: the admin center on the same server, with a sign-in made
    for this run (shown once, good for a day), tried here the way a browser would."""
    import re
    import secrets

    import httpx

    heading("The admin center: the seed's own steps, in a browser")
    words = ["amber", "harbor", "lantern", "meadow", "orchard", "copper", "falcon", "willow", "granite", "signal",
             "thistle", "canyon", "juniper", "saffron", "tundra", "velvet"]
    password = "-".join(secrets.choice(words) for _ in range(4)) + "-" + str(secrets.randbelow(90) + 10)
    with portout.Store.open(path, actor="provisioning") as admin:
        admin.new_account("contoso-admin", "TelephonyAdmin", password, tenant_scope="contoso.com",
                          expires=datetime.now(timezone.utc) + timedelta(days=1))
    with httpx.Client(base_url=url, verify=str(cert), timeout=30) as browser:
        page = browser.get("/admin/sign-in").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert csrf
        signed = browser.post("/admin/sign-in", data={"csrf_token": csrf.group(1), "user_name": "contoso-admin",
                                                      "password": password, "next": "/admin/voice/port-orders"})
        orders = browser.get(signed.headers["location"]).text
        pin = browser.get("/admin/voice/port-out-pin").text
    print(f"  signed in as contoso-admin: {signed.status_code} -> {signed.headers['location']}, a session cookie "
          f"that is {'HttpOnly, Secure, SameSite=Strict' if 'SameSite=strict' in signed.headers['set-cookie'] else '?'}")
    print(f"  Voice > Port orders lists {orders.count('/admin/voice/port-orders/')} order(s); "
          f"'Set up and manage the PIN' opens the panel "
          f"'{'Set or change your port out PIN' if 'Set or change your port out PIN' in pin else '?'}'")
    print()
    print(f"  Open {url}/admin/ in a browser (the certificate is this demo's own: accept it),")
    print("  and sign in with this run's one-time account, good for a day, in this demo store only:")
    print("    user name: contoso-admin")
    print(f"    password:  {password}")
    if sys.stdin.isatty():
        try:
            input("  Press Enter to stop the server (the demo store is removed with it) ")
        except EOFError:
            pass
    else:
        print("  (no terminal: the server stops now; run scripts/demo in one to keep it up)")


def _token_file(folder: Path, token: str) -> Path:
    path = folder / "ops.token"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(token + "\n")
    return path


def main() -> None:
    print(f"portout {portout.__version__}: the port-out PIN policy")

    policy = portout.PinPolicy()
    heading(f"The default policy: {policy!r}")
    show(policy, EXAMPLES)

    heading("Why a PIN is refused: every failed rule, and never the PIN in the message")
    try:
        policy.check("11111")
    except portout.PinPolicyError as error:
        print(f"{type(error).__name__} (also a {ValueError.__name__})")
        print(f"  error_id: {error.error_id}   category: {error.category}")
        for violation in error.violations:
            print(f"  {violation.rule:<14} {violation.message}")

    heading("A PinPolicy on its own, modelling another carrier: 4 to 15 digits, weak rules off")
    lenient = portout.PinPolicy(min_length=4, max_length=15, block_weak=False,
                                blocklist=["5550100", "602917"])
    print(repr(lenient))
    show(lenient, [("1234", "four digits, a run"), ("602917", "on the blocklist"),
                   ("481603927518364", "fifteen digits")])

    heading("Mistakes a script might make, each a typed error")
    mistakes: list[tuple[str, Callable[[], object]]] = [
        ("PinPolicy(min_length=3)", lambda: portout.PinPolicy(min_length=3)),
        ("PinPolicy(min_length=12, max_length=8)",
         lambda: portout.PinPolicy(min_length=12, max_length=8)),
        ("validate(602917) with an int", lambda: policy.validate(602917)),  # type: ignore[arg-type]
        ("validate(b'602917') with bytes", lambda: policy.validate(b"602917")),  # type: ignore[arg-type]
    ]
    for label, mistake in mistakes:
        try:
            mistake()
        except portout.PortOutError as error:
            print(f"{label:<40} {type(error).__name__} [{error.error_id}]: {error}")

    store_story(Path(os.getcwd()))
    server_story(Path(os.getcwd()))


if __name__ == "__main__":
    main()
