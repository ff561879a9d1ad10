// Reading the audit log: events by tenant, type, time and position, a scoped session's own
// tenants only, and a tenant's history from its latest creation (an id removed and created again
// does not show the removed tenant's events; a store-wide query shows all); and verifying the
// whole chain in one snapshot.
#pragma once

#include "service/context.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace portout {

class AuditLog {
public:
    explicit AuditLog(const ServiceContext& ctx) : ctx_(ctx) {}

    std::vector<AuditEvent> audit_events(const AuditQuery& query);
    // The chain, and the checkpoint documents given against it (see audit_checkpoint.hpp).
    AuditVerification verify_audit(const ProgressHook& progress,
                                   const std::vector<std::string>& checkpoints = {});

private:
    const ServiceContext& ctx_;
};

}  // namespace portout
