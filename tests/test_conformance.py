"""The conformance corpus: scripts written as tenant admins write them (tests/scripts/), run with
`portout -File` from a shell without a terminal, their output compared with what is expected
(NAME.out, and NAME.err when the script writes warnings or errors), line by line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import portout

HERE = Path(__file__).parent / "scripts"
PORTOUT = Path(sys.executable).with_name("portout")

#: Each script, its arguments and the exit code it should end with.
CORPUS = {
    "bulk-pin-rollout": (["-CsvPath", str(HERE / "bulk-pin-rollout.csv"), "-ReportPath", "report.csv"], 1),
    "lockout-report": ([], 0),
    "audit-export": (["-Tenant", "contoso.com"], 0),
    "order-review": ([], 0),
    "policy-tightening": (["-MinimumLength", "8"], 0),
}


@pytest.fixture
def provider(tmp_path: Path) -> dict[str, str]:
    """A provider's store: four tenants in every state the scripts look at."""
    store, key = tmp_path / "store.db", tmp_path / "store.key"
    with portout.Store.open(store, key_file=key, profile="test", allow_test_profile=True,
                            actor="admin@provider.example") as s:
        for tenant, name, country in (("contoso.com", "Contoso", "US"), ("fabrikam.com", "Fabrikam", "US"),
                                      ("northwind.co.uk", "Northwind", "GB"), ("woodgrove.com", "Woodgrove", "US")):
            s.create_tenant(tenant, name, country)
        s.set_pin("contoso.com", "602917")
        s.set_pin("fabrikam.com", "481605")
        s.set_pin("woodgrove.com", "735284")
        s.add_phone_number("contoso.com", "+14255550100")
        s.add_phone_number("contoso.com", "+14255550101")
        s.add_phone_number("fabrikam.com", "+12065550100")
    with portout.Store.open(store, key_file=key, allow_test_profile=True, actor="carrier@gaining.example",
                            role="Carrier") as carrier:
        carrier.submit_order("contoso.com", ["+14255550100", "+14255550101"], "602917", "Gaining Telecom")
        carrier.submit_order("fabrikam.com", "+12065550100", "481605", "Gaining Telecom")
        for wrong in ("111111", "222222"):
            carrier.submit_order("contoso.com", "+14255550100", wrong, "Gaining Telecom")
        for wrong in ("111111", "222222", "333333", "444444", "555555"):
            carrier.submit_order("woodgrove.com", "+14255550199", wrong, "Gaining Telecom")
    with portout.Store.open(store, key_file=key, allow_test_profile=True, actor="admin@fabrikam.com") as s:
        s.set_freeze("fabrikam.com", True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTOUT_")}
    env.update(PORTOUT_STORE=str(store), PORTOUT_KEY_FILE=str(key), PORTOUT_HASH_PROFILE="test",
               PORTOUT_ALLOW_TEST_PROFILE="1", PORTOUT_ACTOR="admin@provider.example", COLUMNS="100")
    return env


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_the_corpus(provider: dict[str, str], tmp_path: Path, name: str) -> None:
    arguments, code = CORPUS[name]
    done = subprocess.run([str(PORTOUT), "-File", str(HERE / f"{name}.ps1"), *arguments], capture_output=True,
                          text=True, timeout=120, env=provider, cwd=tmp_path, stdin=subprocess.DEVNULL)
    if os.environ.get("PORTOUT_UPDATE_CORPUS"):  # write what it gives, to be read over line by line
        (HERE / f"{name}.out").write_text(done.stdout)
        if done.stderr:
            (HERE / f"{name}.err").write_text(done.stderr)
        pytest.skip(f"wrote {name}.out (exit {done.returncode})")
    expected_out = (HERE / f"{name}.out").read_text()
    expected_err_file = HERE / f"{name}.err"
    expected_err = expected_err_file.read_text() if expected_err_file.exists() else ""
    assert done.stdout.splitlines() == expected_out.splitlines(), done.stderr
    assert done.stderr.splitlines() == expected_err.splitlines()
    assert done.returncode == code
