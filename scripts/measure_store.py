"""Rows, bytes and writes of a store, for docs/scaling.md.

Usage: build/venv/bin/python scripts/measure_store.py [TENANTS] [POSTGRES_URI]
Creates TENANTS tenants with a PIN and two numbers each in a temporary SQLite store (and in a
fresh schema of the PostgreSQL database, when a URI is given), then reports bytes per tenant and
the rows one port-out request writes.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

import portout


def populate(store: portout.Store, tenants: int) -> float:
    start = time.perf_counter()
    for i in range(tenants):
        tenant = f"tenant{i:07d}.example"
        store.create_tenant(tenant, f"Tenant {i}", "US")
        store.set_pin(tenant, "602917")
        store.add_phone_number(tenant, f"+1425{5550000 + 2 * i:07d}"[:12])
        store.add_phone_number(tenant, f"+1206{5550000 + 2 * i + 1:07d}"[:12])
    return time.perf_counter() - start


def sqlite_sizes(path: str) -> dict[str, int]:
    import sqlite3

    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        rows = db.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall()
    return dict(rows)


def postgres_sizes(uri: str, schema: str) -> dict[str, int]:
    import psycopg2

    with psycopg2.connect(uri) as db, db.cursor() as c:
        c.execute("SELECT tablename, pg_total_relation_size(format('%%I.%%I', schemaname, tablename)) "
                  "FROM pg_tables WHERE schemaname = %s", (schema,))
        return dict(c.fetchall())


def row_counts(store: portout.Store) -> dict[str, int]:
    return {"audit": sum(1 for _ in store.audit_events()),
            "notes": len(store.receive_notifications("measure", max_count=10000)),
            "orders": sum(1 for _ in store.orders())}


def measure(location: str, key: Path, tenants: int, sizes) -> None:  # type: ignore[no-untyped-def]
    with portout.Store.open(location, key_file=key, profile="test", allow_test_profile=True) as s:
        took = populate(s, tenants)
        total = sum(sizes().values())
        before = row_counts(s)
        order = s.submit_order("tenant0000001.example", [n.phone_number for n in
                               s.phone_numbers("tenant0000001.example")], "602917", "Northwind")
        after = row_counts(s)
    kind = "PostgreSQL" if location.startswith("postgresql") else "SQLite"
    print(f"{kind}: {tenants} tenants (PIN + 2 numbers each) in {took:.1f} s; "
          f"{total / tenants:.0f} bytes per tenant, all tables and indexes")
    print(f"  one accepted port-out request ({order.status}) wrote: 1 order, "
          f"{len(order.phone_numbers)} order numbers, {after['audit'] - before['audit']} audit events, "
          f"{after['notes'] - before['notes']} notification, 2 updates of the tenant row, "
          f"in 2 transactions")


def main() -> None:
    tenants = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    with tempfile.TemporaryDirectory() as folder:
        key = Path(folder) / "store.key"
        path = os.path.join(folder, "store.db")
        measure(path, key, tenants, lambda: sqlite_sizes(path))
        if len(sys.argv) > 2:
            import psycopg2

            uri, schema = sys.argv[2], "measure_" + uuid.uuid4().hex[:8]
            with psycopg2.connect(uri) as db, db.cursor() as c:
                c.execute(f"CREATE SCHEMA {schema}")
            try:
                measure(f"{uri}?options=-csearch_path%3D{schema}", key, tenants,
                        lambda: postgres_sizes(uri, schema))
            finally:
                with psycopg2.connect(uri) as db, db.cursor() as c:
                    c.execute(f"DROP SCHEMA {schema} CASCADE")


if __name__ == "__main__":
    main()
