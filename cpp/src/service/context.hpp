// What the service's area units share: the session's store, clock, actor, access, hasher, keys,
// audit chain and workers (each owned by PortOutService, which outlives its units), and the
// steps every operation takes: the refusal rule applied and recorded, and its audit event.
#pragma once

#include <portout/audit.hpp>
#include <portout/clock.hpp>
#include <portout/pin_hasher.hpp>
#include <portout/service.hpp>
#include <portout/store.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace portout {

class Access;
class AuditChain;
class KeyRing;
class WorkerPool;

struct ServiceContext {
    Store& store;
    const Clock& clock;
    const std::string& actor;
    const Access& access;
    const PinHasher& hasher;
    KeyRing& keys;
    const AuditChain& audit;
    WorkerPool& workers;
    const std::string& store_id;
    bool test_clock;  // the caller's own clock (a store made for tests), not the system's

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
    // Chains `events` (type, tenant, outcome, reason and details filled in) after the last one.
    void append_audit_events(StoreTransaction& tx, std::vector<AuditRecord>& events) const;
};

}  // namespace portout
