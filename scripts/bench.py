"""Benchmarks, each measured side by side with its baseline in the same run; ratios, not times,
are the result. Never a pass/fail on time: the suite only runs --smoke to keep this working.

  build/venv/bin/python scripts/bench.py [--smoke] [--tenants N] [--json PATH]

Baselines: libsodium's Argon2id verification alone (a Google Benchmark binary, built by
scripts/bench), and plain sqlite3 from Python on the same file.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import closing
from pathlib import Path

import portout

ROOT = Path(__file__).resolve().parent.parent


def raw_verify(binary: Path, min_time: float) -> dict[str, float]:
    """Milliseconds per verification from the C++ baseline, per benchmark name."""
    done = subprocess.run([str(binary), f"--benchmark_min_time={min_time}", "--benchmark_format=json",
                           "--benchmark_filter=Interactive"], capture_output=True, text=True, check=True)
    return {b["name"]: float(b["real_time"]) for b in json.loads(done.stdout)["benchmarks"]}


def median_ms(call, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: check the benchmarks run")
    parser.add_argument("--tenants", type=int, default=1_000_000)
    parser.add_argument("--json", default=str(ROOT / "build" / "bench" / "results.json"))
    parser.add_argument("--raw", default=str(ROOT / "build" / "bench" / "portout_bench_raw"))
    args = parser.parse_args()
    tenants = 2000 if args.smoke else args.tenants
    repeat = 3 if args.smoke else 25
    rows: list[tuple[str, float, float, str]] = []  # what, ours, baseline, unit
    folder = Path(tempfile.mkdtemp(prefix="portout-bench-"))

    # 1. A PIN check against the hash alone.
    raw = raw_verify(Path(args.raw), 0.05 if args.smoke else 2.0)
    with portout.Store.open(folder / "check.db", profile="interactive") as s:
        s.create_tenant("a.example", "A")
        s.create_tenant("b.example", "B")
        s.set_pin("a.example", "602917")
        s.set_pin("b.example", "602917")
        s.set_policy(max_failed_attempts=100)
        ours = median_ms(lambda: s.check_pin("a.example", "000001"), repeat)
        rows.append(("check: Test-PortOutPin vs raw verify, ms", ours,
                     raw["BM_RawVerifyInteractive/real_time/threads:1"], "ms"))

        # 2. Two threads checking at once, against the raw loop on two threads.
        count = 4 if args.smoke else 40
        s.unlock_pin("a.example")

        def checks(tenant: str) -> None:  # wrong PINs, under the lock threshold of 100
            for _ in range(count):
                s.check_pin(tenant, "000001")
        start = time.perf_counter()
        threads = [threading.Thread(target=checks, args=(t,)) for t in ("a.example", "b.example")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        ours_rate = 2 * count / (time.perf_counter() - start)
        raw_rate = 1000 / raw["BM_RawVerifyInteractive/real_time/threads:2"]
        rows.append(("2 threads: checks per second vs raw", ours_rate, raw_rate, "/s"))
    # Two processes, each with its own session on the same store.
    worker = ("import sys, portout\n"
              "s = portout.Store.open(sys.argv[1])\n"
              "for _ in range(int(sys.argv[3])):\n"
              "    s.check_pin(sys.argv[2], '000001')\n")
    start = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-c", worker, str(folder / "check.db"), t, str(count)])
             for t in ("a.example", "b.example")]
    for p in procs:
        p.wait()
    rows.append(("2 processes: checks per second vs raw", 2 * count / (time.perf_counter() - start),
                 raw_rate, "/s"))

    # 3. Status of every tenant, streamed, against plain sqlite3 reading the same rows.
    path = folder / "scale.db"
    with portout.Store.open(path, profile="test", allow_test_profile=True) as s:
        batch = 50_000
        for first in range(0, tenants, batch):
            s.import_tenants((f"t{i:07d}.example", f"Tenant {i}", "US")
                             for i in range(first, min(tenants, first + batch)))
        start = time.perf_counter()
        seen = sum(1 for _ in s.pin_statuses(batch_size=5000))
        ours = time.perf_counter() - start
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        with closing(sqlite3.connect(path)) as db:
            start = time.perf_counter()
            raw_seen = sum(1 for _ in db.execute("SELECT * FROM tenants ORDER BY tenant_id"))
            baseline = time.perf_counter() - start
        assert seen == raw_seen == tenants
        rows.append((f"status of {tenants} tenants vs sqlite3 scan, s", ours, baseline, "s"))

        # 4. Point lookups.
        ids = [f"t{random.randrange(tenants):07d}.example" for _ in range(200 if args.smoke else 20000)]
        start = time.perf_counter()
        for tenant_id in ids:
            s.pin_status(tenant_id)
        ours = len(ids) / (time.perf_counter() - start)
        with closing(sqlite3.connect(path)) as db:
            start = time.perf_counter()
            for tenant_id in ids:
                db.execute("SELECT * FROM tenants WHERE tenant_id = ?", (tenant_id,)).fetchone()
            baseline = len(ids) / (time.perf_counter() - start)
        rows.append(("point lookups per second vs sqlite3", ours, baseline, "/s"))

        # 5. A PIN change without the hash (test profile) against one durable sqlite3 commit.
        pins = itertools.cycle(["602917", "481605"])
        ours = median_ms(lambda: s.set_pin("t0000001.example", next(pins)), repeat * 4)
    with closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size_per_tenant = path.stat().st_size / tenants
    start = time.perf_counter()
    portout.Store.open(path, profile="test", allow_test_profile=True).close()
    open_s = time.perf_counter() - start
    with_pin = folder / "pins.db"
    sample = 200 if args.smoke else 20_000
    with portout.Store.open(with_pin, profile="test", allow_test_profile=True) as s:
        s.import_tenants((f"p{n:06d}.example", f"Tenant {n}", "US") for n in range(sample))
        for n in range(sample):
            s.set_pin(f"p{n:06d}.example", "602917")
    with closing(sqlite3.connect(with_pin)) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size_with_pin = with_pin.stat().st_size / sample

    with closing(sqlite3.connect(folder / "raw.db", isolation_level=None)) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)")
        db.execute("INSERT INTO t VALUES (1, 'x')")
        def commit() -> None:
            db.execute("BEGIN IMMEDIATE")
            db.execute("UPDATE t SET v = ? WHERE k = 1", (str(time.time()),))
            db.execute("COMMIT")
        baseline = median_ms(commit, repeat * 4)
    rows.append(("PIN change without the hash vs one durable commit, ms", ours, baseline, "ms"))

    print(f"{'benchmark':<58} {'portout':>12} {'baseline':>12} {'ratio':>7}")
    for what, ours, base, unit in rows:
        print(f"{what:<58} {ours:>12.3f} {base:>12.3f} {ours / base:>7.2f}")
    print(f"peak RSS during the status scan: {peak_mb:.0f} MiB")
    print(f"bytes per tenant on disk: {size_per_tenant:.0f} without a PIN ({tenants} tenants), "
          f"{size_with_pin:.0f} with a PIN and its audit events ({sample} tenants)")
    print(f"store open time at {tenants} tenants: {open_s * 1000:.1f} ms")
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(
        {"tenants": tenants, "smoke": args.smoke, "peak_rss_mib": peak_mb,
         "bytes_per_tenant": size_per_tenant, "bytes_per_tenant_with_pin": size_with_pin,
         "open_ms": open_s * 1000,
         "results": [{"what": w, "portout": o, "baseline": b, "unit": u, "ratio": o / b}
                     for w, o, b, u in rows]}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
