"""Writes the example notebooks, docs/examples/explore.ipynb and audit.ipynb (without outputs):
run when their cells change. tests/test_notebook.py runs them on Debian's default kernel."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

KERNEL_NOTE = (
    "**Kernel**: the default *Python 3* kernel works, Debian's included (`python3-ipykernel` "
    "runs `/usr/bin/python3`). When portout is not installed for that Python, the first code "
    "cell takes it from the clone this notebook is in, where `scripts/demo` or `scripts/test` "
    "built it into `build/venv` (made from the same `/usr/bin/python3`); elsewhere, pick a "
    "kernel whose Python has portout.")

# Finds portout for the kernel's Python, and says which one it uses.
FIND_PORTOUT = new_code_cell(
    "import sys\n"
    "from pathlib import Path\n"
    "try:\n"
    "    import portout\n"
    "except ModuleNotFoundError:\n"
    "    version = f'python{sys.version_info.major}.{sys.version_info.minor}'\n"
    "    builds = [folder / 'build' / 'venv' / 'lib' / version / 'site-packages'\n"
    "              for folder in (Path.cwd(), *Path.cwd().parents)]\n"
    "    found = next((b for b in builds if (b / 'portout').is_dir()), None)\n"
    "    if found is None:\n"
    "        raise ModuleNotFoundError(\n"
    "            f'portout is not installed for this kernel ({sys.executable}): pick the kernel '\n"
    "            'of a Python that has it, or run scripts/demo in the clone this notebook is in '\n"
    "            'and run this cell again') from None\n"
    "    sys.path.append(str(found))\n"
    "    import portout\n"
    "print(f'portout {portout.__version__} on {sys.executable} (Python {sys.version.split()[0]})')")

# A real date axis: every day of the range, the days without any as gaps; the legend beside
# the plot, never over its bars.
PLOT_BY_DAY = (
    "import matplotlib.dates as mdates\n"
    "import matplotlib.pyplot as plt\n"
    "import pandas as pd\n\n"
    "def plot_by_day(counts, title, ylabel, legend):\n"
    "    \"\"\"Stacked bars on a date axis: one bar a day, a colour a column.\"\"\"\n"
    "    fig, ax = plt.subplots(figsize=(10, 3.2))\n"
    "    bottom = pd.Series(0, index=counts.index)\n"
    "    for column in counts.columns:\n"
    "        ax.bar(counts.index, counts[column], bottom=bottom, width=0.8, label=column)\n"
    "        bottom = bottom + counts[column]\n"
    "    locator = mdates.AutoDateLocator()\n"
    "    ax.xaxis.set_major_locator(locator)\n"
    "    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))\n"
    "    ax.set_xlim(counts.index.min() - pd.Timedelta(hours=12), counts.index.max() + pd.Timedelta(hours=12))\n"
    "    ax.margins(y=0.1)\n"
    "    ax.set(title=title, ylabel=ylabel)\n"
    "    ax.legend(title=legend, loc='upper left', bbox_to_anchor=(1.01, 1), frameon=False)\n"
    "    fig.tight_layout()\n"
    "    plt.show()\n\n"
    "def every_day(counts, first, last):\n"
    "    \"\"\"Counts by day over every day from first to last: a day without any is a 0, not missing.\"\"\"\n"
    "    days = pd.date_range(first, last, freq='D')\n"
    "    return counts.reindex(days, fill_value=0)")

EXPLORE = [
    new_markdown_cell(
        "# Exploring a port-out store\n\n"
        "An analyst's walk through a store: tenants, their PIN states, failed PIN checks over "
        "time, port-out orders by state and port-out requests per day. The second cell builds a "
        "sample store with a simulated month of activity (a `ManualClock` moves time; the fast "
        "`test` hash profile keeps it quick). Point `portout.connect_port_out_store` at a real "
        "store to explore that instead.\n\n" + KERNEL_NOTE),
    FIND_PORTOUT,
    new_code_cell(
        "import random, tempfile\n"
        "from datetime import datetime, timedelta, timezone\n\n"
        "folder = Path(tempfile.mkdtemp())\n"
        "clock = portout.ManualClock(datetime(2026, 10, 1, 9, 0, tzinfo=timezone.utc))\n"
        "admin = portout.Store.open(folder / 'sample.db', profile='test', allow_test_profile=True,\n"
        "                           clock=clock, actor='admin@operator.example')\n"
        "carrier = portout.Store.open(folder / 'sample.db', profile='test', allow_test_profile=True,\n"
        "                             clock=clock, actor='orders@northwind.example', role='Carrier')\n"
        "rng = random.Random(7)\n"
        "tenants = [f'tenant{i:02d}.example' for i in range(24)]\n"
        "for i, t in enumerate(tenants):\n"
        "    admin.create_tenant(t, f'Tenant {i}', 'US' if i % 6 else 'CA')\n"
        "    if i % 6 and i % 5:\n"
        "        admin.set_pin(t, f'{602900 + 17 * i}')\n"
        "    if i % 6:\n"
        "        for n in range(3):\n"
        "            admin.add_phone_number(t, f'+1425555{1000 + 10 * i + n}')\n"
        "confirmed = []  # (FOC date, order id), completed once the FOC comes\n"
        "for day in range(30):\n"
        "    clock.advance(timedelta(days=1))\n"
        "    for foc, order_id in [c for c in confirmed if c[0] <= clock.now()]:\n"
        "        confirmed.remove((foc, order_id))\n"
        "        if rng.random() < 0.6:\n"
        "            admin.complete_order(order_id)\n"
        "    if clock.now().weekday() == 6:\n"
        "        continue  # no carrier sends requests on Sundays here\n"
        "    for _ in range(rng.randint(1, 5)):\n"
        "        i = rng.randrange(len(tenants))\n"
        "        if not i % 6:\n"
        "            continue\n"
        "        right = rng.random() < 0.6\n"
        "        pin = f'{602900 + 17 * i}' if right else f'{rng.randrange(10**6):06d}'\n"
        "        numbers = [f'+1425555{1000 + 10 * i + rng.randrange(3)}']\n"
        "        order = carrier.submit_order(tenants[i], numbers, pin, rng.choice(['Northwind', 'Tailspin']))\n"
        "        clock.advance(timedelta(hours=rng.randint(1, 5)))\n"
        "        if order.status == 'PendingReview' and rng.random() < 0.7:\n"
        "            admin.approve_order(order.order_id)\n"
        "            foc = clock.now() + timedelta(days=3)\n"
        "            while True:  # the FOC falls on a business day: weekends and holidays are not\n"
        "                try:\n"
        "                    admin.confirm_order(order.order_id, foc)\n"
        "                    break\n"
        "                except portout.InvalidArgumentError:\n"
        "                    foc += timedelta(days=1)\n"
        "            confirmed.append((foc, order.order_id))\n"
        "portout.connect_port_out_store(folder / 'sample.db', hash_profile='test', allow_test_profile=True)\n"
        "print(f'{len(tenants)} tenants, {sum(1 for _ in admin.orders())} port-out requests')"),
    new_markdown_cell("## Tenants\n\nEvery list a cmdlet returns shows as a table, and turns "
                      "into a pandas DataFrame with `.to_pandas()`."),
    new_code_cell("portout.get_port_out_tenant()"),
    new_code_cell("tenants_df = portout.get_port_out_tenant().to_pandas()\n"
                  "tenants_df.groupby('country_or_region').size()"),
    new_markdown_cell("## PIN states\n\nNever the PIN: whether it is set, failed attempts, locks."),
    new_code_cell(
        "pins = portout.get_port_out_pin().to_pandas()\n"
        "summary = {'with a PIN': int(pins.pin_is_set.sum()), 'without': int((~pins.pin_is_set).sum()),\n"
        "           'locked now': int(pins.locked_until.notna().sum())}\n"
        "print(summary)\n"
        "pins[['tenant_id', 'pin_is_set', 'failed_attempt_count', 'last_check_result']].head(8)"),
    new_markdown_cell("## Failed PIN checks over time\n\nFrom the audit log: every check that "
                      "failed, by day, with the reason the tenant's admin sees."),
    new_code_cell(
        "events = portout.get_port_out_audit_log(event_type='PinCheck').to_pandas()\n"
        "failed = events[events.outcome == 'Failure']\n"
        "timeline = failed.groupby([failed.occurred_date_time.dt.date, 'reason']).size().unstack(fill_value=0)\n"
        "print('failed checks:', len(failed))\n"
        "timeline.tail(10)"),
    new_markdown_cell("## Orders by state"),
    new_code_cell(
        "orders = portout.get_port_out_order().to_pandas()\n"
        "by_state = orders.groupby('status').size()\n"
        "print(by_state.to_dict())\n"
        "orders.groupby(['gaining_carrier', 'status']).size().unstack(fill_value=0)"),
    new_markdown_cell("## Port-out requests per day\n\nOn a real date axis: days without any "
                      "request (Sundays here) stay on it, as gaps."),
    new_code_cell(
        PLOT_BY_DAY + "\n\n"
        "created = orders.created_date_time.dt.tz_convert(None).dt.floor('D')\n"
        "per_day = every_day(orders.groupby([created, 'status'], observed=True).size().unstack(fill_value=0),\n"
        "                    created.min(), created.max())\n"
        "print(f'{len(per_day)} days, {int((per_day.sum(axis=1) == 0).sum())} without requests')\n"
        "plot_by_day(per_day, 'Port-out requests per day', 'requests', 'status')"),
    new_markdown_cell("## The audit chain\n\nThe log proves itself: editing, deleting or "
                      "reordering any event shows here."),
    new_code_cell("portout.test_port_out_audit_log()"),
]

AUDIT = [
    new_markdown_cell(
        "# An auditor's session\n\n"
        "What an auditor does with a port-out store, read-only: prove the audit log was not "
        "altered, then read it for failed PIN checks by carrier over time, lockouts and who "
        "caused them, and when port-outs were frozen. The second cell builds a sample store with "
        "a month of activity, including a carrier that guesses PINs; the session then connects "
        "as an **Auditor**, who reads everything and changes nothing.\n\n" + KERNEL_NOTE),
    FIND_PORTOUT,
    new_code_cell(
        "import random, tempfile\n"
        "from datetime import datetime, timedelta, timezone\n\n"
        "folder = Path(tempfile.mkdtemp())\n"
        "path = folder / 'sample.db'\n"
        "# A month of activity, ending now.\n"
        "start = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0) - timedelta(days=33)\n"
        "clock = portout.ManualClock(start)\n"
        "def session(actor, role='StoreAdmin'):\n"
        "    return portout.Store.open(path, profile='test', allow_test_profile=True, clock=clock,\n"
        "                              actor=actor, role=role)\n"
        "admin = session('admin@operator.example')\n"
        "carriers = {name: session(f'orders@{name.lower()}.example', 'Carrier')\n"
        "            for name in ('Northwind', 'Tailspin', 'Fabrikam')}\n"
        "rng = random.Random(11)\n"
        "tenants = [f'tenant{i:02d}.example' for i in range(16)]\n"
        "pins = {t: f'{603100 + 37 * i}' for i, t in enumerate(tenants)}\n"
        "for i, t in enumerate(tenants):\n"
        "    admin.create_tenant(t, f'Tenant {i}')\n"
        "    admin.set_pin(t, pins[t])\n"
        "    admin.add_phone_number(t, f'+1425555{2000 + i}')\n"
        "freezes = {3: ('tenant02.example', True), 9: ('tenant05.example', True),\n"
        "           14: ('tenant02.example', False), 22: ('tenant11.example', True),\n"
        "           25: ('tenant05.example', False)}\n"
        "for day in range(30):\n"
        "    clock.advance(timedelta(days=1))\n"
        "    if day in freezes:\n"
        "        tenant, on = freezes[day]\n"
        "        admin.set_freeze(tenant, on)\n"
        "    if day in (8, 16, 17):  # Fabrikam guesses a tenant's PIN, weekends too, until locked out\n"
        "        target = tenants[day % 7]\n"
        "        for guess in range(7):\n"
        "            carriers['Fabrikam'].submit_order(target, [f'+1425555{2000 + day % 7}'],\n"
        "                                             f'{rng.randrange(10**6):06d}', 'Fabrikam')\n"
        "            clock.advance(timedelta(minutes=2))\n"
        "        if day == 8:\n"
        "            clock.advance(timedelta(hours=1))\n"
        "            admin.unlock_pin(target)  # the tenant's admin lifts the lock\n"
        "    if clock.now().weekday() >= 5:\n"
        "        continue  # carriers port on weekdays\n"
        "    for _ in range(rng.randint(1, 4)):\n"
        "        name = rng.choice(['Northwind', 'Tailspin'])\n"
        "        t = rng.choice(tenants)\n"
        "        pin = pins[t] if rng.random() < 0.8 else f'{rng.randrange(10**6):06d}'\n"
        "        carriers[name].submit_order(t, [f'+1425555{2000 + tenants.index(t)}'], pin, name)\n"
        "        clock.advance(timedelta(minutes=rng.randint(5, 90)))\n"

        "for store in (admin, *carriers.values()):\n"
        "    store.close()\n"
        "auditor = portout.connect_port_out_store(path, role='Auditor', actor='auditor@operator.example',\n"
        "                                         hash_profile='test', allow_test_profile=True)\n"
        "auditor"),
    new_markdown_cell(
        "## 1. The chain holds\n\n"
        "Every event is chained to the one before by a keyed MAC: an edit, a deletion, an "
        "insertion or a reordering anywhere shows here, with the first broken event. A signed "
        "checkpoint kept outside the store also proves that no newer event was cut off later."),
    new_code_cell(
        "checkpoints = folder / 'checkpoints'\n"
        "checkpoints.mkdir()\n"
        "portout.save_port_out_audit_checkpoint(checkpoints)\n"
        "portout.test_port_out_audit_log(checkpoint=str(checkpoints), progress=True)"),
    new_markdown_cell(
        "## 2. Failed PIN checks, by carrier, day by day\n\n"
        "Each check is recorded with the carrier that asked (its session's actor). A carrier "
        "with many failures on a few days is guessing."),
    new_code_cell(
        PLOT_BY_DAY + "\n\n"
        "events = portout.get_port_out_audit_log().to_pandas()\n"
        "events['day'] = events.occurred_date_time.dt.tz_convert(None).dt.floor('D')\n"
        "checks = events[events.event_type == 'PinCheck']\n"
        "failed = checks[checks.outcome == 'Failure']\n"
        "by_carrier = every_day(failed.groupby(['day', 'actor'], observed=True).size().unstack(fill_value=0),\n"
        "                       checks.day.min(), checks.day.max())\n"
        "print('failed checks by carrier:', failed.actor.value_counts().to_dict())\n"
        "plot_by_day(by_carrier, 'Failed PIN checks per day', 'failed checks', 'carrier')"),
    new_code_cell(
        "rate = checks.groupby('actor', observed=True).outcome.apply(lambda o: (o == 'Failure').mean())\n"
        "rate.rename('failure rate').to_frame().style.format('{:.0%}')"),
    new_markdown_cell(
        "## 3. Lockouts\n\n"
        "Who caused each lock (the carrier whose failed check locked the PIN), on which tenant, "
        "for how long, and whether the tenant's admin lifted it."),
    new_code_cell(
        "locks = events[events.event_type.isin(['PinLockedOut', 'PinUnlocked'])]\n"
        "lockouts = locks[['occurred_date_time', 'event_type', 'tenant_id', 'actor']].copy()\n"
        "seconds = locks.details.str.extract(r'locked_for=(\\d+)s')[0]\n"
        "lockouts['locked_for'] = [pd.Timedelta(seconds=int(s)) if isinstance(s, str) else pd.NaT for s in seconds]\n"
        "print(f\"{int((locks.event_type == 'PinLockedOut').sum())} lockouts, \"\n"
        "      f\"{int((locks.event_type == 'PinUnlocked').sum())} lifted by an admin\")\n"
        "lockouts.reset_index(drop=True)"),
    new_markdown_cell(
        "## 4. Port-out freezes\n\n"
        "When each tenant froze port-outs, and for how long; a freeze still on runs to now."),
    new_code_cell(
        "toggles = events[events.event_type.isin(['PortOutFrozen', 'PortOutUnfrozen'])]\n"
        "now = pd.Timestamp.now(tz='UTC')\n"
        "spans = []\n"
        "for tenant, rows in toggles.groupby('tenant_id', observed=True):\n"
        "    began = None\n"
        "    for row in rows.itertuples():\n"
        "        if row.event_type == 'PortOutFrozen':\n"
        "            began = row.occurred_date_time\n"
        "        elif began is not None:\n"
        "            spans.append((tenant, began, row.occurred_date_time, 'lifted'))\n"
        "            began = None\n"
        "    if began is not None:\n"
        "        spans.append((tenant, began, now, 'still frozen'))\n"
        "freeze = pd.DataFrame(spans, columns=['tenant_id', 'frozen', 'until', 'state'])\n"
        "freeze['days'] = (freeze.until - freeze.frozen).dt.total_seconds() / 86400\n"
        "fig, ax = plt.subplots(figsize=(10, 0.5 + 0.45 * len(freeze)))\n"
        "for y, row in enumerate(freeze.itertuples()):\n"
        "    left = mdates.date2num(row.frozen.tz_convert(None))\n"
        "    ax.barh(y, row.days, left=left, height=0.5,\n"
        "            color='tab:blue' if row.state == 'lifted' else 'tab:red', label=row.state)\n"
        "ax.set_yticks(range(len(freeze)), freeze.tenant_id)\n"
        "ax.margins(x=0.03)\n"
        "ax.xaxis_date()\n"
        "locator = mdates.AutoDateLocator()\n"
        "ax.xaxis.set_major_locator(locator)\n"
        "ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))\n"
        "handles, labels = ax.get_legend_handles_labels()\n"
        "unique = dict(zip(labels, handles))\n"
        "ax.legend(unique.values(), unique.keys(), loc='upper left', bbox_to_anchor=(1.01, 1), frameon=False)\n"
        "ax.set_title('Port-out freezes')\n"
        "fig.tight_layout()\n"
        "plt.show()\n"
        "freeze.round({'days': 1})"),
    new_markdown_cell(
        "## 5. Read-only\n\n"
        "An auditor changes nothing: the attempt is refused, shown as an error beside what was "
        "returned, and is itself audited."),
    new_code_cell(
        "portout.enable_port_out_freeze('tenant00.example', confirm=False, error_action='SilentlyContinue')"),
    new_code_cell(
        "portout.get_port_out_audit_log(event_type='AccessDenied')"),
]

NOTEBOOKS = {"explore.ipynb": EXPLORE, "audit.ipynb": AUDIT}


def main() -> None:
    folder = Path(__file__).resolve().parent.parent / "docs" / "examples"
    for name, cells in NOTEBOOKS.items():
        notebook = new_notebook(cells=cells, metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)",
                           "language": "python"},
            "language_info": {"name": "python"}})
        nbformat.write(notebook, folder / name)
        print(f"wrote {folder / name}")


if __name__ == "__main__":
    main()
