// What the service's area units share: the session's store, clock, actor, access, hasher, keys,
// audit chain and workers (each owned by PortOutService, which outlives its units), and the
// steps every operation takes: the refusal rule applied and recorded, and its audit event.
#pragma once

#include <portout/audit.hpp>
#include <portout/clock.hpp>
#include <portout/pin_hasher.hpp>
#include <portout/service.hpp>
#include <portout/store.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace portout {

class Access;
class AuditChain;
class CheckCost;
class KeyRing;
class WorkerPool;

struct ServiceContext {
    Store& store;
    const Clock& clock;
    const std::string& actor;
    const Access& access;
    const PinHasher& hasher;
    CheckCost& cost;  // what every PIN check costs, whatever its path
    KeyRing& keys;
    const AuditChain& audit;
    WorkerPool& workers;
    const std::string& store_id;
    bool test_clock;  // the caller's own clock (a store made for tests), not the system's
    // The principal the session was authenticated as ("credential:lumen-prod"), added to every
    // audit event it writes; empty for a session opened with the key file.
    const std::string& via;
    // That principal; none for a session opened with the key file.
    const std::optional<Principal>& principal;

    // A Carrier session's carrier as its credential names it ("" when it names none: a
    // session opened with the key file says its carrier in each request).
    std::string signed_in_carrier() const { return principal ? principal->carrier_name : std::string(); }

    Millis now() const { return clock.now_ms(); }
    // The time locks are decided by: the database server's for a shared store (one clock for
    // every host), else this machine's; a test store's own clock always.
    Millis lock_time(StoreTransaction& tx) const;
    Role role() const noexcept;
    // Sorted canonical tenant ids; empty: every tenant.
    const std::vector<std::string>& tenant_scope() const noexcept;
    bool in_scope(std::string_view tenant_id) const;

    // Throws AccessDenied when the session may not do `op` (on `tenant_id`), having recorded
    // the refusal in the audit chain exactly once: in `write_tx` when the caller holds a write
    // transaction (committed there, as nothing else was done in it), else in a transaction of
    // its own. A second write transaction beside the caller's would wait for the caller's own
    // writer slot until the busy timeout.
    void authorize(Operation op, std::string_view tenant_id = {}, StoreTransaction* write_tx = nullptr) const;

    void append_audit(StoreTransaction& tx, std::string_view type, std::string_view tenant_id,
                      std::string_view outcome, std::string_view reason, std::string details) const;
    // An audit event that also anchors the security state of `tenant_id` ("": the default
    // policy) as `tx` now holds it (`row`: the tenant as just written; none when absent). Only
    // after the state read in `tx` was checked (verified_tenant, require_state), so that what is
    // anchored is what portout wrote.
    void append_state_change(StoreTransaction& tx, std::string_view type, std::string_view tenant_id,
                             const std::optional<TenantRecord>& row, std::string_view outcome,
                             std::string_view reason, std::string details) const;

    // Throws StoreTampered unless the security state of `tenant_id` (its row as read in `tx`,
    // none when absent, and its policy) and the store's default policy are what their anchors
    // recorded. The finding is recorded once, with a notice to the tenant's admins: in `tx`
    // itself when `tx_writes` (committed there: nothing may have been written in it yet), else
    // in a transaction of its own.
    void require_state(StoreTransaction& tx, std::string_view tenant_id, const std::optional<TenantRecord>& row,
                       bool tx_writes) const;
    // The tenant as `tx` reads it, its state checked (require_state); TenantNotFound when absent.
    TenantRecord verified_tenant(StoreTransaction& tx, const std::string& tenant_id, bool tx_writes) const;
    // The same for a page of tenants: the first whose state does not hold is refused.
    void require_states(StoreTransaction& tx, const std::vector<TenantRecord>& rows) const;
    // Records in `tx` (not committed) that the state of `tenant_id` ("": the default policy)
    // does not hold: an audit event and a notice to the tenant's admins.
    void note_tampered_state(StoreTransaction& tx, std::string_view tenant_id) const;
    [[noreturn]] void state_tampered(std::string_view tenant_id, StoreTransaction* write_tx) const;
    // Chains `events` (type, tenant, outcome, reason and details filled in) after the last one.
    void append_audit_events(StoreTransaction& tx, std::vector<AuditRecord>& events) const;
};

}  // namespace portout
