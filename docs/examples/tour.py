"""The five-minute tour as a script: a store, a tenant, a PIN, a port-out order, the audit log.

Run: build/venv/bin/python docs/examples/tour.py
"""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import portout


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    with portout.Store.open(folder / "tour.db", actor="admin@contoso.example") as admin:
        tenant: portout.Tenant = admin.create_tenant("contoso.example", "Contoso", "US")
        status: portout.PinStatus = admin.set_pin(tenant.tenant_id, "602917")
        number: portout.PhoneNumber = admin.add_phone_number(tenant.tenant_id, "(425) 555-0100")
        print(f"{tenant.display_name}: PIN set {status.pin_is_set}, number {number.phone_number}")

        violations = admin.test_pin_policy("123456").rules
        print(f"123456 would be refused for: {', '.join(violations)}")

        with portout.Store.open(folder / "tour.db", role="Carrier", actor="orders@northwind.example") as carrier:
            refused: portout.Order = carrier.submit_order(tenant.tenant_id, [number.phone_number],
                                                          "000001", "Northwind")
            accepted = carrier.submit_order(tenant.tenant_id, [number.phone_number], "602917",
                                            "Northwind")
        print(f"a wrong PIN: {refused.status} ({refused.reason}); the right one: {accepted.status}")

        foc = datetime.now(timezone.utc) + timedelta(days=3)
        admin.confirm_order(accepted.order_id, foc)
        done = admin.complete_order(accepted.order_id)
        print(f"order {done.order_id[:8]}: {done.status}; numbers left: "
              f"{[n.phone_number for n in admin.phone_numbers(tenant.tenant_id)]}")

        notes: list[portout.Notification] = admin.receive_notifications("tour")
        print(f"{len(notes)} notifications: {', '.join(n.kind for n in notes)}")
        verdict: portout.AuditVerification = admin.verify_audit()
        print(f"audit log: {verdict.event_count} events, valid: {verdict.is_valid}")


if __name__ == "__main__":
    main()
