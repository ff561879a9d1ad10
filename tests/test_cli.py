"""The command-line host, run as a user runs it: the installed console script."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import portout

PORTOUT = Path(sys.executable).with_name("portout")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(PORTOUT), *args], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONWARNINGS": "error"})


def test_the_console_script_is_installed() -> None:
    assert PORTOUT.exists(), "pip did not install the portout entry point"


def test_version() -> None:
    done = run("--version")
    assert done.returncode == 0
    assert done.stdout == f"portout {portout.__version__}\n"
    assert done.stderr == ""


def test_help_lists_topics() -> None:
    done = run("help")
    assert done.returncode == 0
    assert "about_PortOutPin" in done.stdout and "about_PortOutErrors" in done.stdout


@pytest.mark.parametrize("topic", ["about_PortOutPin", "ABOUT_portoutpin"])
def test_help_topic_is_case_insensitive(topic: str) -> None:
    done = run("help", topic)
    assert done.returncode == 0
    assert "6 to 10 characters" in done.stdout
    for rule in portout.PIN_RULES:
        assert rule in done.stdout


def test_help_on_errors_names_every_category() -> None:
    done = run("help", "about_PortOutErrors")
    assert done.returncode == 0
    for category in portout.errors.CATEGORIES:
        assert category in done.stdout


@pytest.mark.parametrize("args", [[], ["Frobnicate-PortOut"], ["help", "about_Nothing"],
                                  ["help", "a", "b"], ["--version", "extra"]])
def test_usage_errors_exit_two(args: list[str]) -> None:
    done = run(*args)
    assert done.returncode == 2
    assert done.stdout == ""
    assert "Usage:" in done.stderr or "portout help" in done.stderr


@pytest.mark.parametrize("args", [["602917"], ["help", "602917"], ["--pin=602917"]])
def test_words_that_could_be_a_pin_are_never_echoed(args: list[str]) -> None:
    done = run(*args)
    assert done.returncode == 2
    assert "602917" not in done.stdout + done.stderr


def test_module_entry_point() -> None:
    done = subprocess.run([sys.executable, "-m", "portout", "--version"], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0 and portout.__version__ in done.stdout
