"""The package as installed: metadata, stubs, and a fresh offline install outside the repo."""

from __future__ import annotations

import ast
import importlib.metadata
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

import portout
import portout._core

REPO = Path(__file__).resolve().parent.parent


def test_imported_from_the_installed_package_not_the_source_tree() -> None:
    assert REPO / "bindings" not in Path(portout.__file__).resolve().parents


def test_versions_agree() -> None:
    assert portout.__version__ == importlib.metadata.version("portout")


def test_stubs_and_marker_are_installed() -> None:
    package = Path(portout.__file__).parent
    assert (package / "py.typed").is_file()
    assert (package / "_core.pyi").is_file()


def _stub_names() -> set[str]:
    tree = ast.parse((Path(portout.__file__).parent / "_core.pyi").read_text())
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def test_stubs_cover_every_public_name_of_the_extension() -> None:
    public = {n for n in dir(portout._core) if not n.startswith("_")} | {"__version__"}
    assert public == _stub_names()


def test_every_name_in_all_exists() -> None:
    for name in portout.__all__:
        assert hasattr(portout, name), name


@pytest.mark.slow
def test_fresh_venv_install_imports_outside_the_repo(tmp_path: Path) -> None:
    wheel = os.environ.get("PORTOUT_WHEEL")
    if not wheel:
        dist = tmp_path / "dist"
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-build-isolation", "--no-index",
                        "--no-deps", "-w", str(dist), str(REPO)], check=True, capture_output=True)
        wheel = str(next(dist.glob("portout-*.whl")))
    env_dir = tmp_path / "env"
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    # Debian's pip, run by the new environment's interpreter: no network, no index.
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-index", "--no-deps", wheel],
                   check=True, capture_output=True, text=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    probe = ("import portout, pathlib; "
             "print(portout.__version__); print(pathlib.Path(portout.__file__).resolve()); "
             "print(portout.PinPolicy().is_valid('602917'))")
    done = subprocess.run([str(python), "-c", probe], cwd=elsewhere, capture_output=True,
                          text=True, check=True, env={**os.environ, "PYTHONPATH": ""})
    version, location, valid = done.stdout.split("\n")[:3]
    assert version == portout.__version__
    assert Path(location).is_relative_to(env_dir)
    assert valid == "True"
    cli = subprocess.run([str(env_dir / "bin" / "portout"), "--version"], cwd=elsewhere,
                         capture_output=True, text=True, check=True)
    assert cli.stdout.strip() == f"portout {portout.__version__}"


@pytest.mark.slow
def test_mypy_strict_passes_on_the_scripts_and_examples(tmp_path: Path) -> None:
    """The public API is typed well enough for a user's strictly checked script."""
    done = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(REPO / "build/mypy-cache")],
                          cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success: no issues found" in done.stdout


def test_a_mistyped_call_is_caught_by_mypy(tmp_path: Path) -> None:
    script = tmp_path / "wrong.py"
    script.write_text("import portout\n"
                      "store = portout.Store.open('x.db')\n"
                      "store.set_pin('contoso.example', 602917)\n"
                      "status: portout.Tenant = store.pin_status('contoso.example')\n")
    done = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--cache-dir",
                           str(REPO / "build/mypy-cache"), str(script)],
                          cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 1
    assert 'Argument 2 to "set_pin" of "Store" has incompatible type "int"' in done.stdout
    assert "Incompatible types in assignment" in done.stdout
