// Policies: the store's default PIN and lockout policy and each tenant's overrides over it; what
// applies (effective_policy, held to the seed's 6 to 10 digits whatever the store says), and
// reading, changing, resetting and trying them.
#pragma once

#include "service/context.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace portout {

// The policy that applies to `scope` ("" for the store default, else a tenant id).
EffectivePolicy effective_policy(StoreTransaction& tx, std::string_view scope);
// The store default a new store starts with.
PolicyRecord default_policy_record(Millis now, const std::string& actor);

class Policies {
public:
    explicit Policies(const ServiceContext& ctx) : ctx_(ctx) {}

    EffectivePolicy get_policy(std::optional<std::string_view> tenant_id);
    EffectivePolicy set_policy(std::optional<std::string_view> tenant_id, const PolicyChange& change);
    EffectivePolicy reset_policy(std::string_view tenant_id);
    EffectivePolicy repair_default_policy();
    std::vector<Violation> test_pin_policy(std::optional<std::string_view> tenant_id, std::string_view pin);

private:
    // The scope's state checked: the default policy's ("") or the tenant's (then its row, or
    // TenantNotFound).
    std::optional<TenantRecord> require_scope(StoreTransaction& tx, const std::string& scope, bool tx_writes) const;

    const ServiceContext& ctx_;
};

}  // namespace portout
