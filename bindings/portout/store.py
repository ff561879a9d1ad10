"""A session on a port-out store: tenants, their PINs, policies, the audit chain and the key.

Every method maps to one operation of the native service, which runs it in a transaction with
its audit event and with the GIL released. Lists are streamed in batches, never loaded whole.
"""

from __future__ import annotations

import itertools
import os
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable, Iterable, Iterator, Sequence

from portout import _core
from portout.errors import InvalidArgumentError, PortOutError
from portout.display import Records
from portout.progress import ProgressArg, Tracker
from portout.store_server import DeliveryPolicy, IssuedAccount, IssuedCredential, IssuedWebhook, ServerOperations
from portout._core import (
    AuditCheckpoint,
    AuditEvent,
    AuditVerification,
    ManualClock,
    Notification,
    Order,
    OrderStep,
    PhoneNumber,
    PinStatus,
    PolicySettings,
    Principal,
    RotationReport,
    Tenant,
    Violation,
)

__all__ = ["Store", "CopyReport", "IssuedCredential", "IssuedAccount", "IssuedWebhook", "DeliveryPolicy",
           "PolicyTestResult", "TenantCounts", "HASH_PROFILES"]

#: Argon2id cost profiles; ``test`` is for test suites only and must be allowed explicitly.
HASH_PROFILES: tuple[str, ...] = ("test", "owasp", "interactive", "moderate", "sensitive")

_BATCH = 1000


@dataclass(frozen=True)
class CopyReport:
    """What Copy-PortOutStore moved, table by table, and the audit check of the copy."""

    source: str
    destination: str
    rows: dict[str, int]
    audit: AuditVerification

    _fields = ("source", "destination", "rows", "audit")

    @property
    def verified(self) -> bool:
        return self.audit.is_valid

    def to_dict(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self._fields}


@dataclass(frozen=True)
class PolicyTestResult:
    """Whether a PIN would meet a policy, and every rule it fails (no state changes)."""

    is_valid: bool
    violations: tuple[Violation, ...] = field(default=())

    _fields = ("is_valid", "violations")

    @property
    def rules(self) -> list[str]:
        return [v.rule for v in self.violations]

    def to_dict(self) -> dict[str, object]:
        return {"is_valid": self.is_valid, "violations": list(self.violations)}


@dataclass(frozen=True)
class TenantCounts:
    """The session's tenants counted at a glance: all of them (or its scope's), the US ones
    (which can have a port-out PIN), with a PIN set, port-out frozen, PIN locked now."""

    tenants: int
    us: int
    with_pin: int
    frozen: int
    locked: int

    _fields = ("tenants", "us", "with_pin", "frozen", "locked")

    def __str__(self) -> str:
        return (f"{self.tenants:,} tenant{'' if self.tenants == 1 else 's'} ({self.us:,} US, "
                f"{self.with_pin:,} with a PIN, {self.frozen:,} frozen, {self.locked:,} locked)")

    def to_dict(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self._fields}


