"""Benchmarks, each measured side by side with its baseline in the same run; ratios, not times,
are the result. Never a pass/fail on time: the suite only runs --smoke to keep this working.

  build/venv/bin/python scripts/bench.py [--smoke] [--tenants N] [--rounds R] [--out DIR]

Baselines: libsodium's Argon2id verification alone (a Google Benchmark binary, built by
scripts/bench, and the same function called directly in this process), plain sqlite3 from Python
on the same file, and the peer (scripts/peer.py): the same operations written by hand with
argon2-cffi and sqlite3. Where a figure and its baseline would drift apart on a noisy machine,
they are measured in rounds, one right after the other in alternating order, and the ratio is
the median of the rounds' ratios. Writes DIR/results.json, DIR/ratios.png and DIR/growth.png
(default DIR: build/bench).
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import itertools
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import asdict, dataclass, field
from pathlib import Path

import portout
from peer import PeerStore

ROOT = Path(__file__).resolve().parent.parent
PIN, WRONG = "602917", "000001"
PROFILES = {"interactive": "Interactive", "owasp": "19MiB"}  # portout profile -> raw benchmark
PEER_PARAMS = {"interactive": (2, 65536), "owasp": (2, 19456), "test": (1, 8)}  # t, KiB
PROFILE_PARAMS = {p: (t, kib << 10) for p, (t, kib) in PEER_PARAMS.items()}  # opslimit, bytes


@dataclass
class Row:
    what: str
    portout: float
    baseline: float
    unit: str  # "ms", "s", "us" (lower is better) or "/s" (higher is better)
    target: str  # e.g. "<= 1.03"; "" when there is none
    baseline_name: str
    paired: float | None = None  # the median of per-round ratios, where measured in rounds

    @property
    def ratio(self) -> float:
        return self.paired if self.paired is not None else self.portout / self.baseline

    @property
    def met(self) -> str:
        if not self.target:
            return ""
        op, value = self.target.split()
        ok = self.ratio <= float(value) if op == "<=" else self.ratio >= float(value)
        return "yes" if ok else "NO"


@dataclass
class Results:
    tenants: int
    smoke: bool
    rows: list[Row] = field(default_factory=list)
    growth: list[dict[str, float]] = field(default_factory=list)
    facts: dict[str, float] = field(default_factory=dict)

    def add(self, what: str, ours: float, base: float, unit: str, target: str, baseline: str,
            paired: float | None = None) -> None:
        self.rows.append(Row(what, ours, base, unit, target, baseline, paired))


def timed_ms(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def raw_run(binary: Path, pattern: str, min_time: float) -> dict[str, float]:
    """One run of the C++ baseline: milliseconds per verification, per benchmark name."""
    done = subprocess.run([str(binary), f"--benchmark_filter={pattern}", f"--benchmark_min_time={min_time}",
                           "--benchmark_format=json"], capture_output=True, text=True, check=True)
    return {b["name"]: float(b["real_time"]) for b in json.loads(done.stdout)["benchmarks"]}


def in_threads(count: int, work: Callable[[int], None]) -> float:
    """Seconds per thread, on average, for `count` threads each running work(index), started
    together: each thread times itself, as Google Benchmark's threads do, so that the baseline
    and this are the same measure (total work / mean time of a thread)."""
    barrier = threading.Barrier(count)
    spent = [0.0] * count

    def run(index: int) -> None:
        barrier.wait()
        start = time.perf_counter()
        work(index)
        spent[index] = time.perf_counter() - start
    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statistics.mean(spent)


_PROCESS_WORKER = """
import sys, time, portout
s = portout.Store.open(sys.argv[1])
sys.stdin.readline()  # go
start = time.perf_counter()
for _ in range(int(sys.argv[3])):
    s.check_pin(sys.argv[2], "000001")
