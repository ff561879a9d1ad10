"""The example notebook, executed headlessly as an analyst would run it, on the project's Python."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import portout

REPO = Path(__file__).resolve().parent.parent
KERNEL = "portout-build-venv"


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> nbformat.NotebookNode:
    # A kernel that runs this interpreter (build/venv), where portout is installed.
    subprocess.run([sys.executable, "-m", "ipykernel", "install", "--sys-prefix", "--name", KERNEL,
                    "--display-name", "portout (build/venv)"], check=True, capture_output=True)
    notebook = nbformat.read(REPO / "docs/examples/explore.ipynb", as_version=4)
    folder = tmp_path_factory.mktemp("notebook")
    NotebookClient(notebook, kernel_name=KERNEL, timeout=300,
                   resources={"metadata": {"path": str(folder)}}).execute()
    return notebook


def _outputs(notebook: nbformat.NotebookNode, kind: str) -> list[str]:
    found = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and kind == "text":
                found.append(output["text"])
            elif kind in output.get("data", {}):
                found.append(output["data"][kind])
    return found


def test_it_runs_without_errors(executed: nbformat.NotebookNode) -> None:
    for cell in executed.cells:
        for output in cell.get("outputs", []):
            assert output.get("output_type") != "error", output


def test_it_tells_what_an_analyst_asks(executed: nbformat.NotebookNode) -> None:
    text = "".join(_outputs(executed, "text"))
    assert "24 tenants" in text
    assert "with a PIN" in text and "failed checks:" in text
    assert "Submitted" in text or "Completed" in text


def test_lists_show_as_tables_and_never_a_secret(executed: nbformat.NotebookNode) -> None:
    html = "\n".join(_outputs(executed, "text/html"))
    assert "<b>24 Tenants</b>" in html
    assert "AuditVerification" in html and "is_valid" in html
    assert "succeeded" not in html  # a listing's table says it all
    for cell in executed.cells:
        assert "pin_record" not in str(cell.get("outputs", ""))


def test_it_plots_requests_over_time(executed: nbformat.NotebookNode) -> None:
    assert _outputs(executed, "image/png"), "no plot was drawn"


def test_record_lists_cap_their_rows_and_export_to_pandas(store: portout.Store) -> None:
    for i in range(60):
        store.create_tenant(f"t{i:02d}.example", f"T{i}")
    tenants = portout.RecordList(store.tenants())
    html = tenants._repr_html_()
    assert html.count("<tr>") == 1 + portout.display.MAX_ROWS
    assert "10 more rows of 60" in html and "2 more columns: to_pandas() has them all" in html
    frame = tenants.to_pandas()
    assert list(frame.columns) == list(portout.Tenant._fields)
    assert len(frame) == 60 and frame.tenant_id.iloc[0] == "t00.example"
    assert "<b>Tenant</b>" in store.get_tenant("t00.example")._repr_html_()
    assert portout.RecordList()._repr_html_() == "<i>no records</i>"
