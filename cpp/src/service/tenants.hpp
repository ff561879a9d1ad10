// Tenants: created one by one or imported many in one transaction, read, listed within the
// session's scope, updated and removed (refused while an order of theirs is in flight). Also
// what the other units need of a tenant: require_tenant, visible_tenants and tenant_of.
#pragma once

#include "service/context.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace portout {

Tenant tenant_of(const TenantRecord& r);
// The tenant, or TenantNotFound.
TenantRecord require_tenant(StoreTransaction& tx, const std::string& tenant_id);
// A page of the tenants after `after` that the session may see (its scope, or every tenant),
// each one's state checked (StoreTampered for the first that does not hold).
std::vector<TenantRecord> visible_tenants(const ServiceContext& ctx, std::string_view after, std::size_t limit);

class Tenants {
public:
    explicit Tenants(const ServiceContext& ctx) : ctx_(ctx) {}

    Tenant create_tenant(std::string_view tenant_id, std::string_view display_name, std::string_view country);
    std::int64_t import_tenants(const std::vector<std::array<std::string, 3>>& rows);
    Tenant get_tenant(std::string_view tenant_id);
    std::vector<Tenant> list_tenants(std::string_view after_tenant_id, std::size_t limit);
    TenantCounts count_tenants();
    Tenant update_tenant(std::string_view tenant_id, std::optional<std::string_view> display_name,
                         std::optional<std::string_view> country);
    void remove_tenant(std::string_view tenant_id);

private:
    const ServiceContext& ctx_;
};

}  // namespace portout
