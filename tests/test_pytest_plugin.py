"""The pytest plugin, used as a user's project would: from the installed package, in a subprocess."""

from __future__ import annotations

import pytest

from conftest import POSTGRES

USER_TESTS = '''
import pytest
import portout


def test_the_store_and_the_tenant(portout_store, portout_tenant):
    tenant = portout_store.get_tenant(portout_tenant)
    assert (tenant.tenant_id, tenant.country_or_region, tenant.pin_is_set) == (
        "contoso.example", "US", False)
    assert portout_store.role == "StoreAdmin" and portout_store.profile == "test"


def test_variants(portout_store, portout_store_factory, portout_tenant_factory):
    tenant = portout_tenant_factory("fabrikam.example", pin="602917")
    assert portout_store.pin_status(tenant).pin_is_set
    portout_store.add_phone_number(tenant, "+1 425 555 0100")
    carrier = portout_store_factory(role="Carrier", actor="orders@northwind.example")
    order = carrier.submit_order(tenant, ["+14255550100"], "602917", "Northwind")
    assert order.status == "PendingReview"
    with pytest.raises(portout.PermissionDeniedError):
        carrier.pin_status(tenant)
    auditor = portout_store_factory(role="Auditor", tenant_scope=[tenant])
    assert [t.tenant_id for t in auditor.tenants()] == ["fabrikam.example"]
    other = portout_store_factory(name="other")
    assert other.store_id != portout_store.store_id


def test_a_store_of_each_test_is_its_own(portout_store):
    assert list(portout_store.tenants()) == []
'''


CMDLET_TESTS = '''
import pytest
import portout


def test_cmdlet_automation(portout_session, portout_tenant):
    portout.set_port_out_pin(portout_tenant, pin="602917")
    assert portout.test_port_out_pin(portout_tenant, pin="602917")
    assert portout.get_port_out_pin(portout_tenant).pin_is_set
    assert portout_session.role == "StoreAdmin" and portout_session.hash_profile == "test"


def test_each_test_has_its_own_store(portout_session):
    assert list(portout.get_port_out_tenant()) == []


def test_another_role_through_session(portout_session, portout_tenant, portout_store_factory):
    auditor = portout_store_factory(role="Auditor")
    assert portout.get_port_out_tenant(portout_tenant, session=auditor).tenant_id == portout_tenant
    with pytest.raises(portout.PermissionDeniedError):
        portout.set_port_out_pin(portout_tenant, pin="602917", session=auditor)


def test_session_takes_a_store_or_says_what_it_takes(portout_store, portout_tenant):
    assert portout.get_port_out_tenant(portout_tenant, session=portout_store).tenant_id == portout_tenant
    with pytest.raises(TypeError, match="session= takes a PortOutSession .* or a portout.Store, not int"):
        portout.get_port_out_tenant(portout_tenant, session=42)


def test_without_the_fixture_the_error_names_it(portout_tenant):
    with pytest.raises(portout.InvalidOperationError, match="portout_session fixture"):
        portout.get_port_out_tenant(portout_tenant)
'''


WEBHOOK_TESTS = '''
import pathlib
import socket
import subprocess
import sys


def test_my_receiver_gets_portouts_webhooks(portout_store, portout_tenant, portout_webhook_receiver):
    hook = portout_store.new_webhook(portout_webhook_receiver.url, ["PinSet"])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([str(pathlib.Path(sys.executable).with_name("portout")), "serve",
                               "--store", portout_store.path, "--key-file", portout_store.key_file,
                               "--listen", f"127.0.0.1:{port}", "--allow-test-profile",
                               "--allow-private-webhooks", "--delivery-interval", "0.1"])
    try:
        portout_store.set_pin(portout_tenant, "602917")
        assert portout_webhook_receiver.wait(1, timeout=30)
        [event] = portout_webhook_receiver.events(hook.secret)
        assert event["type"] == "PinSet" and event["tenant_id"] == portout_tenant
        assert portout_webhook_receiver.events("whsec_not_the_secret") == []
    finally:
        server.terminate()
        server.wait(30)
'''


