// Port-out orders and the freeze: a request runs the PIN check's first two steps and then, in
// one write transaction, the PIN outcome, every other check, the order (Submitted or Rejected),
// its audit event and its notification; then Submitted -> Confirmed (with the FOC date) ->
// Completed (the numbers leave the inventory), or Cancelled before that. A carrier sees only
// its own orders and never the exact reason; an order outside the session's scope is absent.
// While a tenant is frozen, every request is refused before its PIN is looked at.
#pragma once

#include "service/context.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace portout {

class Pins;

// An order's states.
namespace order_state {
inline constexpr std::string_view kSubmitted = "Submitted";
inline constexpr std::string_view kRejected = "Rejected";
inline constexpr std::string_view kConfirmed = "Confirmed";
inline constexpr std::string_view kCompleted = "Completed";
inline constexpr std::string_view kCancelled = "Cancelled";
}  // namespace order_state

class Orders {
public:
    // `pins` checks a request's PIN.
    Orders(const ServiceContext& ctx, Pins& pins) : ctx_(ctx), pins_(pins) {}

    Order submit_order(std::string_view tenant_id, const std::vector<std::string>& numbers, std::string_view pin,
                       std::string_view gaining_carrier, std::optional<Millis> requested_foc);
    Order get_order(std::string_view order_id);
    std::vector<Order> list_orders(const OrderQuery& query);
    Order confirm_order(std::string_view order_id, Millis foc);
    Order complete_order(std::string_view order_id);
    Order cancel_order(std::string_view order_id);

    Tenant set_freeze(std::string_view tenant_id, bool frozen);

    // The order, or OrderNotFound when it does not exist or is outside what this session may
    // see. `writing`: tx is a write transaction, in which a refusal is recorded.
    OrderRecord require_order(StoreTransaction& tx, std::string_view order_id, Operation op, bool writing);

private:
    Order order_of(StoreTransaction& tx, const OrderRecord& r) const;
    Order transition(std::string_view order_id, Operation op, const std::vector<std::string>& from,
                     const std::string& to, std::optional<Millis> foc);

    const ServiceContext& ctx_;
    Pins& pins_;
};

}  // namespace portout