class Store(ServerOperations):
    """A session on a store, acting as one actor.

    Open it with :meth:`Store.open`; close it with :meth:`close` or a ``with`` block.
    """

    def __init__(self, native: _core.NativeStore) -> None:
        self._native = native
        self._rotated_to: str | None = None  # the key file a rotation in this session moved to

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str] | None = None,
        *,
        key_file: str | os.PathLike[str] | None = None,
        profile: str | None = None,
        allow_test_profile: bool = False,
        clock: ManualClock | None = None,
        actor: str | None = None,
        create: bool = True,
        busy_timeout: float | timedelta = 30,
        role: str | None = None,
        tenant_scope: str | Iterable[str] | None = None,
    ) -> Store:
        """Open (or create) the SQLite store at ``path``.

        ``path`` defaults to ``$PORTOUT_STORE`` or ``$XDG_DATA_HOME/portout/store.db``; the key
        file to ``$PORTOUT_KEY_FILE`` or ``<path>.key``, created (mode 0600) with a new store
        and never for an existing one. ``profile`` is the Argon2id profile (the store's own when
        omitted); ``test`` needs ``allow_test_profile=True`` and a store created that way.
        ``actor`` names who acts in the audit log (the OS user when omitted); ``role``
        (``StoreAdmin`` by default, ``TelephonyAdmin``, ``Carrier`` or ``Auditor``) and
        ``tenant_scope`` (the tenants it may act on; all when omitted) say what it may do. Who
        the actor really is, is the deployment's to establish: with SQLite, whoever can read
        the store and key files can open any session. ``clock`` replaces the system clock, for
        tests: only a store made for tests (with the test profile) takes one
        (``ClockNotAllowed``). Only a ``StoreAdmin`` may make another ``profile`` the store's own
        (``AccessDenied``, audited).
        """
        native = _core.NativeStore.open(
            None if path is None else os.fspath(path),
            None if key_file is None else os.fspath(key_file),
            profile, allow_test_profile, clock, actor, create, busy_timeout, role, tenant_scope,
        )
        return cls(native)

    # -- the session -------------------------------------------------------------------------

    @property
    def principal(self) -> Principal | None:
        """The principal this session was authenticated as (:meth:`authenticate`); None for a
        session opened with the key file."""
        return self._native.principal

    def authenticate(self, token: str, client_address: str) -> Store:
        """A session of this store as the principal a bearer token names, authenticated by the
        core: its role, actor, tenant scope and carrier are the principal's; its clock and hash
        profile this session's. It shares this session's connections (closing it leaves this one
        open). ``client_address`` is the caller's network address. A token that does not
        authenticate is ``AuthenticationFailed`` (audited, counted against the address and the
        principal); too many failures are ``AuthenticationThrottled`` with ``retry_after``."""
        __tracebackhide__ = True
        return Store(self._native.authenticate(token, client_address))

    @property
    def path(self) -> str:
        return self._native.path

    @property
    def key_file(self) -> str:
        """The key file that opens the store: after :meth:`rotate_key`, the new one."""
        return self._rotated_to or self._native.key_path

    @property
    def actor(self) -> str:
        return self._native.actor

    @property
    def profile(self) -> str:
        return self._native.profile

    @property
    def role(self) -> str:
        return self._native.role

    @property
    def tenant_scope(self) -> tuple[str, ...]:
        """The tenants this session may act on; empty for every tenant."""
        return self._native.tenant_scope

    @property
    def store_id(self) -> str:
        return self._native.store_id

    @property
    def key_id(self) -> str:
        """The public fingerprint of the store's key (never the key)."""
        return self._native.key_id

    @property
    def closed(self) -> bool:
        return self._native.closed

    def close(self) -> None:
        self._native.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def tenant_counts(self) -> TenantCounts:
        """The session's tenants counted by state, in one read (ReadPinStatus: not a Carrier)."""
        return TenantCounts(*self._native.count_tenants())

    def _glance(self) -> list[tuple[str, str]]:
        """What a store shows of itself: where, as whom, and its tenants at a glance."""
        rows = [("Location", self.path), ("Role", self.role), ("Actor", self.actor)]
        if self.tenant_scope:
            rows.append(("Tenant scope", ", ".join(self.tenant_scope)))
        if self.role == "Carrier":  # asking would be denied, and the denial audited
            counts = "not shown to a Carrier"
        else:
            try:
                counts = str(self.tenant_counts())
            except PortOutError as error:  # a repr never raises
                counts = f"not read ({error.error_id.split(',')[0]})"
        rows += [("Tenants", counts), ("Hash profile", self.profile), ("Store id", self.store_id),
                 ("Key id", self.key_id)]
        return rows

    def __repr__(self) -> str:
        if self.closed:
            return f"<portout.Store {self.path!r} closed>"
        shown = dict(self._glance())
        return (f"<portout.Store {self.path!r} role={self.role!r} actor={self.actor!r}"
                f"{' scope=' + repr(shown['Tenant scope']) if self.tenant_scope else ''}: "
                f"{shown['Tenants']}; profile={self.profile!r}>")

    def _repr_html_(self) -> str:
        import html

        from portout.display import fields_html

        if self.closed:
            return f"<b>portout.Store</b> {html.escape(self.path)} <i>(closed)</i>"
        return fields_html("portout.Store", self._glance())

    # -- tenants -----------------------------------------------------------------------------

    def create_tenant(self, tenant_id: str, display_name: str,
                      country_or_region: str = "US") -> Tenant:
        """Create a tenant; its id is a GUID or a domain-like name, its country ISO 3166 alpha-2."""
        return self._native.create_tenant(tenant_id, display_name, country_or_region)

    def import_tenants(self, rows: Iterable[tuple[str, str, str]]) -> int:
        """Create many tenants, (id, display name, country) each, in one transaction (all or
        none) with one audit event: the fast path for loading an existing customer base."""
        return self._native.import_tenants(rows)

    def get_tenant(self, tenant_id: str) -> Tenant:
        """The tenant, or ``ObjectNotFoundError`` (``TenantNotFound``)."""
        return self._native.get_tenant(tenant_id)

    def tenants(self, *, batch_size: int = _BATCH) -> Iterator[Tenant]:
        """Every tenant, ordered by id, fetched in batches."""
        return Records(_paged(lambda after: self._native.list_tenants(after, batch_size),
                              lambda t: t.tenant_id), Tenant, f"tenants of {self.path!r}")

    def update_tenant(self, tenant_id: str, *, display_name: str | None = None,
                      country_or_region: str | None = None, account_number: str | None = None,
                      new_account_number: bool = False, service_zip_code: str | None = None,
                      authorized_name: str | None = None, time_zone: str | None = None,
                      notification_emails: str | Iterable[str] | None = None) -> Tenant:
        """Change a tenant, all or nothing; unchanged values record nothing.

        The display name and country (a StoreAdmin); what a port-out request is matched against
        (the tenant's admins too): the billing account number (or a new one drawn), the service
        ZIP code, the authorized name ("" for the display name) and the time zone business days
        are counted in ("" for America/New_York); and the e-mail contacts told of each of its
        notifications (the list replaces the one before)."""
        return self._native.update_tenant(tenant_id, display_name, country_or_region, account_number,
                                          new_account_number, service_zip_code, authorized_name,
                                          time_zone, notification_emails)

    def remove_tenant(self, tenant_id: str) -> None:
        """Remove a tenant and its PIN record; its audit history stays."""
        self._native.remove_tenant(tenant_id)

    # -- PINs --------------------------------------------------------------------------------

    def set_pin(self, tenant_id: str, pin: str) -> PinStatus:
        """Set or change a US tenant's port-out PIN. It can never be cleared."""
        __tracebackhide__ = True  # pytest shows no frame that holds a PIN
        return self._native.set_pin(tenant_id, pin)

    def pin_status(self, tenant_id: str) -> PinStatus:
        """Whether the PIN is set, when and by whom, failed attempts and any lock."""
        return self._native.pin_status(tenant_id)

    def pin_statuses(self, *, batch_size: int = _BATCH) -> Iterator[PinStatus]:
        """The PIN status of every tenant, ordered by id, fetched in batches."""
        return Records(_paged(lambda after: self._native.list_pin_status(after, batch_size),
                              lambda s: s.tenant_id), PinStatus, f"PIN statuses of {self.path!r}")

    def check_pin(self, tenant_id: str, pin: str) -> bool:
        """True for the right PIN of a US tenant whose PIN is set and not locked.

        Every other case answers False in the same time: the caller cannot tell a wrong PIN
        from an unknown tenant, a tenant without a PIN or a locked one. The attempt is counted
        before the PIN is verified.
        """
        __tracebackhide__ = True  # pytest shows no frame that holds a PIN
        return self._native.check_pin(tenant_id, pin)

    def unlock_pin(self, tenant_id: str) -> PinStatus:
        """Clear failed attempts and any lock (audited)."""
        return self._native.unlock_pin(tenant_id)

    def repair_tenant_state(self, tenant_id: str) -> PinStatus:
        """Take back into use a tenant whose security state was changed outside portout.

        Only when reads of the tenant fail with ``StoreTampered`` (a StoreAdmin's call): its
        PIN is removed (a new one must be set before any port-out), its failed attempts and
        lock are cleared, its country, freeze and policy are kept as the database holds them and
        named in the audit event for review. ``NothingToRepair`` when the state holds.
        """
        return self._native.repair_tenant_state(tenant_id)

    def repair_default_policy(self) -> PolicySettings:
        """Put the built-in default policy back when the stored one was changed outside portout."""
        return self._native.repair_default_policy()

    # -- policies ----------------------------------------------------------------------------

    def get_policy(self, tenant_id: str | None = None) -> PolicySettings:
        """The store's default policy, or the one that applies to a tenant."""
        return self._native.get_policy(tenant_id)

    def set_policy(
        self,
        tenant_id: str | None = None,
        *,
        min_length: int | None = None,
        max_length: int | None = None,
        block_weak: bool | None = None,
        blocklist: Iterable[str] | None = None,
        max_failed_attempts: int | None = None,
        lockout_duration: timedelta | float | None = None,
        max_lockout_duration: timedelta | float | None = None,
        tenant_max_failures: int | None = None,
        failure_window: timedelta | float | None = None,
        review_window: timedelta | float | None = None,
        review_deadline_action: str | None = None,
        min_foc_business_days: int | None = None,
        max_foc_days: int | None = None,
        cancel_cutoff: timedelta | float | None = None,
        holidays: Iterable[str] | None = None,
    ) -> PolicySettings:
        """Change the store default (no tenant) or a tenant's own settings; others stay.

        ``max_failed_attempts`` wrong PINs lock the one carrier that made them;
        ``tenant_max_failures`` within ``failure_window``, from all carriers, lock every carrier.
        ``review_window`` is business time; ``review_deadline_action`` Approve or Deny;
        ``holidays`` dates ("YYYY-MM-DD") besides the US federal holidays."""
        return self._native.set_policy(
            tenant_id, min_length, max_length, block_weak, blocklist, max_failed_attempts,
            lockout_duration, max_lockout_duration, tenant_max_failures, failure_window,
            review_window, review_deadline_action, min_foc_business_days, max_foc_days,
            cancel_cutoff, holidays)

    def reset_policy(self, tenant_id: str) -> PolicySettings:
        """Drop a tenant's own settings: it follows the store default again."""
        return self._native.reset_policy(tenant_id)

    def test_pin_policy(self, pin: str, tenant_id: str | None = None) -> PolicyTestResult:
        """Would ``pin`` meet the policy? Changes nothing."""
        __tracebackhide__ = True  # pytest shows no frame that holds a PIN
        violations = tuple(self._native.test_pin_policy(tenant_id, pin))
        return PolicyTestResult(not violations, violations)

    # -- audit -------------------------------------------------------------------------------

    def audit_events(
        self,
        tenant_id: str | None = None,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        event_type: str | Sequence[str] | None = None,
        first: int | None = None,
        batch_size: int = _BATCH,
    ) -> Iterator[AuditEvent]:
        """Audit events, oldest first, filtered; ``first`` stops after that many."""
        types = [event_type] if isinstance(event_type, str) else list(event_type or [])
        events = _paged_ids(lambda after: self._native.audit_events(
            tenant_id, since, until, types, after, batch_size))
        what = f"audit events of {tenant_id or self.path!r}"
        if first is None:
            return Records(events, AuditEvent, what)
        if isinstance(first, bool) or not isinstance(first, int) or first < 0:
            raise InvalidArgumentError("first must be a whole number of events, zero or more.",
                                       error_id="InvalidFirst")
        return Records(itertools.islice(events, min(first, sys.maxsize)), AuditEvent, what)

    def audit_page(self, tenant_id: str | None = None, *, before: int = 0,
                   limit: int = 100) -> list[AuditEvent]:
        """One page of audit events, newest first: those before the event id ``before`` (0: from
        the newest). The next page's ``before`` is the last event's id."""
        return list(self._native.audit_events(tenant_id, None, None, [], before, limit, True))

    def verify_audit(self, *, progress: ProgressArg = None,
                     checkpoints: Iterable[str] = ()) -> AuditVerification:
        """Walk the chain; report the first event edited, deleted, inserted or reordered.

        ``progress``: events walked of the chain's length, as the walk goes (a function
        ``(done, total)``, or True/False for a bar; see :mod:`portout.progress`).

        ``checkpoints``: checkpoint documents kept outside the store (from
        :meth:`audit_checkpoint`); each must agree with the chain, or the result is invalid:
        ``Truncated`` (the newest events were removed), ``RolledBack`` (another history at the
        checkpointed event), ``CheckpointInvalid`` (forged, or not this store's key),
        ``CheckpointOfAnotherStore``. A document that is no checkpoint raises
        ``InvalidArgumentError`` (CheckpointMalformed).
        """
        if isinstance(checkpoints, (str, bytes)):
            raise InvalidArgumentError("checkpoints is a collection of checkpoint documents.",
                                       error_id="CheckpointMalformed")
        with Tracker(progress, "Verifying the audit chain", "event") as track:
            return self._native.verify_audit(track.native, list(checkpoints))

    def audit_checkpoint(self) -> AuditCheckpoint:
        """Sign a checkpoint of the chain's head, to keep outside the store (its ``document``).

        StoreAdmin or Auditor without a tenant scope; audited (AuditCheckpointTaken) and handed
        to the outbox (kind AuditCheckpoint). Refused (AuditChainBroken) if the chain is broken.
        """
        return self._native.audit_checkpoint()

    # -- numbers, orders, the freeze ----------------------------------------------------------

    def add_phone_number(self, tenant_id: str, phone_number: str) -> PhoneNumber:
        """Add a US number (any common format; kept in E.164) to a tenant's inventory."""
        return self._native.add_number(tenant_id, phone_number)

    def remove_phone_number(self, tenant_id: str, phone_number: str) -> None:
        """Remove a number from a tenant's inventory (not while an open order holds it)."""
        self._native.remove_number(tenant_id, phone_number)

    def phone_numbers(self, tenant_id: str | None = None, *,
                      batch_size: int = _BATCH) -> Iterator[PhoneNumber]:
        """The numbers of one tenant, or of every tenant in scope, ordered by number."""
        return Records(_paged(lambda after: self._native.list_numbers(tenant_id, after, batch_size),
                              lambda n: n.phone_number), PhoneNumber,
                       f"phone numbers of {tenant_id or self.path!r}")

    def submit_order(self, tenant_id: str | None, phone_numbers: str | Iterable[str], pin: str,
                     gaining_carrier: str, *, requested_foc_date: datetime | None = None,
                     account_number: str | None = None, service_zip_code: str | None = None,
                     authorized_name: str | None = None, carrier_spid: str | None = None,
                     purchase_order_number: str | None = None,
                     port_type: str | None = None, idempotency_key: str | None = None) -> Order:
        """A gaining carrier's port-out request (47 CFR 52.36(b)), kept as PendingReview (with
        its review deadline) or Rejected with a reason.

        The tenant is named by its id, or (``tenant_id=None``) by its ``account_number``. A
        request without a PIN is told ``PinRequired`` whatever the tenant, and counts for
        nothing. The carrier is told ``PinNotAccepted`` for a wrong PIN, a tenant without one, a
        locked one or an unknown tenant alike; only behind the right PIN: ``PortOutFrozen``,
        ``AccountNumberMismatch``, ``PostalCodeMismatch``, ``AuthorizedNameMismatch``, numbers
        the tenant does not hold (``NumberNotOwned``) or another open order holds
        (``NumberInOpenOrder``), ``FullPortIncomplete`` and ``PartialPortNotAllowed``. The
        tenant's side sees the exact reason in ``internal_reason``, the audit log and the
        notifications. ``port_type`` is ``Full`` or ``Partial``; unstated, the numbers tell.
        ``idempotency_key``: a retry with the same key gets the first order back, its PIN not
        checked again (``IdempotencyKeyReused`` when the request differs). A session
        authenticated as a Carrier credential is that credential's carrier: ``gaining_carrier``
        and ``carrier_spid`` are then ignored.
        """
        __tracebackhide__ = True  # pytest shows no frame that holds a PIN
        return self._native.submit_order(tenant_id, phone_numbers, pin, gaining_carrier,
                                         requested_foc_date, account_number, service_zip_code,
                                         authorized_name, carrier_spid, purchase_order_number,
                                         port_type, idempotency_key)

    def get_order(self, order_id: str) -> Order:
        return self._native.get_order(order_id)

    def orders(self, tenant_id: str | None = None, *, status: str | None = None,
               gaining_carrier: str | None = None, batch_size: int = _BATCH) -> Iterator[Order]:
        """Orders, oldest first; a Carrier session sees only the orders it submitted."""
        def pages() -> Iterator[Order]:
            after = 0
            while True:
                batch, after = self._native.list_orders(tenant_id, status, gaining_carrier, after,
                                                        batch_size)
                if not batch:
                    return
                yield from batch

        return Records(pages(), Order, f"orders of {tenant_id or self.path!r}")

    def orders_page(self, tenant_id: str | None = None, *, status: str | None = None,
                    gaining_carrier: str | None = None, after: int = 0, limit: int = 100,
                    newest_first: bool = False) -> tuple[list[Order], int]:
        """One page of :meth:`orders`: up to ``limit`` orders after the position ``after`` (0 for
        the first page), and the position to pass for the next page. ``newest_first`` lists
        them the other way, each page's position the last (oldest) of the page before."""
        batch, last = self._native.list_orders(tenant_id, status, gaining_carrier, after, limit, newest_first)
        return list(batch), int(last)

    def order_history(self, order_id: str) -> list[OrderStep]:
        """Each transition of an order, the request first: who, when, from what to what, why."""
        return self._native.order_history(order_id)

    def approve_order(self, order_id: str, comment: str | None = None) -> Order:
        """PendingReview -> Approved (the tenant's admin or the provider's porting desk)."""
        return self._native.approve_order(order_id, comment)

    def deny_order(self, order_id: str, reason: str, comment: str | None = None) -> Order:
        """PendingReview -> Denied with a reason code the carrier is told (``Other`` needs a
        comment): AccountNumberMismatch, PostalCodeMismatch, AuthorizedNameMismatch,
        CustomerDeclined, SuspectedFraud, NumbersNotPortable, Other."""
        return self._native.deny_order(order_id, reason, comment)

    def settle_due_reviews(self) -> int:
        """Orders under review past their deadline settled by the policy's action (reads of
        orders do it first anyway); how many."""
        return self._native.settle_due_reviews()

    def confirm_order(self, order_id: str, foc_date: datetime) -> Order:
        """Approved (or PendingReview, approved by this) -> Confirmed, with the firm order
        commitment date: a business day of the tenant's, not past, at least the policy's
        business days after approval, at most its days ahead."""
        return self._native.confirm_order(order_id, foc_date)

    def change_foc(self, order_id: str, foc_date: datetime, comment: str | None = None) -> Order:
        """A Confirmed order's FOC moved, under the same rules; told as ``OrderFocChanged``."""
        return self._native.change_foc(order_id, foc_date, comment)

    def complete_order(self, order_id: str) -> Order:
        """Confirmed -> Completed, not before the FOC date: the numbers leave the inventory."""
        return self._native.complete_order(order_id)

    def cancel_order(self, order_id: str, reason: str, comment: str | None = None) -> Order:
        """An open order -> Cancelled, with a reason code (CustomerRequest, DuplicateRequest,
        WrongNumbers, CarrierError, Other with a comment); refused within the policy's
        CancelCutoff of a confirmed FOC."""
        return self._native.cancel_order(order_id, reason, comment)

    def set_freeze(self, tenant_id: str, frozen: bool) -> Tenant:
        """Freeze (or thaw) every port-out of a tenant, whatever the PIN."""
        return self._native.set_freeze(tenant_id, frozen)

    # -- notifications -----------------------------------------------------------------------

    def receive_notifications(self, consumer: str, *, max_count: int = 100) -> list[Notification]:
        """What ``consumer`` has not acknowledged yet, oldest first (the same again until it is)."""
        return self._native.receive_notifications(consumer, max_count)

    def acknowledge_notifications(self, consumer: str, notification_ids: int | Iterable[int]) -> int:
        """Acknowledge; returns how many were new. An acknowledged notification never returns."""
        return self._native.acknowledge_notifications(consumer, notification_ids)

    # -- moving the store --------------------------------------------------------------------

    def copy_to(self, destination: str | os.PathLike[str], *,
                progress: ProgressArg = None) -> CopyReport:
        """Copy the whole store into an empty store at ``destination`` (a SQLite path or a
        ``postgresql://`` URI), then verify the copy's audit chain with this store's key.

        Everything moves as it is: PIN records stay sealed, audit events keep their MACs, no
        PIN is ever needed. The copy opens with the same key file. ``progress``: rows copied
        of the store's rows (see :mod:`portout.progress`).
        """
        with Tracker(progress, "Copying the store", "row") as track:
            shown, rows = self._native.copy_to(os.fspath(destination), track.native)
        with Store.open(os.fspath(destination), key_file=self.key_file, allow_test_profile=True,
                        actor=self.actor, create=False) as copy:
            audit = copy.verify_audit()
        return CopyReport(self.path, shown, dict(rows), audit)

    # -- the key -----------------------------------------------------------------------------

    def rotate_key(self, new_key_file: str | os.PathLike[str], *, batch_size: int = 500,
                   progress: ProgressArg = None) -> RotationReport:
        """Re-seal every PIN record under the key in ``new_key_file`` (created if missing).

        Each batch commits on its own; after a crash, open the store with its current key and
        call again to finish. Afterwards the store opens only with the new key. ``progress``:
        records re-sealed of those to re-seal (see :mod:`portout.progress`).
        """
        with Tracker(progress, "Rotating the store key", "record") as track:
            report = self._native.rotate_key(os.fspath(new_key_file), batch_size, track.native)
        self._rotated_to = os.path.abspath(os.fspath(new_key_file))
        return report


def _paged(fetch: Callable[[str], list], key: Callable[[object], str]) -> Iterator:  # type: ignore[type-arg]
    after = ""
    while True:
        batch = fetch(after)
        if not batch:
            return
        yield from batch
        after = key(batch[-1])


def _paged_ids(fetch: Callable[[int], list[AuditEvent]]) -> Iterator[AuditEvent]:
    after = 0
    while True:
        batch = fetch(after)
        if not batch:
            return
        yield from batch
        after = batch[-1].event_id


