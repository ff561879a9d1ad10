"""Writes docs/examples/explore.ipynb (without outputs): run when the notebook's cells change."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

CELLS = [
    new_markdown_cell(
        "# Exploring a port-out store\n\n"
        "An analyst's walk through a store: tenants, their PIN states, failed PIN checks over "
        "time, port-out orders by state and port-out requests per day. The first cell builds a "
        "sample store with a simulated month of activity (a `ManualClock` moves time; the fast "
        "`test` hash profile keeps it quick). Point `portout.connect_port_out_store` at a real "
        "store to explore that instead."),
    new_code_cell(
        "import random, tempfile\n"
        "from datetime import datetime, timedelta, timezone\n"
        "from pathlib import Path\n"
        "import portout\n\n"
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
        "for day in range(30):\n"
        "    clock.advance(timedelta(days=1))\n"
        "    for _ in range(rng.randint(1, 5)):\n"
        "        i = rng.randrange(len(tenants))\n"
        "        if not i % 6:\n"
        "            continue\n"
        "        right = rng.random() < 0.6\n"
        "        pin = f'{602900 + 17 * i}' if right else f'{rng.randrange(10**6):06d}'\n"
        "        numbers = [f'+1425555{1000 + 10 * i + rng.randrange(3)}']\n"
        "        order = carrier.submit_order(tenants[i], numbers, pin, rng.choice(['Northwind', 'Tailspin']))\n"
        "        clock.advance(timedelta(hours=rng.randint(1, 5)))\n"
        "        if order.status == 'Submitted' and rng.random() < 0.7:\n"
        "            admin.confirm_order(order.order_id, clock.now() + timedelta(days=3))\n"
        "            if rng.random() < 0.6:\n"
        "                admin.complete_order(order.order_id)\n"
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
    new_markdown_cell("## Port-out requests per day"),
    new_code_cell(
        "import matplotlib\n"
        "import matplotlib.pyplot as plt\n"
        "per_day = orders.groupby(orders.created_date_time.dt.date).status.value_counts().unstack(fill_value=0)\n"
        "ax = per_day.plot(kind='bar', stacked=True, figsize=(10, 3), title='Port-out requests per day')\n"
        "ax.set_xlabel('day'); ax.set_ylabel('requests')\n"
        "plt.tight_layout(); plt.show()"),
    new_markdown_cell("## The audit chain\n\nThe log proves itself: editing, deleting or "
                      "reordering any event shows here."),
    new_code_cell("portout.test_port_out_audit_log()"),
]


def main() -> None:
    notebook = new_notebook(cells=CELLS, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"}})
    target = Path(__file__).resolve().parent.parent / "docs" / "examples" / "explore.ipynb"
    nbformat.write(notebook, target)
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