def test_a_users_suite_receives_the_servers_webhooks(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_hooks=WEBHOOK_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_the_fixtures_in_a_users_project(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user=USER_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)


def test_cmdlet_automation_under_the_fixtures(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_cmdlets=CMDLET_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=5)


def test_sessions_are_isolated_between_xdist_workers(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_many="\n".join(
        f"def test_{i}(portout_session, portout_tenant_factory):\n"
        f"    import portout\n"
        f"    portout_tenant_factory('t{i}.example')\n"
        f"    assert [t.tenant_id for t in portout.get_port_out_tenant()] == ['t{i}.example']\n"
        for i in range(12)))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2")
    result.assert_outcomes(passed=12)


def test_the_default_session_is_put_back_after_the_fixture(pytester: pytest.Pytester, tmp_path) -> None:
    pytester.makepyfile(test_restore=f'''
import pytest
import portout

@pytest.fixture(scope="module")
def mine():
    with portout.connect_port_out_store({str(tmp_path / "mine.db")!r}, create=True, hash_profile="test",
                                        allow_test_profile=True) as session:
        portout.new_port_out_tenant("mine.example", "Mine")
        yield session

def test_first(mine, portout_session):
    assert list(portout.get_port_out_tenant()) == []

def test_after(mine):
    assert [t.tenant_id for t in portout.get_port_out_tenant()] == ["mine.example"]
''')
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_the_fixtures_are_documented(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--fixtures", "-p", "no:cacheprovider")
    for name in ("portout_store", "portout_session", "portout_tenant", "portout_store_factory",
                 "portout_tenant_factory", "portout_webhook_receiver"):
        result.stdout.fnmatch_lines([f"{name}*"])


@pytest.mark.skipif(not POSTGRES, reason="no PostgreSQL server (scripts/test starts one)")
def test_a_postgresql_store_from_the_ini_option(pytester: pytest.Pytester,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PORTOUT_TEST_POSTGRES")
    pytester.makeini(f"[pytest]\nportout_postgres = {POSTGRES}\n")
    pytester.makepyfile(test_shared='''
def test_shared(portout_store_factory):
    store = portout_store_factory(backend="postgresql")
    assert store.path.startswith("postgresql://")
    store.create_tenant("contoso.example", "Contoso")
    assert [t.tenant_id for t in store.tenants()] == ["contoso.example"]
''')
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_without_a_server_the_postgresql_variant_skips(pytester: pytest.Pytester,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PORTOUT_TEST_POSTGRES", raising=False)
    pytester.makepyfile(test_shared='''
def test_shared(portout_store_factory):
    portout_store_factory(backend="postgresql")
''')
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*portout_postgres*"])


FAILING_WITH_A_PIN = '''
import portout

def secret():  # a PIN the test's own lines never spell out
    return "7352" + "9184"

def test_a_wrong_call(portout_store, portout_tenant):
    portout_store.set_pin(portout_tenant, secret())
    portout_store.check_pin("nosuch tenant!", secret())

def test_a_wrong_order(portout_store, portout_tenant):
    portout_store.submit_order(portout_tenant, "not a number", secret(), "Carrier")

def test_a_wrong_cmdlet_call(portout_store, portout_tenant):
    portout.set_port_out_pin(portout_tenant, pin=secret()[:3], session=portout.session.connect(portout_store))
'''


def test_a_failing_test_shows_no_pin(pytester: pytest.Pytester) -> None:
    """pytest shows the arguments of every frame of a failure: no frame of portout's that holds
    a PIN is among them, whatever the traceback style."""
    pytester.makepyfile(test_user=FAILING_WITH_A_PIN)
    for style in ("auto", "long", "short", "native"):
        result = pytester.runpytest_subprocess("-p", "no:cacheprovider", f"--tb={style}")
        result.assert_outcomes(failed=3)
        text = result.stdout.str() + result.stderr.str()
        assert "73529184" not in text and "'735'" not in text, f"a PIN in the failure output (--tb={style})"
