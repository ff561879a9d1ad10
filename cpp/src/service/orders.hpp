// Port-out orders and the freeze (docs/porting.md). A request is validated as a carrier sends it
// (47 CFR 52.36(b)): its fields first, for every tenant alike; then the PIN check's first two
// steps; then, in one write transaction, the PIN outcome and, only for a requester who gave the
// right PIN, the freeze, the account number, ZIP code and authorized name, the numbers and the
// kind of port, each mismatch with its own reason; the order (PendingReview with its deadline,
// or Rejected), its first history step, its audit event and its notifications.
//
//   PendingReview -> Approved -> Confirmed (FOC) -> Completed (the numbers leave the inventory)
//   PendingReview -> Denied (a reason code);  at the deadline, the policy's action
//   PendingReview | Approved | Confirmed -> Cancelled (a reason code; not near the FOC)
//
// A carrier sees only its own orders and never the exact reason; an order outside the session's
// scope is absent. Every transition is a history step, an audit event and a notification to
// the tenant's side and to the carrier.
#pragma once

#include "service/context.hpp"

#include <array>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace portout {

class Pins;

// An order's states.
namespace order_state {
inline constexpr std::string_view kSubmitted = "Submitted";  // kept by stores before the review
inline constexpr std::string_view kPendingReview = "PendingReview";
inline constexpr std::string_view kRejected = "Rejected";
inline constexpr std::string_view kApproved = "Approved";
inline constexpr std::string_view kDenied = "Denied";
inline constexpr std::string_view kConfirmed = "Confirmed";
inline constexpr std::string_view kCompleted = "Completed";
inline constexpr std::string_view kCancelled = "Cancelled";
// The states in which an order holds its numbers.
inline constexpr std::array<std::string_view, 4> kOpen = {kPendingReview, kApproved, kConfirmed, kSubmitted};
}  // namespace order_state


class Orders {
public:
    // `pins` checks a request's PIN.
    Orders(const ServiceContext& ctx, Pins& pins) : ctx_(ctx), pins_(pins) {}

    Order submit_order(const PortOutRequest& request, std::string_view pin);
    Order get_order(std::string_view order_id);
    std::vector<Order> list_orders(const OrderQuery& query);
    std::vector<OrderStep> order_history(std::string_view order_id);
    Order approve_order(std::string_view order_id, std::string_view comment);
    Order deny_order(std::string_view order_id, std::string_view reason, std::string_view comment);
    std::int64_t settle_due_reviews();
    Order confirm_order(std::string_view order_id, Millis foc);
    Order change_foc(std::string_view order_id, Millis foc, std::string_view comment);
    Order complete_order(std::string_view order_id);
    Order cancel_order(std::string_view order_id, std::string_view reason, std::string_view comment);

    Tenant set_freeze(std::string_view tenant_id, bool frozen);

    // The order, or OrderNotFound when it does not exist or is outside what this session may
    // see. `writing`: tx is a write transaction, in which a refusal is recorded.
    OrderRecord require_order(StoreTransaction& tx, std::string_view order_id, Operation op, bool writing);

private:
    // One transition: what `decide` makes of the order (it may refuse by throwing), recorded.
    struct Step {
        std::string to;
        std::string event;            // the audit event and notification kind
        std::string reason;           // told to the carrier
        std::string internal_reason;  // told to the tenant's side
        std::string comment;
        std::string details;          // added to the audit details
    };
    Order order_of(StoreTransaction& tx, const OrderRecord& r) const;
    // A retried request's first order (IdempotencyKeyReused when the request is another one).
    Order replay(const OrderRecord& first, const std::string& request_hash);
    Order transition(std::string_view order_id, Operation op,
                     const std::function<std::vector<Step>(StoreTransaction&, OrderRecord&)>& decide);
    // Records one step of `o` (already changed) in `tx`: history, audit, notifications.
    void record_step(StoreTransaction& tx, const OrderRecord& o, const std::string& from, const Step& step,
                     std::string_view by);
    // Orders under review past their deadline settled in `tx`; `only`: just this one.
    std::int64_t settle(StoreTransaction& tx, const std::optional<std::string>& only);
    // Settles what is due before a read, in a write transaction only when something is.
    void settle_before_read();
    int next_step(StoreTransaction& tx, const std::string& order_id) const;

    const ServiceContext& ctx_;
    Pins& pins_;
};

}  // namespace portout
