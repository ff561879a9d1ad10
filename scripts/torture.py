"""Crash torture: workers run a random mix of operations on one store while a killer sends them
SIGKILL at random moments; after every round the store must hold every invariant.

Each worker process runs two threads over several sessions of its own on the store (an admin
and a carrier shared by the threads, and a short session opened and closed now and then, as a
CLI call or a notebook cell does): several stores per process, as well as one, is where locks
held by one store and lost by another would show. Each writes every operation it saw succeed
to its own journal, fsynced, after the call returned. An observer process opens a session,
reads and closes it again and again (its process's last connection, as a cron job's is), and
reports any journaled order it cannot see. After each round: the store's own integrity check (SQLite), the audit chain, and the
invariants below; any violation is printed and the run fails.

  - a PIN once set is never blank again;
  - a number is in one place: a tenant's inventory, or a completed order (a number added back
    after its order completed is in the inventory again, as a number ported back in would be);
  - every journaled success is in the store (orders exist, completed orders are Completed,
    confirmed ones never went back under review, acknowledged notifications never return);
  - every order has its PortOutRequested audit event and its PortOutRequest notification, and
    no such notification lacks its order.

Usage: build/venv/bin/python scripts/torture.py [--rounds N] [--workers N] [--seconds S]
                                                [--store LOCATION] [--seed N]
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import closing
from datetime import datetime, timedelta, timezone
from pathlib import Path

import portout

TENANTS = [f"t{i}.torture.example" for i in range(6)]
PINS = ("602917", "481605")  # a tenant's PIN is one of these; set_pin flips it
NUMBER_POOL = [f"+1425555{2000 + i}" for i in range(60)]


def open_store(location: str, key: str, role: str = "StoreAdmin", actor: str = "torture") -> portout.Store:
    return portout.Store.open(location, key_file=key, profile="test", allow_test_profile=True,
                              role=role, actor=actor)


def setup(location: str, key: str) -> None:
    with open_store(location, key) as s:
        for i, tenant in enumerate(TENANTS):
            s.create_tenant(tenant, f"Torture {i}")
            s.set_pin(tenant, PINS[0])
            s.set_policy(tenant, max_failed_attempts=50, tenant_max_failures=1000, min_foc_business_days=0,
                         cancel_cutoff=0)
            for n in NUMBER_POOL[i * 5:(i + 1) * 5]:
                s.add_phone_number(tenant, n)


def worker(location: str, key: str, journal_path: str, seed: int) -> None:
    fd = os.open(journal_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)

    def journal(line: str) -> None:
        os.write(fd, (line + "\n").encode())  # one write per line: O_APPEND keeps lines whole
        os.fsync(fd)

    admin = open_store(location, key, actor=f"admin-{seed}")
    carrier = open_store(location, key, role="Carrier", actor=f"carrier-{seed}")
    threads = [threading.Thread(target=work, args=(location, key, admin, carrier, journal, seed, t),
                                daemon=True) for t in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def work(location: str, key: str, shared_admin: portout.Store, carrier: portout.Store,
         journal: Callable[[str], None], seed: int, thread: int) -> None:
    rng = random.Random(seed * 2 + thread)
    consumer = f"consumer-{seed % 2}"
    while True:
        tenant = rng.choice(TENANTS)
        op = rng.random()
        # One operation in eight runs in a session of its own, closed right after.
        short = open_store(location, key, actor=f"short-{seed}-{thread}") if rng.random() < 0.125 else None
        admin = short or shared_admin
        try:
            if op < 0.25:
                admin.check_pin(tenant, rng.choice(PINS + ("000001",)))
                journal(f"check {tenant}")
            elif op < 0.35:
                current = admin.pin_status(tenant)
                admin.set_pin(tenant, rng.choice(PINS))
                journal(f"set_pin {tenant} was_set={current.pin_is_set}")
            elif op < 0.55:
                numbers = [n.phone_number for n in admin.phone_numbers(tenant)]
                if numbers:
                    pick = rng.sample(numbers, min(len(numbers), rng.randint(1, 2)))
                    order = carrier.submit_order(tenant, pick, rng.choice(PINS), "Torture Mobile")
                    journal(f"order {order.order_id} {order.status}")
            elif op < 0.70:
                open_orders = [o for o in admin.orders(tenant)
                               if o.status in ("PendingReview", "Approved", "Confirmed")]
                if open_orders:
                    order = rng.choice(open_orders)
                    if order.status == "PendingReview" and rng.random() < 0.3:
                        admin.approve_order(order.order_id)
                        journal(f"approve {order.order_id}")
                    elif order.status != "Confirmed" and rng.random() < 0.7:
                        # The stores' policy allows an FOC today (a business day: on a weekend
                        # the confirmation is refused, as designed).
                        admin.confirm_order(order.order_id, datetime.now(timezone.utc) + timedelta(minutes=5))
                        journal(f"confirm {order.order_id}")
                    elif order.status == "Confirmed" and rng.random() < 0.6:
                        admin.complete_order(order.order_id)
                        journal(f"complete {order.order_id}")
                    else:
                        admin.cancel_order(order.order_id, "CustomerRequest")
                        journal(f"cancel {order.order_id}")
            elif op < 0.78:
                number = rng.choice(NUMBER_POOL)
                if rng.random() < 0.5:
                    admin.add_phone_number(tenant, number)
                    journal(f"add {tenant} {number}")
                else:
                    admin.remove_phone_number(tenant, number)
                    journal(f"remove {tenant} {number}")
            elif op < 0.84:
                admin.set_freeze(tenant, rng.random() < 0.3)
                journal(f"freeze {tenant}")
            elif op < 0.88:
                admin.unlock_pin(tenant)
                journal(f"unlock {tenant}")
            else:
                notes = admin.receive_notifications(consumer, max_count=20)
                if notes:
                    admin.acknowledge_notifications(consumer, [n.notification_id for n in notes])
                    journal(f"ack {consumer} {notes[-1].notification_id}")
        except portout.PortOutError:
            pass  # refused as designed (a number taken, an order moved on, busy): not journaled
        finally:
            if short is not None:
                short.close()


def observer(location: str, key: str, folder: str, round_: str, report_path: str) -> None:
    """Another process, as a cron job or a CLI call is: opens a session, reads, closes it (its
    process's last connection), again and again while the workers write. Every order a worker
    journaled (after its call returned) must be visible to it at once."""
    report = os.open(report_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    while True:
        journaled: set[str] = set()
        for journal in Path(folder).glob(f"journal-{round_}-*.log"):
            journaled.update(line.split()[1] for line in journal.read_text().splitlines()
                             if line.startswith("order "))
        with open_store(location, key, role="Auditor", actor="observer") as s:
            missing = journaled - {o.order_id for o in s.orders()}
            s.pin_statuses()
        for order_id in sorted(missing):
            os.write(report, f"journaled order {order_id} is not visible to another process\n".encode())
        time.sleep(0.01)


def check(location: str, key: str, journals: list[Path], is_sqlite: bool,
          noted: set[str]) -> list[str]:
    """The invariants; `noted` gathers, across rounds, the orders the outbox announced."""
    problems: list[str] = []
    if is_sqlite:
        with closing(sqlite3.connect(f"file:{location}?mode=ro", uri=True)) as db:
            result = db.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            problems.append(f"integrity_check: {result}")
    with open_store(location, key, actor="checker") as s:
        verdict = s.verify_audit()
        if not verdict.is_valid:
            problems.append(f"audit chain broken at {verdict.first_broken_event_id}: {verdict.problem}")
        for status in s.pin_statuses():
            if not status.pin_is_set:
                problems.append(f"{status.tenant_id}: the PIN went blank")
        orders = {o.order_id: o for o in s.orders()}
        # A completed order released its numbers in the same transaction: a number may be in
        # an inventory again only if it was added back after that order completed, which the
        # audit chain orders exactly (two events in one millisecond keep their order there).
        inventory = {n.phone_number: n for n in s.phone_numbers()}
        last_added: dict[str, int] = {}
        completed_at: dict[str, int] = {}
        for e in s.audit_events(event_type=["PhoneNumberAdded", "OrderCompleted"]):
            fields = dict(part.split("=", 1) for part in e.details.split() if "=" in part)
            if e.event_type == "PhoneNumberAdded":
                last_added[fields["number"]] = e.event_id
            else:
                completed_at[fields["order"]] = e.event_id
        for o in orders.values():
            if o.status != "Completed":
                continue
            for number in o.phone_numbers:
                held = inventory.get(number)
                if held and last_added.get(number, 0) < completed_at.get(o.order_id, 0):
                    problems.append(f"{number} is both in {held.tenant_id}'s inventory and in "
                                    f"completed order {o.order_id}")
        requested = {e.details.split()[0].removeprefix("order=") for e in
                     s.audit_events(event_type="PortOutRequested")}
        acked_through: dict[str, int] = {}
        while batch := s.receive_notifications("torture-checker", max_count=5000):
            noted.update(n.order_id for n in batch if n.kind == "PortOutRequest" and n.order_id)
            s.acknowledge_notifications("torture-checker", [n.notification_id for n in batch])
        if set(orders) != requested:
            problems.append(f"orders without their audit event: {len(set(orders) ^ requested)}")
        if set(orders) != noted:
            problems.append(f"orders and request notifications differ: {len(set(orders) ^ noted)}")
        for journal in journals:
            if not journal.exists():  # a worker killed before its first success
                continue
            for line in journal.read_text().splitlines():
                word, *rest = line.split()
                if word == "order" and rest[0] not in orders:
                    problems.append(f"journaled order {rest[0]} is missing")
                elif word == "complete" and orders.get(rest[0]) and orders[rest[0]].status != "Completed":
                    problems.append(f"journaled completion of {rest[0]} is lost")
                elif word == "confirm" and orders.get(rest[0]) and orders[rest[0]].status in (
                        "PendingReview", "Approved"):
                    problems.append(f"journaled confirmation of {rest[0]} is lost")
                elif word == "approve" and orders.get(rest[0]) and orders[rest[0]].status == "PendingReview":
                    problems.append(f"journaled approval of {rest[0]} is lost")
                elif word == "ack":
                    acked_through[rest[0]] = max(acked_through.get(rest[0], 0), int(rest[1]))
        for consumer, through in acked_through.items():
            again = [n.notification_id for n in s.receive_notifications(consumer, max_count=100000)
                     if n.notification_id <= through]
            if again:
                problems.append(f"{consumer} is handed acknowledged notifications again: {again[:3]}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=2.0, help="the longest a round lasts")
    parser.add_argument("--store", help="a postgresql:// URI of an empty schema (default: SQLite in a temporary folder)")
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--observer", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:  # a worker process: location, key, journal, seed
        location, key, journal_path, seed = args.worker.split("\x1f")
        worker(location, key, journal_path, int(seed))
        return 0
    if args.observer:  # the observer: location, key, folder, round, report
        observer(*args.observer.split("\x1f"))
        return 0

    rng = random.Random(args.seed)
    folder = Path(tempfile.mkdtemp(prefix="portout-torture-"))
    location = args.store or str(folder / "store.db")
    key = str(folder / "store.key")
    setup(location, key)
    journals: list[Path] = []
    noted: set[str] = set()
    kills = 0
    start = time.monotonic()
    for round_ in range(1, args.rounds + 1):
        procs = []
        for w in range(args.workers):
            journal = folder / f"journal-{round_}-{w}.log"
            journals.append(journal)
            spec = "\x1f".join([location, key, str(journal), str(rng.randrange(1 << 30))])
            procs.append(subprocess.Popen([sys.executable, __file__, "--worker", spec]))
        report = folder / f"observer-{round_}.log"
        watcher = subprocess.Popen([sys.executable, __file__, "--observer", "\x1f".join(
            [location, key, str(folder), str(round_), str(report)])])
        deadline = time.monotonic() + rng.uniform(0.3, args.seconds)
        while time.monotonic() < deadline:
            time.sleep(rng.uniform(0.05, 0.3))
            victim = rng.choice(procs)
            if victim.poll() is None:
                victim.send_signal(signal.SIGKILL)
                kills += 1
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
                kills += 1
            p.wait()
        watcher.send_signal(signal.SIGKILL)
        watcher.wait()
        problems = check(location, key, journals, args.store is None, noted)
        if report.exists():
            problems += sorted(set(report.read_text().splitlines()))
        done = sum(len(j.read_text().splitlines()) for j in journals if j.exists())
        print(f"round {round_}/{args.rounds}: {kills} kills so far, {done} journaled successes, "
              f"{len(problems)} problems", flush=True)
        for problem in problems:
            print(f"  PROBLEM: {problem}", flush=True)
        if problems:
            print(f"seed {args.seed}; store and journals kept in {folder}")
            return 1
    print(f"torture: {args.rounds} rounds, {args.workers} workers, {kills} kills, "
          f"{sum(len(j.read_text().splitlines()) for j in journals if j.exists())} journaled "
          f"successes, 0 problems in {time.monotonic() - start:.1f} s (seed {args.seed})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
