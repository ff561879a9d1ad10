"""The peer portout is measured against: the same PIN operations written the way a careful Python
user would write them without portout, with argon2-cffi (Debian python3-argon2) and sqlite3.

Careful means: Argon2id at the same parameters (salt 16 bytes, hash 32, one lane), the attempt
counted in a durable commit before the hash is verified, a lock after too many failures, WAL with
synchronous=FULL, one connection per thread, typed rows. It has none of portout's sealing, audit
chain, notifications, roles or policies: it is the floor of doing the job by hand.

scripts/bench.py imports it; alone it runs a short self-check:

  build/venv/bin/python scripts/peer.py
"""

from __future__ import annotations

import sqlite3
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher  # type: ignore[import]
from argon2.exceptions import VerificationError  # type: ignore[import]

MAX_FAILED = 5
LOCK_SECONDS = 15 * 60

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tenants (
    tenant_id TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    country TEXT NOT NULL,
    pin_hash TEXT,
    pin_changed_at REAL,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until REAL
) WITHOUT ROWID
"""


@dataclass(frozen=True)
class PeerStatus:
    tenant_id: str
    pin_set: bool
    pin_changed_at: float | None
    failed_attempts: int
    locked_until: float | None


class PeerStore:
    """PINs of tenants in one SQLite file, hashed with argon2-cffi."""

    def __init__(self, path: str | Path, *, time_cost: int = 2, memory_kib: int = 65536,
                 max_failed: int = MAX_FAILED) -> None:
        self.path = str(path)
        self.max_failed = max_failed
        self.hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1,
                                     hash_len=32, salt_len=16)
        self._local = threading.local()
        self._db().execute(_SCHEMA)

    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            self._local.db = db
        return db

    def close(self) -> None:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    def import_tenants(self, rows: Iterable[tuple[str, str, str]]) -> None:
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany("INSERT INTO tenants (tenant_id, display_name, country) VALUES (?, ?, ?)",
                           rows)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def set_pin(self, tenant_id: str, pin: str) -> None:
        encoded = self.hasher.hash(pin)
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        changed = db.execute("UPDATE tenants SET pin_hash = ?, pin_changed_at = ?, failed_attempts = 0, "
                             "locked_until = NULL WHERE tenant_id = ?",
                             (encoded, time.time(), tenant_id)).rowcount
        db.execute("COMMIT")
        if changed != 1:
            raise KeyError(tenant_id)

    def check_pin(self, tenant_id: str, pin: str) -> bool:
        db = self._db()
        now = time.time()
        db.execute("BEGIN IMMEDIATE")  # count the attempt first, durably
        row = db.execute("SELECT pin_hash, failed_attempts, locked_until FROM tenants "
                         "WHERE tenant_id = ?", (tenant_id,)).fetchone()
        if row is None or row[0] is None or (row[2] is not None and row[2] > now):
            db.execute("COMMIT")
            return False
        failed = row[1] + 1
        db.execute("UPDATE tenants SET failed_attempts = ?, locked_until = ? WHERE tenant_id = ?",
                   (failed, now + LOCK_SECONDS if failed >= self.max_failed else None, tenant_id))
        db.execute("COMMIT")
        try:
            self.hasher.verify(row[0], pin)
        except VerificationError:
            return False
        db.execute("BEGIN IMMEDIATE")
        db.execute("UPDATE tenants SET failed_attempts = 0, locked_until = NULL WHERE tenant_id = ?",
                   (tenant_id,))
        db.execute("COMMIT")
        return True

    def unlock(self, tenant_id: str) -> None:
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        db.execute("UPDATE tenants SET failed_attempts = 0, locked_until = NULL WHERE tenant_id = ?",
                   (tenant_id,))
        db.execute("COMMIT")

    _STATUS = "SELECT tenant_id, pin_hash IS NOT NULL, pin_changed_at, failed_attempts, locked_until FROM tenants"

    def status(self, tenant_id: str) -> PeerStatus:
        row = self._db().execute(self._STATUS + " WHERE tenant_id = ?", (tenant_id,)).fetchone()
        if row is None:
            raise KeyError(tenant_id)
        return PeerStatus(row[0], bool(row[1]), row[2], row[3], row[4])

    def statuses(self) -> Iterator[PeerStatus]:
        for row in self._db().execute(self._STATUS + " ORDER BY tenant_id"):
            yield PeerStatus(row[0], bool(row[1]), row[2], row[3], row[4])


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="portout-peer-") as folder:
        peer = PeerStore(Path(folder) / "peer.db", time_cost=1, memory_kib=8)
        peer.import_tenants((f"t{i}.example", f"Tenant {i}", "US") for i in range(10))
        peer.set_pin("t1.example", "602917")
        assert peer.check_pin("t1.example", "602917")
        assert not any(peer.check_pin("t1.example", "000001") for _ in range(MAX_FAILED))
        assert peer.status("t1.example").locked_until is not None
        assert not peer.check_pin("t1.example", "602917")  # locked
        assert sum(1 for s in peer.statuses() if s.pin_set) == 1
        peer.close()
    print("peer: ok")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
