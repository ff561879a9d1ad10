"""docs/porting.md and its picture agree with the code and with each other.

The lifecycle's source (docs/images/order-lifecycle.dot) names exactly the order's states; the
SVG beside it was rendered from that source (the same nodes and edges: Graphviz titles each
node by its name and each edge "From&#45;&gt;To"); the page names every reason code a carrier
is told and every porting setting of Set-PortOutPinPolicy, shows the picture, and lists the
denial and cancellation reasons the cmdlets take. No Graphviz is needed to run these tests:
scripts/generate renders the SVG.
"""

from __future__ import annotations

import html
import inspect
import re
from collections import Counter
from pathlib import Path

import pytest

import portout
from portout import commands, order_commands

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "porting.md"
DOT = ROOT / "docs" / "images" / "order-lifecycle.dot"
SVG = ROOT / "docs" / "images" / "order-lifecycle.svg"

STATES = {"PendingReview", "Approved", "Denied", "Confirmed", "Completed", "Rejected", "Cancelled"}
START = "request"  # the start node: a request before it is an order

CARRIER_CODES = (
    "PinRequired", "PinNotAccepted", "PortOutFrozen", "AccountNumberMismatch", "PostalCodeMismatch",
    "AuthorizedNameMismatch", "NumberNotOwned", "NumberInOpenOrder", "FullPortIncomplete",
    "PartialPortNotAllowed",
)
# Set-PortOutPinPolicy parameter -> Store.set_policy keyword, as the page's table gives them.
POLICY = {
    "MaxFailedAttempts": "max_failed_attempts",
    "LockoutDuration": "lockout_duration",
    "MaxLockoutDuration": "max_lockout_duration",
    "TenantMaxFailures": "tenant_max_failures",
    "FailureWindow": "failure_window",
    "ReviewWindow": "review_window",
    "ReviewDeadlineAction": "review_deadline_action",
    "MinFocBusinessDays": "min_foc_business_days",
    "MaxFocDays": "max_foc_days",
    "CancelCutoff": "cancel_cutoff",
    "Holidays": "holidays",
}

_ID = r"[A-Za-z_][A-Za-z0-9_]*"
_EDGE = re.compile(rf"^\s*({_ID})\s*->\s*({_ID})\b")
_NODE = re.compile(rf"^\s*({_ID})\s*(?:\[|;|$)")
_KEYWORDS = {"graph", "node", "edge", "digraph", "subgraph", "strict"}


def _dot_lines() -> list[str]:
    lines = []
    for line in DOT.read_text(encoding="utf-8").splitlines():
        line = line.split("//", 1)[0].rstrip()
        if line.strip():
            lines.append(line)
    return lines


def _dot_edges() -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in map(_EDGE.match, _dot_lines()) if m]


def _dot_nodes() -> set[str]:
    nodes = {name for edge in _dot_edges() for name in edge}
    for line in _dot_lines():
        if _EDGE.match(line):
            continue
        m = _NODE.match(line)
        if m and m.group(1) not in _KEYWORDS:
            nodes.add(m.group(1))
    return nodes


def _svg_titles() -> list[str]:
    text = SVG.read_text(encoding="utf-8")
    return [html.unescape(t) for t in re.findall(r"<title>(.*?)</title>", text, flags=re.S)]


def _section(heading: str) -> str:
    """The text under a Markdown heading, up to the next heading of any level (a line starting
    with "#" inside a fenced code block is no heading)."""
    lines: list[str] = []
    inside = fenced = False
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and re.match(r"#+ ", line):
            if inside:
                break
            inside = line.lstrip("#").strip() == heading
            continue
        if inside:
            lines.append(line)
    assert lines, f"docs/porting.md has no section {heading!r}"
    return "\n".join(lines) + "\n"


def _first_column(section: str) -> list[str]:
    """The first cell of each body row of the section's Markdown table, without backticks."""
    rows = [line for line in section.splitlines() if line.startswith("|")]
    assert len(rows) >= 3, "the section holds no table"
    return [row.split("|")[1].strip().strip("`") for row in rows[2:]]


# -- (a) the source names exactly the order's states -------------------------------------------

def test_the_dot_names_only_the_orders_states_and_the_start() -> None:
    assert _dot_nodes() - {START} <= STATES, f"not a state of an order: {_dot_nodes() - STATES - {START}}"
    assert STATES <= _dot_nodes(), f"states missing from the diagram: {STATES - _dot_nodes()}"
    assert START in _dot_nodes()


def test_the_dot_draws_the_transitions_the_code_makes() -> None:
    edges = set(_dot_edges())
    for edge in [(START, "PendingReview"), (START, "Rejected"), ("PendingReview", "Approved"),
                 ("PendingReview", "Denied"), ("PendingReview", "Confirmed"), ("Approved", "Confirmed"),
                 ("Confirmed", "Confirmed"), ("Confirmed", "Completed"), ("PendingReview", "Cancelled"),
                 ("Approved", "Cancelled"), ("Confirmed", "Cancelled")]:
        assert edge in edges, f"missing transition {edge[0]} -> {edge[1]}"
    finals = {"Rejected", "Denied", "Completed", "Cancelled"}
    assert not [e for e in edges if e[0] in finals], "a final state has a way out"
    assert not [e for e in edges if e[1] == START]


def test_the_statuses_are_those_the_cmdlets_know() -> None:
    # Submitted is the legacy status the page describes in words, not in the picture.
    assert STATES | {"Submitted"} == set(order_commands._STATUSES)


