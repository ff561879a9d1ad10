#include "service/context.hpp"

#include <portout/errors.hpp>
#include "service/access.hpp"
#include "service/audit_chain.hpp"
#include "service/notifications.hpp"
#include "service/tenant_state.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <utility>

namespace portout {

Millis ServiceContext::lock_time(StoreTransaction& tx) const {
    if (test_clock) return now();
    return tx.server_time().value_or(now());
}

Role ServiceContext::role() const noexcept {
    return access.role();
}

const std::vector<std::string>& ServiceContext::tenant_scope() const noexcept {
    return access.scope();
}

bool ServiceContext::in_scope(std::string_view tenant_id) const {
    return access.in_scope(tenant_id);
}

void ServiceContext::authorize(Operation op, std::string_view tenant_id, StoreTransaction* write_tx) const {
    const auto why = access.refusal(op, tenant_id);
    if (!why) return;
    std::unique_ptr<StoreTransaction> own;
    if (!write_tx) {
        own = store.begin(TxMode::Write);
        write_tx = own.get();
    }
    append_audit(*write_tx, "AccessDenied", tenant_id, "Denied", to_string(op),
                 "role=" + std::string(to_string(role())));
    write_tx->commit();
    throw PermissionDeniedError("AccessDenied", *why, std::string(tenant_id));
}

void ServiceContext::append_audit_events(StoreTransaction& tx, std::vector<AuditRecord>& events) const {
    // Every event of a tenant carries its state: the one it left, or the one before it, so a
    // tenant's newest event is always its anchor (an anchor removed or nulled shows at once).
    std::map<std::string, std::string, std::less<>> carried;
    for (auto& e : events) {
        if (e.state_mac.empty()) {
            auto it = carried.find(e.tenant_id);
            if (it == carried.end()) {
                auto marks = tx.state_marks({e.tenant_id});
                it = carried
                         .emplace(e.tenant_id, audit.carried_state(marks.empty() ? std::nullopt
                                                                                 : std::optional(marks.front())))
                         .first;
            }
            e.state_mac = it->second;
        } else {
            carried[e.tenant_id] = e.state_mac;
        }
    }
    if (!via.empty()) {
        for (auto& e : events) e.details += (e.details.empty() ? "via=" : " via=") + via;
    }
    audit.append(tx, events, actor, now());
}

namespace {

AuditRecord event_of(std::string_view type, std::string_view tenant_id, std::string_view outcome,
                     std::string_view reason, std::string details) {
    AuditRecord e;
    e.event_type = type;
    e.tenant_id = tenant_id;
    e.outcome = outcome;
    e.reason = reason;
    e.details = std::move(details);
    return e;
}

}  // namespace

void ServiceContext::append_audit(StoreTransaction& tx, std::string_view type, std::string_view tenant_id,
                                  std::string_view outcome, std::string_view reason, std::string details) const {
    std::vector<AuditRecord> one{event_of(type, tenant_id, outcome, reason, std::move(details))};
    append_audit_events(tx, one);
}

void ServiceContext::append_state_change(StoreTransaction& tx, std::string_view type, std::string_view tenant_id,
                                         const std::optional<TenantRecord>& row, std::string_view outcome,
                                         std::string_view reason, std::string details) const {
    std::vector<AuditRecord> one{event_of(type, tenant_id, outcome, reason, std::move(details))};
    one.front().state_mac = state_mac(*this, tx, tenant_id, row);
    append_audit_events(tx, one);
}

void ServiceContext::note_tampered_state(StoreTransaction& tx, std::string_view tenant_id) const {
    const bool policy = tenant_id.empty();
    append_audit(tx, "StoreTampered", tenant_id, "Failure",
                 policy ? "DefaultPolicyNotAuthentic" : "TenantStateNotAuthentic",
                 "the state read is not the state portout last wrote; refused until repaired");
    notify(*this, tx, "StoreTampered", tenant_id, "",
           policy ? "The store's default PIN policy was changed outside portout: PIN checks are refused until a "
                    "StoreAdmin repairs it."
                  : "This tenant's port-out security state was changed outside portout: port-out and PIN checks "
                    "are refused until a StoreAdmin repairs it.");
}

void ServiceContext::state_tampered(std::string_view tenant_id, StoreTransaction* write_tx) const {
    std::unique_ptr<StoreTransaction> own;
    if (!write_tx) {
        own = store.begin(TxMode::Write);
        write_tx = own.get();
    }
    note_tampered_state(*write_tx, tenant_id);
    write_tx->commit();
    if (tenant_id.empty()) {
        throw SecurityError("StoreTampered",
                            "The store's default PIN policy is not what portout last wrote: it was changed in the "
                            "database by someone without the store key. Nothing that depends on it is done until a "
                            "StoreAdmin runs Repair-PortOutTenant -DefaultPolicy.",
                            store.location());
    }
    throw SecurityError("StoreTampered",
                        "This tenant's security state (its PIN record, failed attempts, lock, freeze or policy) is "
                        "not what portout last wrote: it was changed in the database by someone without the store "
                        "key. Nothing is done for this tenant until a StoreAdmin runs Repair-PortOutTenant.",
                        std::string(tenant_id));
}

void ServiceContext::require_state(StoreTransaction& tx, std::string_view tenant_id,
                                   const std::optional<TenantRecord>& row, bool tx_writes) const {
    std::vector<std::pair<std::string, std::optional<TenantRecord>>> rows;
    if (!tenant_id.empty()) rows.emplace_back(std::string(tenant_id), row);
    const auto bad = states_not_held(*this, tx, rows);
    if (bad.empty()) return;
    // The default policy first: it is what every tenant's checks stand on.
    state_tampered(std::find(bad.begin(), bad.end(), "") != bad.end() ? std::string_view() : tenant_id,
                   tx_writes ? &tx : nullptr);
}

TenantRecord ServiceContext::verified_tenant(StoreTransaction& tx, const std::string& tenant_id,
                                             bool tx_writes) const {
    auto row = tx.tenant(tenant_id);
    require_state(tx, tenant_id, row, tx_writes);
    if (!row) throw ObjectNotFoundError("TenantNotFound", "No tenant has this id.", tenant_id);
    return std::move(*row);
}

void ServiceContext::require_states(StoreTransaction& tx, const std::vector<TenantRecord>& rows) const {
    std::vector<std::pair<std::string, std::optional<TenantRecord>>> ids;
    ids.reserve(rows.size());
    for (const auto& r : rows) ids.emplace_back(r.tenant_id, r);
    const auto bad = states_not_held(*this, tx, ids);
    if (!bad.empty()) state_tampered(bad.front(), nullptr);
}

}  // namespace portout