print(start, time.perf_counter())
"""


def in_processes(store: Path, tenants: list[str], count: int) -> float:
    """Checks per second of one process per tenant, each with its own session and timing
    itself: total checks / mean time of a process, the measure of the threaded baseline."""
    procs = [subprocess.Popen([sys.executable, "-c", _PROCESS_WORKER, str(store), t, str(count)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) for t in tenants]
    time.sleep(1.0)  # let them import and open
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    spans = [tuple(map(float, p.communicate()[0].split())) for p in procs]
    return len(tenants) * count / statistics.mean(e - s for s, e in spans)


class RawVerify:
    """libsodium's crypto_pwhash_str_verify called directly (ctypes) in this process: the
    baseline for measuring a check's overhead pair by pair, free of the machine's drift."""

    def __init__(self, opslimit: int, memlimit: int) -> None:
        self.so = ctypes.CDLL(ctypes.util.find_library("sodium") or "libsodium.so.23")
        if self.so.sodium_init() < 0:
            raise RuntimeError("sodium_init failed")
        out = ctypes.create_string_buffer(128)
        if self.so.crypto_pwhash_argon2id_str(out, PIN.encode(), ctypes.c_ulonglong(len(PIN)),
                                              ctypes.c_ulonglong(opslimit), ctypes.c_size_t(memlimit)) != 0:
            raise MemoryError("Argon2id")
        self.stored = out.value

    def __call__(self) -> None:
        self.so.crypto_pwhash_argon2id_str_verify(self.stored, WRONG.encode(), ctypes.c_ulonglong(len(WRONG)))


def hashing(res: Results, folder: Path, raw_binary: Path, rounds: int, smoke: bool) -> None:
    """Check overhead at two profiles, and checks per second on 1 and 2 threads and 2 processes,
    against the raw loop and the peer. Each round measures a figure and its baseline one after
    the other, in alternating order (ABBA), and the ratio reported is the median of the rounds'
    ratios: drift between rounds, large on a shared machine, cancels out."""
    per_round = 2 if smoke else 6
    samples: dict[str, list[float]] = {}

    def keep(name: str, value: float) -> float:
        samples.setdefault(name, []).append(value)
        return value
    stores: dict[str, portout.Store] = {}
    peers: dict[str, PeerStore] = {}
    direct = {profile: RawVerify(*PROFILE_PARAMS[profile]) for profile in PROFILES}
    for profile in PROFILES:
        s = stores[profile] = portout.Store.open(folder / f"check-{profile}.db", profile=profile)
        p = peers[profile] = PeerStore(folder / f"peer-{profile}.db", time_cost=PEER_PARAMS[profile][0],
                                       memory_kib=PEER_PARAMS[profile][1], max_failed=10**9)
        s.set_policy(max_failed_attempts=100)
        p.import_tenants((t, t, "US") for t in ("a.example", "b.example"))
        for t in ("a.example", "b.example"):
            s.create_tenant(t, t)
            s.set_pin(t, PIN)
            p.set_pin(t, PIN)
    tenants = ["a.example", "b.example"]
    min_time = 0.05 if smoke else 0.3

    def unlock(s: portout.Store) -> None:
        for t in tenants:
            s.unlock_pin(t)

    def pair(name: str, first: Callable[[], float], second: Callable[[], float], flip: bool) -> None:
        """Measures `first` (ours) and `second` (its baseline) in the given order; keeps both
        and their ratio."""
        if flip:
            b = second()
            a = first()
        else:
            a = first()
            b = second()
        keep(f"{name} ratio", keep(f"{name} ours", a) / keep(f"{name} base", b))

    for n in range(rounds):
        flip = n % 2 == 1
        for profile, name in PROFILES.items():
            s, p, raw = stores[profile], peers[profile], direct[profile]
            unlock(s)

            def ours_ms(s: portout.Store = s) -> float:
                return statistics.median(timed_ms(lambda: s.check_pin("a.example", WRONG))
                                         for _ in range(per_round))

            def gb_ms(name: str = name) -> float:
                key = f"BM_RawVerify{name}/real_time/threads:1"
                return raw_run(raw_binary, key + "$", min_time)[key]
            pair(f"{profile} vs C++", ours_ms, gb_ms, flip)
            for _ in range(per_round):  # pairwise in this process, alternating
                pair(f"{profile} vs direct", lambda: timed_ms(lambda: s.check_pin("a.example", WRONG)),
                     lambda: timed_ms(raw), flip)
            pair(f"{profile} vs peer", ours_ms,
                 lambda: statistics.median(timed_ms(lambda: p.check_pin("a.example", WRONG))
                                           for _ in range(per_round)), flip)
        s, p = stores["interactive"], peers["interactive"]

        def ours_work(i: int) -> None:
            for _ in range(per_round):
                s.check_pin(tenants[i], WRONG)

        def peer_work(i: int) -> None:
            for _ in range(per_round):
                p.check_pin(tenants[i], WRONG)

        def ours_threads() -> float:
            unlock(s)
            return 2 * per_round / in_threads(2, ours_work)

        def raw_threads() -> float:
            key = "BM_RawVerifyInteractive/real_time/threads:2"
            return 1000 / raw_run(raw_binary, key + "$", min_time)[key]

        def ours_processes() -> float:
            unlock(s)
            return in_processes(folder / "check-interactive.db", tenants, per_round)
        pair("2 threads vs C++", ours_threads, raw_threads, flip)
        pair("2 processes vs C++", ours_processes, raw_threads, flip)
        pair("2 threads vs peer", ours_threads, lambda: 2 * per_round / in_threads(2, peer_work), flip)
    for s in stores.values():
        s.close()
    for p in peers.values():
        p.close()
    med = {k: statistics.median(v) for k, v in samples.items()}
    res.facts["rounds"] = rounds

    def add(what: str, key: str, unit: str, target: str, baseline: str) -> None:
        res.add(what, med[f"{key} ours"], med[f"{key} base"], unit, target, baseline, med[f"{key} ratio"])
    for profile in PROFILES:
        add(f"Test-PortOutPin, {profile} profile, ms", f"{profile} vs C++", "ms", "<= 1.03",
            "libsodium verify alone (C++)")
        add(f"Test-PortOutPin, {profile} profile, ms", f"{profile} vs direct", "ms", "<= 1.03",
            "libsodium verify, same process")
    res.add("checks per second, 1 thread", 1000 / med["interactive vs C++ ours"],
            1000 / med["interactive vs C++ base"], "/s", ">= 0.97", "raw loop, 1 thread",
            1 / med["interactive vs C++ ratio"])
    add("checks per second, 2 threads", "2 threads vs C++", "/s", ">= 0.95", "raw loop, 2 threads")
    add("checks per second, 2 processes", "2 processes vs C++", "/s", ">= 0.95", "raw loop, 2 threads")
    for profile in PROFILES:
        add(f"Test-PortOutPin, {profile} profile, ms", f"{profile} vs peer", "ms", "<= 1.03",
            "peer: argon2-cffi + sqlite3")
    add("checks per second, 2 threads", "2 threads vs peer", "/s", ">= 0.97", "peer: argon2-cffi + sqlite3")


_SCAN_WORKER = """
import json, sys, time, sqlite3

