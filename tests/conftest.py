"""Shared settings for the Python suites.

The suites import the installed package (build/venv), never bindings/ from the source tree.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=300, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


import hashlib
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

import portout

START = datetime(2026, 9, 21, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def clock() -> portout.ManualClock:
    return portout.ManualClock(START)


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "store.db"


@pytest.fixture
def store(store_path: Path, clock: portout.ManualClock) -> Iterator[portout.Store]:
    with portout.Store.open(store_path, profile="test", allow_test_profile=True, clock=clock,
                            actor="admin@contoso.com") as s:
        yield s


def logical_digest(path: Path | str) -> str:
    """A digest of every row of every table, read with plain sqlite3: equal means unchanged."""
    digest = hashlib.sha256()
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        tables = [r[0] for r in db.execute(
            "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")]
        for table in tables:
            digest.update(table.encode())
            for row in db.execute(f'SELECT * FROM "{table}" ORDER BY 1'):
                digest.update(repr(row).encode())
    return digest.hexdigest()
