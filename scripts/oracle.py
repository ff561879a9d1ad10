"""What a gaining carrier can learn from a refused port-out request: answers, errors and times.

Usage: build/venv/bin/python scripts/oracle.py [--tries N] [--smoke]

Creates a store at the default profile (interactive) in a temporary folder, with tenants in every
state a carrier's request can meet: a wrong PIN, an unknown tenant, no PIN, outside the US,
locked, frozen, and a tenant whose state was edited in the database. A Carrier session submits
requests with a wrong PIN, the cases interleaved round by round, and the script prints, per case,
the answer (status and reason) and the median and spread of the time. Then again after the store's
profile is changed (interactive -> owasp: tenants hashed before and after), and with a carrier
session opened before a key rotation. Nothing here is asserted: it measures, for
docs/security.md. --smoke runs a few tries at the test profile, to keep the script working.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import portout

NUMBER = "+14255550100"
WRONG = "918273"


def admin(folder: Path, profile: str, smoke: bool) -> portout.Store:
    return portout.Store.open(folder / "store.db", key_file=folder / "store.key", profile=profile,
                              allow_test_profile=smoke, actor="admin@provider.example")


def carrier(folder: Path, smoke: bool, key: str = "store.key") -> portout.Store:
    return portout.Store.open(folder / "store.db", key_file=folder / key, role="Carrier",
                              allow_test_profile=smoke, actor="carrier@gaining.example")


def tenant(store: portout.Store, name: str, country: str = "US", pin: str | None = "602917") -> str:
    store.create_tenant(name, name, country)
    if pin:
        store.set_pin(name, pin)
        store.set_policy(name, max_failed_attempts=100)
    return name


Results = dict[str, tuple[set[str], list[float]]]


def measure(session: portout.Store, reset: portout.Store, cases: dict[str, str], tries: int) -> Results:
    times: dict[str, list[float]] = {c: [] for c in cases}
    answers: dict[str, set[str]] = {c: set() for c in cases}
    order = list(cases)
    for _ in range(tries):
        random.shuffle(order)
        for case in order:
            start = time.perf_counter()
            try:
                o = session.submit_order(cases[case], NUMBER, WRONG, "Gaining Telecom")
                answer = f"{o.status}/{o.reason}"
            except portout.PortOutError as e:
                answer = f"{type(e).__name__} {e.error_id}"
            times[case].append((time.perf_counter() - start) * 1000)
            answers[case].add(answer)
        for case, t in cases.items():  # wrong PINs are counted: keep them below any lock
            if case in ("wrong PIN", "frozen", "hashed before the change", "hashed after the change"):
                reset.unlock_pin(t)
    return {c: (answers[c], times[c]) for c in cases}


def median_error(times: list[float], rounds: int = 300) -> float:
    """The standard error of the median, by resampling: how far chance alone moves it here."""
    rng = random.Random(7)
    medians = [statistics.median(rng.choices(times, k=len(times))) for _ in range(rounds)]
    return statistics.pstdev(medians)


def report(title: str, results: Results) -> float:
    print(f"\n{title}")
    print(f"  {'case':<26} {'answer':<32} {'median ms':>10} {'+-':>6} {'p10':>8} {'p90':>8}")
    medians, errors = [], []
    for case, (answers, times) in results.items():
        qs = statistics.quantiles(times, n=10) if len(times) >= 2 else [times[0]] * 9
        med = statistics.median(times)
        medians.append(med)
        errors.append(median_error(times))
        print(f"  {case:<26} {', '.join(sorted(answers)):<32} {med:>10.2f} {errors[-1]:>6.2f} "
              f"{qs[0]:>8.2f} {qs[-1]:>8.2f}")
    distinct = {frozenset(a) for a, _ in results.values()}
    spread = float(max(medians) - min(medians))
    print(f"  answers: {'one and the same' if len(distinct) == 1 else 'DIFFER'}; "
          f"medians within {spread:.2f} ms of each other (chance alone moves a median by about "
          f"{statistics.mean(errors):.2f} ms here: +- is its standard error)")
    return spread


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tries", type=int, default=25)
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    tries = 3 if args.smoke else args.tries
    first, second = ("test", "test") if args.smoke else ("interactive", "owasp")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        a = admin(folder, first, args.smoke)
        t = {name: tenant(a, name) for name in ("wrong.example", "locked.example", "frozen.example",
                                                  "edited.example", "before.example")}
        tenant(a, "nopin.example", pin=None)
        tenant(a, "abroad.example", country="GB", pin=None)
        a.add_phone_number("wrong.example", NUMBER)
        a.set_policy("locked.example", max_failed_attempts=1)
        a.check_pin("locked.example", WRONG)
        a.set_freeze("frozen.example", True)
        a.close()
        with sqlite3.connect(folder / "store.db") as db:  # someone without the key lifts a lock
            db.execute("UPDATE tenants SET failed_attempts = 0 WHERE tenant_id = 'edited.example'")
        a = admin(folder, first, args.smoke)
        cases = {"wrong PIN": t["wrong.example"], "unknown tenant": "nobody.example",
                 "no PIN": "nopin.example", "outside the US": "abroad.example",
                 "locked": t["locked.example"], "frozen": t["frozen.example"],
                 "state edited in database": t["edited.example"]}
        with carrier(folder, args.smoke) as c:
            measure(c, a, cases, 1)  # warm up
            spreads = [report(f"A carrier's request with a wrong PIN, profile {first}",
                              measure(c, a, cases, tries))]
        a.close()

        a = admin(folder, second, args.smoke)  # a StoreAdmin changes the store's profile
        tenant(a, "after.example")
        cases = {"hashed before the change": "before.example", "hashed after the change": "after.example",
                 "unknown tenant": "nobody.example", "no PIN": "nopin.example", "locked": "locked.example"}
        with carrier(folder, args.smoke) as c:
            measure(c, a, cases, 1)
            spreads.append(report(f"After the profile changed from {first} to {second}",
                                  measure(c, a, cases, tries)))
        stale = carrier(folder, args.smoke)
        a.rotate_key(folder / "next.key")
        a.close()
        a = portout.Store.open(folder / "store.db", key_file=folder / "next.key", allow_test_profile=args.smoke)
        cases = {"wrong PIN": "before.example", "unknown tenant": "nobody.example", "no PIN": "nopin.example",
                 "locked": "locked.example"}
        with stale:
            spreads.append(report("A carrier session opened before a key rotation", measure(stale, a, cases, tries)))
        with carrier(folder, args.smoke, "next.key") as c:
            spreads.append(report("A carrier session opened after it", measure(c, a, cases, tries)))
        a.close()
    print(f"\nlargest spread of medians: {max(spreads):.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
