"""Long work reports as it goes: to a function given as progress=, and as a bar where a person
watches (a terminal; a notebook, in test_notebook.py). Reported: the README promised progress=
on long operations, but cmdlets refused it and Store.verify_audit called back once, at the end.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

import portout
from conftest import logical_digest
from portout import progress as progress_module


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _recorder() -> tuple[list[tuple[int, int | None]], object]:
    seen: list[tuple[int, int | None]] = []
    return seen, lambda done, total: seen.append((done, total))


def _as_it_goes(seen: list[tuple[int, int | None]], total: int) -> None:
    """At every hundredth at least, counting up, the total known from the start, ending full."""
    assert len(seen) >= min(total, 100), f"{len(seen)} reports for {total}"
    dones = [d for d, _ in seen]
    assert dones == sorted(set(dones)), "counting up, each count once"
    assert all(t == total for _, t in seen), "the total is known before the work"
    assert max(b - a for a, b in zip([0, *dones], dones)) <= max(total // 100, 1)
    assert seen[-1] == (total, total)


@pytest.fixture
def session(location: str, clock: portout.ManualClock, key_file: Path,
            monkeypatch: pytest.MonkeyPatch) -> portout.PortOutSession:
    monkeypatch.setenv("PORTOUT_KEY_FILE", str(key_file))  # a PostgreSQL store needs it named
    s = portout.connect_port_out_store(location, create=True, hash_profile="test",
                                       allow_test_profile=True, actor="admin@contoso.com")
    yield s
    portout.disconnect_port_out_store()


@pytest.fixture
def busy_store(tmp_path: Path) -> portout.Store:
    store = portout.Store.open(str(tmp_path / "busy.db"), profile="test", allow_test_profile=True,
                               create=True, actor="admin@contoso.com")
    for i in range(400):
        store.create_tenant(f"t{i}.example", f"Tenant {i}")
    for i in range(60):
        store.set_pin(f"t{i}.example", f"60{1000 + i}")
    yield store
    store.close()


def test_verify_audit_reports_as_it_walks(busy_store: portout.Store) -> None:
    seen, record = _recorder()
    result = busy_store.verify_audit(progress=record)
    assert result.is_valid
    _as_it_goes(seen, result.event_count)


def test_rotation_and_copy_report_as_they_go(busy_store: portout.Store, tmp_path: Path) -> None:
    seen, record = _recorder()
    report = busy_store.rotate_key(tmp_path / "new.key", batch_size=25, progress=record)
    assert report.records_rotated == 60
    _as_it_goes(seen, 60)

    seen.clear()
    copy = busy_store.copy_to(tmp_path / "copy.db", progress=record)
    _as_it_goes(seen, sum(copy.rows.values()))


def test_cmdlets_take_progress(session: portout.PortOutSession) -> None:
    for i in range(30):
        portout.new_port_out_tenant(f"t{i}.example", "T")
    seen, record = _recorder()
    names = [f"t{i}.example" for i in range(30)]
    output = portout.set_port_out_pin(names, pin="602917", progress=record)
    assert output.succeeded == 30
    assert seen == [(n, 30) for n in range(1, 31)], "one report a target, in order"

    seen.clear()
    result = portout.test_port_out_audit_log(progress=record)
    assert result.is_valid
    _as_it_goes(seen, result.event_count)

    # Stop runs targets one at a time; they report the same.
    seen.clear()
    portout.set_port_out_pin(names[:5], pin="602918", error_action="Stop", progress=record)
    assert seen == [(n, 5) for n in range(1, 6)]


def test_a_wrong_progress_is_a_type_error_and_changes_nothing(session: portout.PortOutSession,
                                                              location: str) -> None:
    portout.new_port_out_tenant("contoso.com", "Contoso")
    before = logical_digest(location)
    for wrong in ("yes", 5, ["a"]):
        with pytest.raises(TypeError, match=r"progress= takes a function \(done, total\), True"):
            portout.set_port_out_pin("contoso.com", pin="602917", progress=wrong)
        with pytest.raises(TypeError, match="progress="):
            session.store.verify_audit(progress=wrong)
    assert logical_digest(location) == before


def test_an_exception_in_the_callback_stops_the_work_and_comes_out(busy_store: portout.Store,
                                                                    tmp_path: Path) -> None:
    def interrupt(done: int, total: int | None) -> None:
        if done > 50:
            raise KeyboardInterrupt  # Ctrl-C in a notebook lands in the callback

    with pytest.raises(KeyboardInterrupt):
        busy_store.verify_audit(progress=interrupt)
    with pytest.raises(KeyboardInterrupt):
        busy_store.copy_to(tmp_path / "copy.db", progress=interrupt)
    assert busy_store.verify_audit().is_valid
    # The interrupted copy wrote nothing: the destination takes a copy still.
    assert busy_store.copy_to(tmp_path / "copy.db").audit.is_valid


def test_bars_show_where_a_person_watches(busy_store: portout.Store,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress_module, "DELAY", 0.0)
    # Nobody watching: nothing, and the core is not even called back.
    quiet = portout.progress.Tracker(None, "Verifying", "event", io.StringIO())
    assert quiet.native is None
    # A terminal: a bar, gone when the work ends.
    terminal = _Terminal()
    with portout.progress.Tracker(None, "Verifying", "event", terminal) as track:
        busy_store._native.verify_audit(track.native, [])
    drawn = terminal.getvalue()
    assert "Verifying" in drawn and "event" in drawn and "100%" in drawn
    # Asked for, where nobody watches: drawn anyway. Refused, on a terminal: nothing.
    log = io.StringIO()
    with portout.progress.Tracker(True, "Verifying", "event", log) as track:
        track(5, 10)
        track(10, 10)
    assert "10/10" in log.getvalue()
    refused = _Terminal()
    with portout.progress.Tracker(False, "Verifying", "event", refused) as track:
        assert track.native is None
        track(10, 10)
    assert refused.getvalue() == ""


def test_a_bar_waits_for_work_that_lasts(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [100.0]
    monkeypatch.setattr(progress_module.time, "monotonic", lambda: clock[0])
    terminal = _Terminal()
    with portout.progress.Tracker(None, "Set-PortOutPin", "target", terminal) as track:
        track(1, 200)
        assert terminal.getvalue() == "", "short work draws nothing"
        clock[0] += progress_module.DELAY
        track(2, 200)
        assert "Set-PortOutPin" in terminal.getvalue()


def test_the_host_draws_on_a_terminal_only(session: portout.PortOutSession,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress_module, "DELAY", 0.0)
    for i in range(20):
        portout.new_port_out_tenant(f"t{i}.example", "T")
    names = [f"t{i}.example" for i in range(20)]
    terminal = portout.Host(out=io.StringIO(), err=_Terminal())
    portout.set_port_out_pin(names, pin="602917", host=terminal)
    assert "Set-PortOutPin" in terminal.err.getvalue() and "20/20" in terminal.err.getvalue()
    piped = portout.Host(out=io.StringIO(), err=io.StringIO())
    portout.set_port_out_pin(names, pin="602918", host=piped)
    assert "Set-PortOutPin" not in piped.err.getvalue()
