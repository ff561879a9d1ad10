// The outbox: a notification is written by the transaction of the change it tells of (notify),
// and each consumer is handed, oldest first, what it has not acknowledged. A scoped session sees
// and acknowledges only its tenants' notifications, and its consumers are its own; a Carrier
// session sees only the notifications written for it, of its own orders.
#pragma once

#include "service/context.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace portout {

// Adds a notification to the outbox, in `tx`: it is kept exactly when the change is. For the
// tenant's side (audience ""), or for the carrier that submitted an order (its actor), which
// is told only what a carrier may know.
void notify(const ServiceContext& ctx, StoreTransaction& tx, std::string_view kind, std::string_view tenant_id,
            std::string_view order_id, std::string summary, std::string details = {},
            std::string_view audience = {});

class Notifications {
public:
    explicit Notifications(const ServiceContext& ctx) : ctx_(ctx) {}

    std::vector<Notification> receive_notifications(std::string_view consumer, std::size_t max_count);
    // How many of `ids` were newly acknowledged (ids unknown, acknowledged before, or outside
    // the session's scope count nothing); a change is audited.
    std::int64_t acknowledge_notifications(std::string_view consumer, const std::vector<std::int64_t>& ids);

    // The name the store keeps `consumer` under: the name itself for an unscoped session, else
    // the name and a fingerprint of the session's scope.
    std::string consumer_key(const std::string& consumer) const;
    // Whose notifications this session receives: a Carrier's own orders', else the tenants'.
    std::string audience() const;

private:
    const ServiceContext& ctx_;
};

}  // namespace portout
