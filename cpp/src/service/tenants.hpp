// Tenants: created one by one or imported many in one transaction, read, listed within the
// session's scope, updated and removed (refused while an order of theirs is in flight), and the
// account details a port-out request is matched against (account number, ZIP, name, zone). Also
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

// `whole_account`: the account number whole (the tenant's admins), else its last four only.
Tenant tenant_of(const TenantRecord& r, bool whole_account = true);
// An account number as an Auditor sees it: its last four characters, the rest starred.
std::string masked_account_number(std::string_view account_number);
// An account number as kept: 4 to 20 letters and digits, upper case, spaces and hyphens dropped
// (InvalidAccountNumber); a ZIP code, 12345 or 12345-6789 (InvalidPostalCode).
std::string canonical_account_number(std::string_view raw);
std::string canonical_zip(std::string_view raw);
// A new billing account number: twelve digits, not the first a zero, no other tenant's.
std::string new_account_number(StoreTransaction& tx);
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
    Tenant update_tenant(std::string_view tenant_id, const TenantChange& change);
    void remove_tenant(std::string_view tenant_id);
    // Gives every tenant without a billing account number one, and marks the store (meta
    // `mark`) as done; audited (AccountNumbersAssigned).
    void assign_account_numbers(const std::string& mark);

private:
    const ServiceContext& ctx_;
};

}  // namespace portout
