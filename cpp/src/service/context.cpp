#include "service/context.hpp"

#include <portout/errors.hpp>
#include "service/access.hpp"
#include "service/audit_chain.hpp"

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
    audit.append(tx, events, actor, now());
}

void ServiceContext::append_audit(StoreTransaction& tx, std::string_view type, std::string_view tenant_id,
                                  std::string_view outcome, std::string_view reason, std::string details) const {
    AuditRecord e;
    e.event_type = type;
    e.tenant_id = tenant_id;
    e.outcome = outcome;
    e.reason = reason;
    e.details = std::move(details);
    std::vector<AuditRecord> one;
    one.push_back(std::move(e));
    append_audit_events(tx, one);
}

}  // namespace portout
