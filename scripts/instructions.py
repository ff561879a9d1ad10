"""Instructions per operation, counted by callgrind: repeatable where timings on a shared machine
are not. Each figure is (instructions of a run doing K operations - those of the same run doing
none) / K, for portout, plain sqlite3 and the peer (scripts/peer.py) on stores of N tenants.

  build/venv/bin/python scripts/instructions.py [--tenants N] [--ops K]

Needs valgrind. A profile of any one of them: add --keep and read the kept file with
callgrind_annotate --inclusive=yes.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import portout
from peer import PeerStore

HERE = Path(__file__).resolve().parent

_RUN = """
import random, sqlite3, sys
sys.path.insert(0, {here!r})
impl, op, k, folder = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
random.seed(7)
n = {tenants}
ids = [f"t{{random.randrange(n):07d}}.example" for _ in range(max(k, 1))]
if impl == "portout":
    import portout
    s = portout.Store.open(folder + "/ours.db", profile="test", allow_test_profile=True)
    s.pin_status(ids[0]); sum(1 for _ in s.pin_statuses(batch_size=2))
    lookup = s.pin_status
    scan = lambda: sum(1 for _ in s.pin_statuses(batch_size=5000))
elif impl == "sqlite3":
    db = sqlite3.connect(folder + "/ours.db")
    lookup = lambda t: db.execute("SELECT * FROM tenants WHERE tenant_id = ?", (t,)).fetchone()
    scan = lambda: sum(1 for _ in db.execute("SELECT * FROM tenants ORDER BY tenant_id"))
    lookup(ids[0]); db.execute("SELECT * FROM tenants ORDER BY tenant_id LIMIT 2").fetchall()
else:
    from peer import PeerStore
    p = PeerStore(folder + "/peer.db", time_cost=1, memory_kib=8)
    lookup = p.status
    scan = lambda: sum(1 for _ in p.statuses())
    lookup(ids[0]); next(p.statuses())
if op == "lookup":
    for t in ids[:k]:
        lookup(t)
elif k:
    scan()
"""


def instructions(impl: str, op: str, k: int, folder: Path, script: Path, keep: bool) -> int:
    out = folder / f"callgrind.{impl}.{op}.{k}"
    done = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable,
                           str(script), impl, op, str(k), str(folder)], capture_output=True, text=True,
                          check=True)
    found = re.search(r"Collected : (\d+)", done.stderr) or re.search(r"refs:\s+([\d,]+)", done.stderr)
    if not found:
        raise RuntimeError(done.stderr[-2000:])
    if not keep:
        out.unlink(missing_ok=True)
    return int(found.group(1).replace(",", ""))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tenants", type=int, default=100_000)
    parser.add_argument("--ops", type=int, default=5000, help="lookups per run")
    parser.add_argument("--keep", action="store_true", help="keep the callgrind files (printed)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="portout-instructions-"))
    rows = [(f"t{i:07d}.example", f"Tenant {i}", "US") for i in range(args.tenants)]
    with portout.Store.open(folder / "ours.db", profile="test", allow_test_profile=True) as s:
        s.import_tenants(rows)
    PeerStore(folder / "peer.db", time_cost=1, memory_kib=8).import_tenants(rows)
    script = folder / "run.py"
    script.write_text(_RUN.format(here=str(HERE), tenants=args.tenants))
    print(f"instructions per operation (callgrind), {args.tenants:,} tenants")
    print(f"{'operation':<22} {'portout':>10} {'sqlite3':>10} {'peer':>10}")
    for op, name, k, per in (("status lookup", "lookup", args.ops, args.ops),
                             ("status scan, per row", "scan", 1, args.tenants)):
        counts = []
        for impl in ("portout", "sqlite3", "peer"):
            base = instructions(impl, name, 0, folder, script, False)
            counts.append((instructions(impl, name, k, folder, script, args.keep) - base) / per)
        print(f"{op:<22} " + " ".join(f"{c:>10,.0f}" for c in counts))
    if args.keep:
        print(f"callgrind files in {folder}")
    else:
        subprocess.run(["rm", "-rf", str(folder)], check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
