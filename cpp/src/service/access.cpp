#include "service/access.hpp"

#include <portout/identity.hpp>

#include <algorithm>
#include <cctype>

namespace portout {

std::string_view to_string(Role role) noexcept {
    switch (role) {
        case Role::StoreAdmin: return "StoreAdmin";
        case Role::TelephonyAdmin: return "TelephonyAdmin";
        case Role::Carrier: return "Carrier";
        case Role::Auditor: return "Auditor";
    }
    return "Unknown";
}

std::optional<Role> parse_role(std::string_view name) noexcept {
    for (auto r : {Role::StoreAdmin, Role::TelephonyAdmin, Role::Carrier, Role::Auditor}) {
        const auto id = to_string(r);
        if (id.size() == name.size() &&
            std::equal(id.begin(), id.end(), name.begin(), [](char a, char b) {
                return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
            })) {
            return r;
        }
    }
    return std::nullopt;
}

std::string_view to_string(Operation op) noexcept {
    switch (op) {
        case Operation::CreateTenant: return "CreateTenant";
        case Operation::ReadTenant: return "ReadTenant";
        case Operation::UpdateTenant: return "UpdateTenant";
        case Operation::RemoveTenant: return "RemoveTenant";
        case Operation::SetPin: return "SetPin";
        case Operation::ReadPinStatus: return "ReadPinStatus";
        case Operation::CheckPin: return "CheckPin";
        case Operation::UnlockPin: return "UnlockPin";
        case Operation::ReadPolicy: return "ReadPolicy";
        case Operation::SetPolicy: return "SetPolicy";
        case Operation::TestPolicy: return "TestPolicy";
        case Operation::ReadAudit: return "ReadAudit";
        case Operation::VerifyAudit: return "VerifyAudit";
        case Operation::RotateKey: return "RotateKey";
        case Operation::CopyStore: return "CopyStore";
        case Operation::SetHashProfile: return "SetHashProfile";
        case Operation::AddNumber: return "AddNumber";
        case Operation::ReadNumbers: return "ReadNumbers";
        case Operation::RemoveNumber: return "RemoveNumber";
        case Operation::SubmitOrder: return "SubmitOrder";
        case Operation::ReadOrders: return "ReadOrders";
        case Operation::ManageOrder: return "ManageOrder";
        case Operation::CancelOrder: return "CancelOrder";
        case Operation::Freeze: return "Freeze";
        case Operation::Notifications: return "Notifications";
        case Operation::CheckpointAudit: return "CheckpointAudit";
        case Operation::RepairState: return "RepairState";
        case Operation::ReviewOrder: return "ReviewOrder";
        case Operation::UpdateAccount: return "UpdateAccount";
        case Operation::ManagePrincipals: return "ManagePrincipals";
        case Operation::DeliverNotifications: return "DeliverNotifications";
    }
    return "Unknown";
}

bool role_allows(Role role, Operation op) noexcept {
    switch (role) {
        case Role::StoreAdmin:
            return true;
        case Role::TelephonyAdmin:
            return op == Operation::ReadTenant || op == Operation::SetPin ||
                   op == Operation::ReadPinStatus || op == Operation::CheckPin ||
                   op == Operation::ReadPolicy || op == Operation::SetPolicy ||
                   op == Operation::TestPolicy || op == Operation::ReadAudit ||
                   op == Operation::AddNumber || op == Operation::ReadNumbers ||
                   op == Operation::RemoveNumber || op == Operation::ReadOrders ||
                   op == Operation::CancelOrder || op == Operation::Freeze ||
                   op == Operation::Notifications || op == Operation::ReviewOrder ||
                   op == Operation::UpdateAccount || op == Operation::UnlockPin;
        case Role::Auditor:
            return op == Operation::ReadTenant || op == Operation::ReadPinStatus ||
                   op == Operation::ReadPolicy || op == Operation::TestPolicy ||
                   op == Operation::ReadAudit || op == Operation::VerifyAudit ||
                   op == Operation::CheckpointAudit || op == Operation::ReadNumbers ||
                   op == Operation::ReadOrders;
        case Role::Carrier:
            // A gaining carrier submits orders, sees and cancels its own, and receives the
            // notifications of its own orders.
            return op == Operation::SubmitOrder || op == Operation::ReadOrders ||
                   op == Operation::CancelOrder || op == Operation::Notifications;
    }
    return false;
}

Access::Access(Role role, const std::vector<std::string>& scope) : role_(role) {
    for (const auto& id : scope) scope_.push_back(canonical_tenant_id(id));
    std::sort(scope_.begin(), scope_.end());
    scope_.erase(std::unique(scope_.begin(), scope_.end()), scope_.end());
}

bool Access::in_scope(std::string_view tenant_id) const {
    return scope_.empty() || std::binary_search(scope_.begin(), scope_.end(), tenant_id);
}

std::optional<std::string> Access::refusal(Operation op, std::string_view tenant_id) const {
    if (!role_allows(role_, op)) {
        return "The role " + std::string(to_string(role_)) + " may not perform " + std::string(to_string(op)) + ".";
    }
    if (!tenant_id.empty() && !in_scope(tenant_id)) return "The tenant is outside this session's tenant scope.";
    const bool store_wide = op == Operation::SetPolicy || op == Operation::RotateKey ||
                            op == Operation::CreateTenant || op == Operation::CopyStore ||
                            op == Operation::SetHashProfile || op == Operation::CheckpointAudit ||
                            op == Operation::RepairState || op == Operation::ManagePrincipals ||
                            op == Operation::DeliverNotifications;
    if (tenant_id.empty() && !scope_.empty() && store_wide) {
        return "A store-wide " + std::string(to_string(op)) + " needs a session without a tenant scope.";
    }
    if (tenant_id.empty() && op == Operation::SetPolicy && role_ != Role::StoreAdmin) {
        return "Only a StoreAdmin may change the store's default policy.";
    }
    return std::nullopt;
}

}  // namespace portout