def vm(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) / 1024
rss = vm("VmRSS:")
start = time.perf_counter()
if sys.argv[1] == "portout":
    import portout
    s = portout.Store.open(sys.argv[2], profile="test", allow_test_profile=True)
    rss = vm("VmRSS:")
    start = time.perf_counter()
    n = sum(1 for _ in s.pin_statuses(batch_size=5000))
else:
    db = sqlite3.connect(sys.argv[2])
    n = sum(1 for _ in db.execute("SELECT * FROM tenants ORDER BY tenant_id"))
seconds = time.perf_counter() - start
print(json.dumps({"n": n, "seconds": seconds, "rss_mib": rss, "peak_mib": vm("VmHWM:")}))
"""


def scan(kind: str, path: Path) -> dict[str, float]:
    """The status of every tenant read in a fresh process: seconds, and the memory it took."""
    done = subprocess.run([sys.executable, "-c", _SCAN_WORKER, kind, str(path)], capture_output=True,
                          text=True, check=True)
    return dict(json.loads(done.stdout))


def growth(res: Results, folder: Path, sizes: list[int], smoke: bool) -> Path:
    """One store grown from the smallest size to the largest (with a number for every tenth
    tenant); at each size the cost of a status lookup, a check, an order's validation, a whole
    status scan and the audit chain's verification, and the raw sqlite3 equivalents."""
    path = folder / "scale.db"
    hot = [f"hot{i}.example" for i in range(4)]
    lookups = 500 if smoke else 5000
    ops = 20 if smoke else 200
    with portout.Store.open(path, profile="test", allow_test_profile=True) as s:
        s.set_policy(max_failed_attempts=100)
        for n, t in enumerate(hot):
            s.create_tenant(t, t)
            s.set_pin(t, PIN)
            s.add_phone_number(t, f"+120655501{n:02d}")
        have, import_seconds = 0, 0.0
        for size in sizes:
            start = time.perf_counter()
            for first in range(have, size, 50_000):
                s.import_tenants((f"t{i:07d}.example", f"Tenant {i}", "US")
                                 for i in range(first, min(size, first + 50_000)))
            import_seconds += time.perf_counter() - start
            for i in range((have + 9) // 10 * 10, size, 10):
                s.add_phone_number(f"t{i:07d}.example", f"+1{425 + i // 10**7}{2000000 + i // 10:07d}")
            have = size
            ids = [f"t{random.randrange(size):07d}.example" for _ in range(lookups)]
            start = time.perf_counter()
            for tenant_id in ids:
                s.pin_status(tenant_id)
            lookup_us = (time.perf_counter() - start) / lookups * 1e6
            with closing(sqlite3.connect(path)) as db:
                start = time.perf_counter()
                for tenant_id in ids:
                    db.execute("SELECT * FROM tenants WHERE tenant_id = ?", (tenant_id,)).fetchone()
                raw_lookup_us = (time.perf_counter() - start) / lookups * 1e6
            for t in hot:
                s.unlock_pin(t)
            check_us = statistics.median(timed_ms(lambda: s.check_pin(hot[n % 4], WRONG))
                                         for n in range(ops)) * 1000
            for t in hot:
                s.unlock_pin(t)
            order_times = []
            for n in range(ops // 4):
                tenant = hot[n % 4]
                number = f"+120655501{n % 4:02d}"
                start = time.perf_counter()
                order = s.submit_order(tenant, number, PIN, "Bench Carrier")
                order_times.append((time.perf_counter() - start) * 1e6)
                assert order.status == "PendingReview", order
                s.cancel_order(order.order_id, "CustomerRequest")
            ours, raw = scan("portout", path), scan("sqlite3", path)
            assert ours["n"] == raw["n"] == size + len(hot), (ours, raw)
            start = time.perf_counter()
            verification = s.verify_audit()
            verify_s = time.perf_counter() - start
            assert verification.is_valid, verification
            res.growth.append({
                "tenants": size + len(hot), "audit_events": verification.event_count,
                "lookup_us": lookup_us, "raw_lookup_us": raw_lookup_us, "check_us": check_us,
                "order_us": statistics.median(order_times), "scan_s": ours["seconds"],
                "raw_scan_s": raw["seconds"], "scan_rss_mib": ours["rss_mib"],
                "scan_peak_mib": ours["peak_mib"], "raw_scan_peak_mib": raw["peak_mib"],
                "verify_audit_s": verify_s})
            print(f"  {size + len(hot):>9,} tenants: lookup {lookup_us:.1f} us, check {check_us:.0f} us, "
                  f"order {statistics.median(order_times):.0f} us, scan {ours['seconds']:.2f} s "
                  f"(peak {ours['peak_mib']:.0f} MiB), audit of {verification.event_count:,} "
                  f"events {verify_s:.2f} s", file=sys.stderr)
        res.facts["import_tenants_per_s"] = sizes[-1] / import_seconds
    top = res.growth[-1]
    res.add(f"status of {top['tenants']:,.0f} tenants, streamed, s", top["scan_s"], top["raw_scan_s"], "s",
            "<= 1.5", "sqlite3 scan from Python")
    res.add("status point lookups per second", 1e6 / top["lookup_us"], 1e6 / top["raw_lookup_us"], "/s",
            ">= 0.5", "sqlite3 point lookups")
    res.facts["scan_peak_rss_mib"] = top["scan_peak_mib"]
    res.facts["scan_rss_growth_mib"] = top["scan_peak_mib"] - top["scan_rss_mib"]
    return path


def peer_scale(res: Results, folder: Path, path: Path, tenants: int, lookups: int) -> None:
    """The peer's status scan and point lookups over as many tenants as the grown store."""
    peer = PeerStore(folder / "peer-scale.db", time_cost=1, memory_kib=8)
    peer.import_tenants((f"t{i:07d}.example", f"Tenant {i}", "US") for i in range(tenants))
    peer.close()  # both read through a freshly opened connection, not the one that wrote
    peer = PeerStore(folder / "peer-scale.db", time_cost=1, memory_kib=8)
    ids = [f"t{random.randrange(tenants):07d}.example" for _ in range(lookups)]
    with portout.Store.open(path, profile="test", allow_test_profile=True) as s:
        ours_scan, peer_scan, ours_look, peer_look = [], [], [], []
        for _ in range(3):
            start = time.perf_counter()
            sum(1 for _ in s.pin_statuses(batch_size=5000))
            ours_scan.append(time.perf_counter() - start)
            start = time.perf_counter()
            sum(1 for _ in peer.statuses())
            peer_scan.append(time.perf_counter() - start)
            start = time.perf_counter()
            for t in ids:
                s.pin_status(t)
            ours_look.append(lookups / (time.perf_counter() - start))
            start = time.perf_counter()
            for t in ids:
                peer.status(t)
            peer_look.append(lookups / (time.perf_counter() - start))
    peer.close()
    res.add(f"status of every tenant, s ({tenants:,} peer tenants)", statistics.median(ours_scan),
            statistics.median(peer_scan), "s", "<= 1.0", "peer: argon2-cffi + sqlite3")
    res.add("status point lookups per second", statistics.median(ours_look), statistics.median(peer_look),
            "/s", ">= 1.0", "peer: argon2-cffi + sqlite3")


def writes(res: Results, folder: Path, repeat: int) -> None:
    """A PIN change apart from its hash (test profile; the peer at Argon2id's minimum) against a
    durable one-row commit and the peer, and at the interactive profile against the peer, where
    both are bound by the same hash. Alternating, one of each per step."""
    pins, pins_i = itertools.cycle([PIN, "481605"]), itertools.cycle([PIN, "481605"])
    with closing(sqlite3.connect(folder / "raw.db", isolation_level=None)) as db, \
            portout.Store.open(folder / "w-test.db", profile="test", allow_test_profile=True) as s, \
            portout.Store.open(folder / "w-interactive.db", profile="interactive") as si:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)")
        db.execute("INSERT INTO t VALUES (1, 'x')")

        def commit() -> None:
            db.execute("BEGIN IMMEDIATE")
            db.execute("UPDATE t SET v = ? WHERE k = 1", (str(time.time()),))
            db.execute("COMMIT")
        peer = PeerStore(folder / "w-peer-test.db", time_cost=1, memory_kib=8)
        peer_i = PeerStore(folder / "w-peer-interactive.db")
        for store in (s, si):
            store.create_tenant("w.example", "W")
        for p in (peer, peer_i):
            p.import_tenants([("w.example", "W", "US")])
        t: dict[str, list[float]] = {k: [] for k in ("ours", "raw", "peer", "ours_i", "peer_i")}
        for n in range(repeat):
            t["ours"].append(timed_ms(lambda: s.set_pin("w.example", next(pins))))
            t["raw"].append(timed_ms(commit))
            t["peer"].append(timed_ms(lambda: peer.set_pin("w.example", PIN)))
            if n % 8 == 0:
                t["ours_i"].append(timed_ms(lambda: si.set_pin("w.example", next(pins_i))))
                t["peer_i"].append(timed_ms(lambda: peer_i.set_pin("w.example", PIN)))
        peer.close()
        peer_i.close()
    m = {k: statistics.median(v) for k, v in t.items()}
    res.add("PIN change apart from the hash, ms", m["ours"], m["raw"], "ms", "<= 3.0",
            "one durable sqlite3 commit")
    res.add("PIN change apart from the hash, ms", m["ours"], m["peer"], "ms", "",
            "peer: argon2-cffi + sqlite3")
    res.add("PIN change, interactive profile, ms", m["ours_i"], m["peer_i"], "ms", "<= 1.03",
            "peer: argon2-cffi + sqlite3")


def table_bytes(path: Path) -> dict[str, int]:
    """Bytes on disk per table, its indexes included (SQLite's dbstat), after a checkpoint."""
    with closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        tables = {name: name for (name,) in db.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")}
        tables.update(db.execute("SELECT name, tbl_name FROM sqlite_schema WHERE type = 'index'").fetchall())
        out: dict[str, int] = {}
        for name, size in db.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"):
            out[tables.get(name, name)] = out.get(tables.get(name, name), 0) + size
    return out


def size_and_open(res: Results, folder: Path, scale: Path, sample: int) -> None:
    """Bytes per tenant with and without a PIN, by table; opening the grown store."""
    opens = []
    for _ in range(5):
        start = time.perf_counter()
        portout.Store.open(scale, profile="test", allow_test_profile=True).close()
        opens.append((time.perf_counter() - start) * 1000)
    res.facts["open_ms"] = statistics.median(opens)
    path = folder / "sizes.db"
    with portout.Store.open(path, profile="test", allow_test_profile=True) as s:
        s.import_tenants((f"p{n:06d}.example", f"Tenant {n}", "US") for n in range(sample))
        without = table_bytes(path)
        for n in range(sample):
            s.set_pin(f"p{n:06d}.example", PIN)
        with_pin = table_bytes(path)
    res.facts["bytes_per_tenant"] = sum(without.values()) / sample
    res.facts["bytes_per_tenant_with_pin"] = sum(with_pin.values()) / sample
    res.facts["tenant_row_bytes"] = without.get("tenants", 0) / sample
    res.facts["tenant_row_bytes_with_pin"] = with_pin.get("tenants", 0) / sample
    res.facts["audit_bytes_per_tenant_with_pin"] = with_pin.get("audit_events", 0) / sample
    res.facts["notification_bytes_per_tenant_with_pin"] = with_pin.get("notifications", 0) / sample
    res.facts["size_sample"] = sample


def report(res: Results, out: Path) -> None:
    width = max(len(r.what) for r in res.rows)
    bwidth = max(len(r.baseline_name) for r in res.rows)
    print(f"{'benchmark':<{width}}  {'portout':>11} {'baseline':>11} {'unit':<3}  {'ratio':>6} "
          f"{'target':<7} met  {'baseline is':<{bwidth}}")
    for r in res.rows:
        print(f"{r.what:<{width}}  {r.portout:>11.3f} {r.baseline:>11.3f} {r.unit:<3}  {r.ratio:>6.3f} "
              f"{r.target:<7} {r.met:<4} {r.baseline_name}")
    f = res.facts
    peaks = ", ".join(f"{g['scan_peak_mib']:.0f}" for g in res.growth)
    print(f"\nratio: portout / baseline, in the row's unit ('/s': higher is better); "
          f"{f['rounds']:.0f} alternating rounds of the hash benchmarks,\nwhose ratio is the median "
          f"of the rounds' ratios (portout and baseline medians shown beside).")
    print(f"status scan of {res.growth[-1]['tenants']:,.0f} tenants in a fresh process: peak RSS "
          f"{f['scan_peak_rss_mib']:.0f} MiB, {f['scan_rss_growth_mib']:.0f} MiB over the opened store "
          f"(at each size: {peaks} MiB)")
    print(f"bulk import: {f['import_tenants_per_s']:,.0f} tenants per second (Store.import_tenants)")
    print(f"bytes per tenant on disk ({f['size_sample']:,.0f} tenants): {f['bytes_per_tenant']:.0f} without a "
          f"PIN (tenant row {f['tenant_row_bytes']:.0f}, the rest mostly its TenantCreated audit event), "
          f"{f['bytes_per_tenant_with_pin']:.0f} with a PIN (tenant row with the sealed record "
          f"{f['tenant_row_bytes_with_pin']:.0f}, audit events {f['audit_bytes_per_tenant_with_pin']:.0f}, "
          f"notification {f['notification_bytes_per_tenant_with_pin']:.0f})")
    print(f"store open time at {res.growth[-1]['tenants']:,.0f} tenants: {f['open_ms']:.1f} ms")
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(
        {"tenants": res.tenants, "smoke": res.smoke, "facts": res.facts, "growth": res.growth,
         "results": [asdict(r) | {"ratio": r.ratio, "met": r.met} for r in res.rows]}, indent=2))
    plot(res, out)
    print(f"\nwritten: {out / 'results.json'}, {out / 'ratios.png'}, {out / 'growth.png'}")


def plot(res: Results, out: Path) -> None:
    import matplotlib  # type: ignore[import]
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # type: ignore[import]

    fig, ax = plt.subplots(figsize=(9, 0.42 * len(res.rows) + 1.2))
    labels = [f"{r.what}\nvs {r.baseline_name}" for r in res.rows]
    # Drawn as baseline cost / portout cost, so that right of 1 is always better for portout.
    speed = [r.ratio if r.unit == "/s" else 1 / r.ratio for r in res.rows]
    colours = {"yes": "tab:green", "NO": "tab:red", "": "tab:gray"}  # gray: no target
    ax.barh(range(len(speed)), speed, color=[colours[r.met] for r in res.rows])
    ax.axvline(1.0, color="black", linewidth=0.8)
    ax.set_yticks(range(len(labels)), labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("portout's speed relative to the baseline (1 = the same; right is faster; "
                  "red: a target missed, gray: none)")
    ax.set_title(f"portout vs its baselines ({'smoke run' if res.smoke else 'full run'})")
    fig.tight_layout()
    fig.savefig(out / "ratios.png", dpi=110)
    plt.close(fig)

    g = res.growth
    x = [row["tenants"] for row in g]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for key, label in (("lookup_us", "status lookup"), ("raw_lookup_us", "sqlite3 point lookup"),
                       ("check_us", "check (test profile)"), ("order_us", "order validation")):
        left.plot(x, [row[key] for row in g], marker="o", label=label)
    left.set_xscale("log")
    left.set_yscale("log")
    left.set_xlabel("tenants")
    left.set_ylabel("microseconds per operation")
    left.set_title("per operation: flat")
    left.legend(fontsize=8)
    for key, label in (("scan_s", "status of every tenant"), ("raw_scan_s", "sqlite3 scan"),
                       ("verify_audit_s", "audit chain verification")):
        right.plot(x, [row[key] for row in g], marker="o", label=label)
    right.set_xscale("log")
    right.set_yscale("log")
    right.set_xlabel("tenants (audit events: about as many)")
    right.set_ylabel("seconds")
    right.set_title("whole-store scans: linear")
    right.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "growth.png", dpi=110)
    plt.close(fig)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: check the benchmarks run")
    parser.add_argument("--tenants", type=int, default=1_000_000, help="the largest store (default 10^6)")
    parser.add_argument("--rounds", type=int, default=9, help="alternating rounds of the hash benchmarks")
    parser.add_argument("--out", default=str(ROOT / "build" / "bench"))
    parser.add_argument("--raw", default=str(ROOT / "build" / "bench" / "portout_bench_raw"))
    args = parser.parse_args()
    top = 2000 if args.smoke else args.tenants
    sizes = sorted({min(top, 10**k) for k in range(2 if args.smoke else 3, 7)} | {top})
    res = Results(top, args.smoke)
    folder = Path(tempfile.mkdtemp(prefix="portout-bench-"))
    try:
        print(f"hash: {1 if args.smoke else args.rounds} rounds ...", file=sys.stderr)
        hashing(res, folder, Path(args.raw), 1 if args.smoke else args.rounds, args.smoke)
        print(f"growth to {top:,} tenants ...", file=sys.stderr)
        scale = growth(res, folder, sizes, args.smoke)
        print("peer scans, writes, size ...", file=sys.stderr)
        peer_scale(res, folder, scale, top, 500 if args.smoke else 20_000)
        writes(res, folder, 16 if args.smoke else 200)
        size_and_open(res, folder, scale, 200 if args.smoke else 20_000)
        report(res, Path(args.out))
    finally:
        subprocess.run(["rm", "-rf", str(folder)], check=False)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
