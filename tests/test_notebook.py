"""The example notebooks, executed headlessly as an analyst and an auditor would run them: on
Debian's default "python3" kernel (/usr/bin/python3), from the folder they are in."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import portout

REPO = Path(__file__).resolve().parent.parent
KERNEL = "portout-build-venv"


EXAMPLES = REPO / "docs/examples"


def _run_example(name: str) -> nbformat.NotebookNode:
    """As Jupyter runs it: the kernel its metadata names (Debian's default, /usr/bin/python3,
    which does not have the build's portout installed) in the notebook's own folder."""
    notebook = nbformat.read(EXAMPLES / name, as_version=4)
    assert notebook.metadata.kernelspec.name == "python3"
    NotebookClient(notebook, timeout=300, resources={"metadata": {"path": str(EXAMPLES)}}).execute()
    return notebook


@pytest.fixture(scope="module")
def executed() -> nbformat.NotebookNode:
    return _run_example("explore.ipynb")


@pytest.fixture(scope="module")
def audited() -> nbformat.NotebookNode:
    return _run_example("audit.ipynb")


def _outputs(notebook: nbformat.NotebookNode, kind: str) -> list[str]:
    found = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and kind == "text":
                found.append(output["text"])
            elif kind in output.get("data", {}):
                found.append(output["data"][kind])
    return found


@pytest.mark.parametrize("name", ["executed", "audited"])
def test_they_run_on_debians_default_kernel_without_errors(name: str,
                                                           request: pytest.FixtureRequest) -> None:
    notebook = request.getfixturevalue(name)
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            assert output.get("output_type") != "error", output
            assert output.get("name") != "stderr", f"a warning where the reader looks: {output}"
    assert "Python 3" in notebook.cells[0].source and "/usr/bin/python3" in notebook.cells[0].source
    assert f"portout {portout.__version__} on /usr/bin/python3" in "".join(
        o.get("text", "") for o in notebook.cells[1].outputs)


def test_it_tells_what_an_analyst_asks(executed: nbformat.NotebookNode) -> None:
    text = "".join(_outputs(executed, "text"))
    assert "24 tenants" in text
    assert "with a PIN" in text and "failed checks:" in text
    assert "Completed" in text and "Confirmed" in text


def test_lists_show_as_tables_and_never_a_secret(executed: nbformat.NotebookNode) -> None:
    html = "\n".join(_outputs(executed, "text/html"))
    assert "<b>24 Tenants</b>" in html
    assert "AuditVerification" in html and "is_valid" in html
    assert "succeeded" not in html  # a listing's table says it all
    for cell in executed.cells:
        assert "pin_record" not in str(cell.get("outputs", ""))


def test_it_plots_requests_on_a_real_date_axis(executed: nbformat.NotebookNode) -> None:
    assert _outputs(executed, "image/png"), "no plot was drawn"
    text = "".join(_outputs(executed, "text"))
    days, without = re.search(r"(\d+) days, (\d+) without requests", text).groups()
    assert int(days) >= 30 and int(without) >= 4, "days without requests stay on the axis"
    plot = next(c.source for c in executed.cells if "plot_by_day(per_day" in c.source)
    assert "every_day(" in plot and "bbox_to_anchor" in plot and "kind='bar'" not in plot


def test_the_auditor_proves_the_chain_and_reads_it(audited: nbformat.NotebookNode) -> None:
    text = "".join(_outputs(audited, "text"))
    plain = "\n".join("".join(p) if isinstance(p, list) else p for p in _outputs(audited, "text/plain"))
    html = "\n".join(_outputs(audited, "text/html"))
    assert "role='Auditor'" in plain and "16 tenants (16 US, 16 with a PIN" in plain
    assert "is_valid=True" in plain and "checkpoints_checked=1" in plain
    assert "Test-PortOutAuditLog: 100%" in plain, "the verification's bar, redrawn in place"
    assert "'orders@fabrikam.example': 21" in text, "the guessing carrier stands out"
    assert "3 lockouts, 1 lifted by an admin" in text
    assert "still frozen" in plain and "lifted" in plain
    assert len(_outputs(audited, "image/png")) == 2, "failed checks by day, and the freezes"
    assert "AccessDenied,Enable-PortOutFreeze" in html and "The role Auditor may not" in html
    pins = [f"{603100 + 37 * i}" for i in range(16)]  # the sample's PINs
    shown = str([cell.get("outputs", "") for cell in audited.cells])
    assert not [pin for pin in pins if pin in shown], "no PIN is ever shown"


def test_record_lists_cap_their_rows_and_export_to_pandas(store: portout.Store) -> None:
    for i in range(60):
        store.create_tenant(f"t{i:02d}.example", f"T{i}")
    tenants = portout.RecordList(store.tenants())
    html = tenants._repr_html_()
    assert html.count("<tr>") == 1 + portout.display.MAX_ROWS
    assert "10 more rows of 60" in html and "6 more columns: to_pandas() has them all" in html
    frame = tenants.to_pandas()
    assert list(frame.columns) == list(portout.Tenant._fields)
    assert len(frame) == 60 and frame.tenant_id.iloc[0] == "t00.example"
    assert "<b>Tenant</b>" in store.get_tenant("t00.example")._repr_html_()
    assert portout.RecordList()._repr_html_() == "<i>no records</i>"


PROGRESS_CELLS = [
    """import portout, tempfile, os
folder = tempfile.mkdtemp()
store = portout.Store.open(os.path.join(folder, "s.db"), profile="test", allow_test_profile=True,
                           create=True, actor="analyst@contoso.com")
for i in range(300):
    store.create_tenant(f"t{i}.example", "T")
print(portout.progress.widgets_available(), store.verify_audit(progress=True).event_count)""",
    # The cmdlets' own bar, unasked, once the work lasts: here at once.
    """portout.progress.DELAY = 0
portout.connect_port_out_store(store.path, hash_profile="test", allow_test_profile=True)
out = portout.set_port_out_pin([f"t{i}.example" for i in range(40)], pin="602917")
print(out.succeeded, "PINs set")""",
    """print(store.verify_audit(progress=False).is_valid)""",
]


def test_progress_in_a_notebook_is_one_bar_redrawn_in_place() -> None:
    subprocess.run([sys.executable, "-m", "ipykernel", "install", "--sys-prefix", "--name", KERNEL,
                    "--display-name", "portout (build/venv)"], check=True, capture_output=True)
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in PROGRESS_CELLS])
    NotebookClient(notebook, kernel_name=KERNEL, timeout=120).execute()
    verify, cmdlet, refused = (cell.outputs for cell in notebook.cells)

    def displays(outputs: list) -> list[dict]:
        return [o["data"] for o in outputs if o.get("output_type") == "display_data"]

    def streams(outputs: list, name: str) -> str:
        return "".join(o["text"] for o in outputs if o.get("output_type") == "stream"
                       and o.get("name") == name)

    # Debian 12's ipywidgets (6) is not one today's front ends read: the cell's own bar.
    assert "False 301" in streams(verify, "stdout")
    [bar] = displays(verify)  # one display, redrawn in place, not a hundred
    assert '<progress value="301" max="301">' in bar["text/html"]
    assert "Verifying the audit chain" in bar["text/html"] and "301 of 301 events (100%)" in bar["text/html"]
    assert "100%" in bar["text/plain"] and "301/301" in bar["text/plain"], "its plain-text form"
    assert streams(verify, "stderr") == ""
    [bar] = displays(cmdlet)
    assert "Set-PortOutPin" in bar["text/html"] and "40 of 40 targets" in bar["text/html"]
    assert "40 PINs set" in streams(cmdlet, "stdout")
    assert displays(refused) == [] and streams(refused, "stderr") == ""
