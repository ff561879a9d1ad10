"""Shared settings for the Python suites.

The suites import the installed package (build/venv), never bindings/ from the source tree.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

pytest_plugins = ["pytester"]

settings.register_profile("ci", max_examples=300, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


import hashlib
from contextlib import closing
import sqlite3
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

import portout

START = datetime(2026, 9, 21, 12, 0, tzinfo=timezone.utc)  # a Monday, 08:00 in New York


def us_federal_holidays(year: int) -> set[date]:
    """The eleven US federal holidays of a year as observed (5 U.S.C. 6103), computed here
    apart from the core's calendar, for tests that pick an FOC date from today."""
    def nth(month: int, weekday: int, n: int) -> date:  # n = 0: the last
        if n == 0:
            last = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
            return last - timedelta(days=(last.weekday() - weekday) % 7)
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))

    def observed(day: date) -> date:
        return day - timedelta(days=1) if day.weekday() == 5 else day + timedelta(days=1) if day.weekday() == 6 else day

    fixed = [observed(date(year, m, d)) for m, d in ((1, 1), (6, 19), (7, 4), (11, 11), (12, 25))]
    return {*fixed, nth(1, 0, 3), nth(2, 0, 3), nth(5, 0, 0), nth(9, 0, 1), nth(10, 0, 2), nth(11, 3, 4),
            observed(date(year + 1, 1, 1))}


def business_day(after: datetime, days: int = 2) -> datetime:
    """A valid FOC: `days` business days (weekdays, not US federal holidays) after `after`, at
    16:00 UTC (11:00 or 12:00 in New York), so that it is at least the default one business day
    after an approval made at `after`."""
    day = after.astimezone(timezone.utc).date()
    left = days
    while left > 0:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in us_federal_holidays(day.year):
            left -= 1
    return datetime(day.year, day.month, day.day, 16, 0, tzinfo=timezone.utc)


@pytest.fixture
def clock() -> portout.ManualClock:
    return portout.ManualClock(START)


POSTGRES = os.environ.get("PORTOUT_TEST_POSTGRES", "")


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    """Each test that takes a store runs on both backends."""
    if request.param == "postgres" and not POSTGRES:
        pytest.skip("no PostgreSQL server: PORTOUT_TEST_POSTGRES is not set (scripts/test starts one)")
    return str(request.param)


@pytest.fixture
def location(backend: str, tmp_path: Path) -> Iterator[str]:
    """Where the test's store lives: a SQLite file, or a PostgreSQL schema of its own."""
    if backend == "sqlite":
        yield str(tmp_path / "store.db")
        return
    import uuid

    import psycopg2

    schema = "t_" + uuid.uuid4().hex[:16]
    with psycopg2.connect(POSTGRES) as db, db.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {schema}")
    yield f"{POSTGRES}?options=-csearch_path%3D{schema}"
    with psycopg2.connect(POSTGRES) as db, db.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    return tmp_path / "store.key"


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    """A SQLite store's file, for the tests of what only a file has."""
    return tmp_path / "store.db"


@pytest.fixture
def store(location: str, key_file: Path, clock: portout.ManualClock) -> Iterator[portout.Store]:
    with portout.Store.open(location, key_file=key_file, profile="test", allow_test_profile=True,
                            clock=clock, actor="admin@contoso.com") as s:
        yield s


def _postgres_schema(location: str) -> str:
    return location.rsplit("search_path%3D", 1)[1]


def raw_execute(location: str | Path, script: str) -> None:
    """Run SQL on the store's tables directly, as someone with the database would."""
    location = str(location)
    if not location.startswith("postgresql://"):
        with closing(sqlite3.connect(location)) as db:
            db.executescript(script)
            db.commit()
        return
    import psycopg2

    with psycopg2.connect(POSTGRES) as db, db.cursor() as cursor:
        cursor.execute(f"SET search_path = {_postgres_schema(location)}")
        cursor.execute(script)


def raw_query(location: str | Path, query: str) -> list[tuple[Any, ...]]:
    """Read the store's tables directly, as someone with the database would."""
    location = str(location)
    if not location.startswith("postgresql://"):
        with closing(sqlite3.connect(f"file:{location}?mode=ro", uri=True)) as db:
            return list(db.execute(query))
    import psycopg2

    with psycopg2.connect(POSTGRES) as db, db.cursor() as cursor:
        cursor.execute(f"SET search_path = {_postgres_schema(location)}")
        cursor.execute(query)
        return [tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in cursor.fetchall()]


def logical_digest(location: Path | str, tables: tuple[str, ...] | None = None) -> str:
    """A digest of every row of every table (or of `tables`): equal means unchanged."""
    digest = hashlib.sha256()
    location = str(location)
    if location.startswith("postgresql://"):
        import psycopg2

        with psycopg2.connect(POSTGRES) as db, db.cursor() as cursor:
            schema = _postgres_schema(location)
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY tablename",
                           (schema,))
            for (table,) in cursor.fetchall():
                if tables is not None and table not in tables:
                    continue
                digest.update(table.encode())
                cursor.execute(f'SELECT * FROM {schema}."{table}" ORDER BY 1')
                for row in cursor.fetchall():
                    digest.update(repr(tuple(bytes(v) if isinstance(v, memoryview) else v
                                             for v in row)).encode())
        return digest.hexdigest()
    with closing(sqlite3.connect(f"file:{location}?mode=ro", uri=True)) as db:
        names = [r[0] for r in db.execute(
            "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")]
        for table in names:
            if tables is not None and table not in tables:
                continue
            digest.update(table.encode())
            for row in db.execute(f'SELECT * FROM "{table}" ORDER BY 1'):
                digest.update(repr(row).encode())
    return digest.hexdigest()
