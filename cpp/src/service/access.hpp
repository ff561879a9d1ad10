// Who may do what: a session's role and tenant scope, and the one rule that decides whether an
// operation is allowed. Recording a refusal is the service's (it holds the audit chain).
#pragma once

#include <portout/service.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace portout {

class Access {
public:
    // `scope`: the tenants the session may act on (any spelling; kept canonical and sorted);
    // empty: every tenant.
    Access(Role role, const std::vector<std::string>& scope);

    Role role() const noexcept { return role_; }
    // Sorted canonical tenant ids; empty: every tenant.
    const std::vector<std::string>& scope() const noexcept { return scope_; }
    bool in_scope(std::string_view tenant_id) const;

    // Why the session may not do `op` on `tenant_id` (empty: on the store as a whole), or
    // nothing when it may.
    std::optional<std::string> refusal(Operation op, std::string_view tenant_id) const;

private:
    Role role_;
    std::vector<std::string> scope_;
};

}  // namespace portout