# -- (b) the SVG was rendered from this source --------------------------------------------------

def test_the_svg_is_an_svg_naming_every_state() -> None:
    text = SVG.read_text(encoding="utf-8")
    assert re.search(r"<svg\b", text) and "http://www.w3.org/2000/svg" in text
    for state in STATES:
        assert state in text, f"{state} is not in the SVG"


def test_the_svg_has_the_nodes_and_edges_of_the_dot() -> None:
    titles = _svg_titles()
    svg_edges = Counter(tuple(t.split("->", 1)) for t in titles if "->" in t)
    svg_nodes = {t for t in titles if "->" not in t} - {"order_lifecycle"}
    assert svg_nodes == _dot_nodes(), "the SVG's nodes are not the .dot's: run scripts/generate"
    assert svg_edges == Counter(_dot_edges()), "the SVG's edges are not the .dot's: run scripts/generate"


def test_the_svg_labels_name_the_cmdlets() -> None:
    text = html.unescape(SVG.read_text(encoding="utf-8"))
    for cmdlet in ("New-PortOutOrder", "Approve-PortOutOrder", "Deny-PortOutOrder", "Confirm-PortOutOrder",
                   "Set-PortOutOrder", "Complete-PortOutOrder", "Stop-PortOutOrder"):
        assert cmdlet in text, f"{cmdlet} labels no edge of the SVG"


# -- (c) the page -------------------------------------------------------------------------------

def test_the_page_links_the_picture_and_its_source() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert "![The lifecycle of a port-out order](images/order-lifecycle.svg)" in text
    assert "images/order-lifecycle.dot" in text and "scripts/generate" in text


def test_the_page_names_every_code_a_carrier_is_told() -> None:
    table = _first_column(_section("Told when a request is rejected"))
    assert table == list(CARRIER_CODES)
    text = DOC.read_text(encoding="utf-8")
    for code in CARRIER_CODES:
        assert code in text


def test_the_page_names_every_porting_setting() -> None:
    rows = _first_column(_section("The policy settings"))
    assert rows == list(POLICY)
    section = _section("The policy settings")
    for parameter, keyword in POLICY.items():
        assert re.search(rf"^\| {parameter} \| `{keyword}` \|", section, flags=re.M), parameter


def test_the_settings_are_those_of_the_cmdlet_and_the_method() -> None:
    cmdlet = next(c for c in commands.CMDLETS if (c.verb, c.noun) == ("Set", "PortOutPinPolicy"))
    declared = {p.name for p in cmdlet.parameters}
    assert set(POLICY) <= declared
    keywords = set(inspect.signature(portout.Store.set_policy).parameters)
    assert set(POLICY.values()) <= keywords


def test_the_request_fields_are_those_of_the_cmdlet_and_the_method() -> None:
    section = _section("The request's fields")
    cmdlet = next(c for c in commands.CMDLETS if (c.verb, c.noun) == ("New", "PortOutOrder"))
    names = {n for p in cmdlet.parameters for n in (p.name, *p.aliases)}
    keywords = set(inspect.signature(portout.Store.submit_order).parameters)
    rows = [line.split("|")[1:3] for line in section.splitlines() if line.startswith("| `-")]
    assert rows
    for cmdlet_cell, python_cell in rows:
        for name in re.findall(r"`-(\w+)`", cmdlet_cell):
            assert name in names, f"-{name} is no parameter of New-PortOutOrder"
        keyword = re.match(r"\s*`(\w+)`", python_cell)
        assert keyword and keyword.group(1) in keywords, f"{python_cell} is no keyword of submit_order"
    documented = {n for cell, _ in rows for n in re.findall(r"`-(\w+)`", cell)}
    assert {p.name for p in cmdlet.parameters} <= documented


# -- (d) the reasons the cmdlets take -----------------------------------------------------------

def test_the_denial_reasons_are_those_deny_takes() -> None:
    assert tuple(_first_column(_section("Denial reason codes"))) == order_commands._DENY_REASONS


def test_the_cancellation_reasons_are_those_stop_takes() -> None:
    assert tuple(_first_column(_section("Cancellation reason codes"))) == order_commands._CANCEL_REASONS


@pytest.mark.parametrize("reasons", [order_commands._DENY_REASONS, order_commands._CANCEL_REASONS])
def test_the_cmdlets_offer_the_same_reasons(reasons: tuple[str, ...]) -> None:
    offered = {p.choices for c in commands.CMDLETS for p in c.parameters if p.name == "Reason"}
    assert reasons in offered


# -- the example runs as written ----------------------------------------------------------------

def test_the_try_it_example_runs_and_prints_what_the_page_says(capsys: pytest.CaptureFixture[str]) -> None:
    section = _section("Try it")
    code = re.search(r"```python\n(.*?)```", section, flags=re.S)
    assert code, "the Try it section holds no Python example"
    exec(compile(code.group(1), "docs/porting.md (Try it)", "exec"), {"__name__": "porting_example"})
    printed = capsys.readouterr().out.splitlines()
    # The "# ..." comments right after a print() are what it shows, a line each (a comment
    # indented further continues the line before; a remark after two spaces is no output).
    expected = [line[2:].split("  (", 1)[0]
                for block in re.findall(r"^\s*print\(.*\n((?:# .*\n)+)", code.group(1), flags=re.M)
                for line in block.splitlines() if not line.startswith("#  ")]
    assert len(expected) >= 6
    for shown in expected:
        assert any(p.startswith(shown) for p in printed), f"the example does not print {shown!r}"
