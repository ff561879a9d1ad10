"""pytest fixtures for suites that test their own automation against portout.

Installed with the package (entry point ``pytest11``), so a project that installs portout has
them with nothing to configure:

- ``portout_store``: a temporary SQLite store with its own key file, the fast test hash profile
  and a ``StoreAdmin`` session; closed after the test.
- ``portout_session``: the cmdlets' default session connected to that store for the test
  (``portout.set_port_out_pin(...)``, ``portout.get_port_out_tenant(...)`` act on it), and the
  default before it put back afterwards. Each test, and each xdist worker, has a store of its own.
- ``portout_tenant``: a US tenant (``contoso.example``) in that store.
- ``portout_store_factory`` and ``portout_tenant_factory``: make variants: another role or
  tenant scope on the same store, a tenant with a PIN already set, another country.
- ``portout_webhook_receiver``: a webhook receiver on a loopback port (``.url``), which keeps
  every request and gives back the events whose signature holds (``.events(secret)``); for a
  suite that tests its handling of portout's webhooks against a ``portout serve`` it starts.

With the ini option ``portout_postgres`` (or ``PORTOUT_TEST_POSTGRES``) set to a connection
string, ``portout_store_factory(backend="postgresql")`` makes a store in a schema of its own
there, dropped after the test. The test profile hashes in microseconds: it is for tests only,
and a store created with it is refused the real profiles' company (see portout.Store.open).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Protocol

import pytest

from portout import session as sessions
from portout.session import PortOutSession
from portout.store import Store
from portout.webhooks import WebhookReceiver

__all__ = ["StoreFactory", "TenantFactory"]


class StoreFactory(Protocol):
    def __call__(self, *, role: str = "StoreAdmin", actor: str = "test-admin",
                 tenant_scope: str | list[str] | None = None, backend: str = "sqlite",
                 name: str = "store") -> Store: ...


class TenantFactory(Protocol):
    def __call__(self, tenant_id: str = "contoso.example", *, display_name: str | None = None,
                 country_or_region: str = "US", pin: str | None = None,
                 store: Store | None = None) -> str: ...


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("portout_postgres",
                  "A PostgreSQL connection string for portout_store_factory(backend='postgresql').",
                  default="")


@pytest.fixture
def portout_store_factory(tmp_path_factory: pytest.TempPathFactory,
                          pytestconfig: pytest.Config) -> Iterator[StoreFactory]:
    """Make stores, or more sessions on one store: ``factory(role="Carrier", actor="x")``.

    Sessions made with the same ``name`` share one store and its key file; each is closed after
    the test.
    """
    folder = tmp_path_factory.mktemp("portout")
    opened: list[Store] = []
    schemas: list[str] = []
    locations: dict[tuple[str, str], str] = {}
    server = str(pytestconfig.getini("portout_postgres") or os.environ.get("PORTOUT_TEST_POSTGRES", ""))

    def location_of(backend: str, name: str) -> str:
        if (backend, name) in locations:
            return locations[(backend, name)]
        if backend == "sqlite":
            where = str(folder / f"{name}.db")
        elif backend == "postgresql":
            if not server:
                pytest.skip("set the ini option portout_postgres (or PORTOUT_TEST_POSTGRES) to a "
                            "PostgreSQL connection string to test against PostgreSQL")
            import psycopg2

            schema = "portout_" + uuid.uuid4().hex[:16]
            with psycopg2.connect(server) as db, db.cursor() as cursor:
                cursor.execute(f"CREATE SCHEMA {schema}")
            schemas.append(schema)
            where = f"{server}{'&' if '?' in server else '?'}options=-csearch_path%3D{schema}"
        else:
            raise ValueError("backend is 'sqlite' or 'postgresql'")
        locations[(backend, name)] = where
        return where

    def make(*, role: str = "StoreAdmin", actor: str = "test-admin",
             tenant_scope: str | list[str] | None = None, backend: str = "sqlite",
             name: str = "store") -> Store:
        store = Store.open(location_of(backend, name), key_file=folder / f"{name}.key",
                           profile="test", allow_test_profile=True, actor=actor, role=role,
                           tenant_scope=tenant_scope)
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()
    if schemas:
        import psycopg2

        with psycopg2.connect(server) as db, db.cursor() as cursor:
            for schema in schemas:
                cursor.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def portout_store(portout_store_factory: StoreFactory) -> Store:
    """A temporary SQLite store, test hash profile, as a StoreAdmin."""
    return portout_store_factory()


@pytest.fixture
def portout_session(portout_store: Store) -> Iterator[PortOutSession]:
    """The cmdlets' default session, connected to this test's own store (portout_store: a
    StoreAdmin, the test hash profile) for the test; the default before it is put back after."""
    with sessions.using(PortOutSession(portout_store)) as session:
        yield session


@pytest.fixture
def portout_tenant_factory(portout_store: Store) -> TenantFactory:
    """Make tenants: ``factory("fabrikam.example", pin="602917", country_or_region="US")``."""

    def make(tenant_id: str = "contoso.example", *, display_name: str | None = None,
             country_or_region: str = "US", pin: str | None = None,
             store: Store | None = None) -> str:
        target = store or portout_store
        tenant = target.create_tenant(tenant_id, display_name or tenant_id, country_or_region)
        if pin is not None:
            target.set_pin(tenant.tenant_id, pin)
        return tenant.tenant_id

    return make


@pytest.fixture
def portout_tenant(portout_tenant_factory: TenantFactory) -> str:
    """The id of a US tenant, contoso.example, without a PIN."""
    return portout_tenant_factory()



@pytest.fixture
def portout_webhook_receiver() -> Iterator[WebhookReceiver]:
    """A webhook receiver on 127.0.0.1, closed after the test."""
    with WebhookReceiver() as receiver:
        yield receiver
