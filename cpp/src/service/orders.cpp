#include "service/orders.hpp"

#include <portout/crypto.hpp>
#include <portout/errors.hpp>
#include <portout/identity.hpp>
#include <portout/phone_number.hpp>
#include "service/notifications.hpp"
#include "service/pins.hpp"
#include "service/tenants.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

namespace portout {

namespace {

using namespace order_state;

std::string canonical_carrier(std::string_view raw) {
    try {
        return canonical_display_name(raw);
    } catch (const InvalidArgumentError&) {
        throw InvalidArgumentError("InvalidCarrier",
                                   "The gaining carrier is named by 1 to 256 characters of text.");
    }
}

}  // namespace

Order Orders::order_of(StoreTransaction& tx, const OrderRecord& r) const {
    Order o;
    o.seq = r.seq;
    o.order_id = r.order_id;
    o.tenant_id = r.tenant_id;
    o.gaining_carrier = r.carrier;
    o.submitted_by = r.submitted_by;
    o.status = r.status;
    o.reason = r.reason;
    // The exact reason is for the tenant's side; a carrier learns only what it is told.
    if (ctx_.role() != Role::Carrier) o.internal_reason = r.internal_reason;
    o.requested_foc = r.requested_foc;
    o.foc = r.foc;
    o.created_at = r.created_at;
    o.modified_at = r.modified_at;
    o.modified_by = r.modified_by;
    o.numbers = tx.order_numbers(r.order_id);
    return o;
}

Order Orders::submit_order(std::string_view raw_id, const std::vector<std::string>& raw_numbers,
                           std::string_view pin, std::string_view raw_carrier, std::optional<Millis> requested_foc) {
    const auto id = canonical_tenant_id(raw_id);
    ctx_.authorize(Operation::SubmitOrder, id);
    refuse_overlong_pin(pin, id);
    const auto carrier = canonical_carrier(raw_carrier);
    if (raw_numbers.empty()) {
        throw InvalidArgumentError("NoPhoneNumbers", "A port-out order names at least one number.");
    }
    if (raw_numbers.size() > kMaxNumbersPerOrder) {
        throw InvalidArgumentError("TooManyPhoneNumbers",
                                   "A port-out order names at most " + std::to_string(kMaxNumbersPerOrder) +
                                       " numbers; split the request.");
    }
    std::vector<std::string> numbers;
    for (const auto& raw : raw_numbers) numbers.push_back(canonical_us_number(raw));
    std::sort(numbers.begin(), numbers.end());
    numbers.erase(std::unique(numbers.begin(), numbers.end()), numbers.end());

    // A request that carries no PIN is refused as such (Bandwidth's 7512, "PIN required", beside
    // 7513 "PIN invalid"), before the tenant is read: the answer is the same for every tenant, so
    // it tells nothing, and nothing is counted, so requests without a PIN lock no one out.
    const bool pin_given = !pin.empty();
    // The PIN check of issue three: counted first, verified outside any transaction.
    std::optional<PinAttempt> attempt;
    std::optional<Secret> upgraded;
    bool pin_right = false;
    if (pin_given) {
        attempt = pins_.begin_pin_attempt(id);
        pin_right = pins_.verify_pin_attempt(*attempt, pin, upgraded);
    }

    // Everything else, and the order itself, in one transaction.
    auto tx = ctx_.store.begin(TxMode::Write);
    const bool accepted = pin_given && pins_.record_pin_outcome(*tx, *attempt, pin_right, upgraded);
    OrderRecord o;
    o.order_id = random_uuid();
    o.tenant_id = id;
    o.carrier = carrier;
    o.submitted_by = ctx_.actor;
    o.requested_foc = requested_foc;
    o.created_at = o.modified_at = ctx_.now();
    o.modified_by = ctx_.actor;
    std::vector<OrderNumber> lines;
    for (const auto& n : numbers) lines.push_back({n, ""});
    const auto tenant = tx->tenant(id);
    if (!pin_given) {
        o.reason = o.internal_reason = "PinRequired";
    } else if (!accepted) {
        // Wrong, not set, locked, unknown or frozen: the carrier cannot tell; the freeze is told
        // only to whoever gave the right PIN (so the customer learns to lift it).
        o.reason = "PinNotAccepted";
        o.internal_reason = attempt->path != PinAttempt::Path::Evaluate ? std::string(attempt->reason())
                            : pin_right                                 ? "StoreTampered"
                                                                        : "WrongPin";
    } else if (tenant && tenant->frozen) {
        o.reason = o.internal_reason = "PortOutFrozen";
    } else {
        bool not_owned = false;
        bool in_order = false;
        for (auto& line : lines) {
            const auto held = tx->number(line.number);
            if (!held || held->tenant_id != id) {
                line.problem = "NumberNotOwned";
                not_owned = true;
            } else if (tx->open_order_holding(line.number)) {
                line.problem = "NumberInOpenOrder";
                in_order = true;
            }
        }
        if (not_owned) {
            o.reason = o.internal_reason = "NumberNotOwned";
        } else if (in_order) {
            o.reason = o.internal_reason = "NumberInOpenOrder";
        }
    }
    o.status = o.reason.empty() ? std::string(kSubmitted) : std::string(kRejected);
    if (o.status == kRejected && o.reason != "NumberNotOwned" && o.reason != "NumberInOpenOrder") {
        for (auto& line : lines) line.problem.clear();  // nothing about numbers before the PIN is right
    }
    tx->insert_order(o, lines);
    const std::string details = "order=" + o.order_id + " carrier=" + carrier +
                                " numbers=" + std::to_string(lines.size()) +
                                (o.internal_reason.empty() ? "" : " reason=" + o.internal_reason);
    ctx_.append_audit(*tx, "PortOutRequested", id, o.status == kSubmitted ? "Success" : "Failure",
                      o.internal_reason, details);
    notify(ctx_, *tx, "PortOutRequest", id, o.order_id,
           o.status == kSubmitted
               ? "A port-out request from " + carrier + " for " + std::to_string(lines.size()) +
                     " number(s) was accepted."
               : "A port-out request from " + carrier + " was rejected: " + o.internal_reason + ".",
           details);
    auto result = order_of(*tx, o);
    tx->commit();
    return result;
}

OrderRecord Orders::require_order(StoreTransaction& tx, std::string_view raw_order_id, Operation op, bool writing) {
    // Order ids are the GUIDs this service made; anything else names no order.
    std::string order_id(raw_order_id);
    for (auto& c : order_id) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const bool guid = order_id.size() == 36 && std::all_of(order_id.begin(), order_id.end(), [](char c) {
        return c == '-' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    });
    if (!guid) {
        throw ObjectNotFoundError("OrderNotFound", "No port-out order has this id.",
                                  is_valid_utf8(raw_order_id) && raw_order_id.size() <= 64
                                      ? std::string(raw_order_id) : std::string());
    }
    auto o = tx.order(order_id);
    // A carrier sees only its own orders; an order outside one's scope is as good as absent.
    if (!o || (ctx_.role() == Role::Carrier && o->submitted_by != ctx_.actor) || !ctx_.in_scope(o->tenant_id)) {
        if (o && role_allows(ctx_.role(), op)) {
            ctx_.authorize(op, o->tenant_id, writing ? &tx : nullptr);  // records the refusal
        }
        throw ObjectNotFoundError("OrderNotFound", "No port-out order has this id.", order_id);
    }
    return std::move(*o);
}

Order Orders::get_order(std::string_view order_id) {
    ctx_.authorize(Operation::ReadOrders);
    auto tx = ctx_.store.begin(TxMode::Read);
    return order_of(*tx, require_order(*tx, order_id, Operation::ReadOrders, false));
}

std::vector<Order> Orders::list_orders(const OrderQuery& query) {
    OrderQuery q = query;
    for (auto& id : q.tenant_ids) id = canonical_tenant_id(id);
    if (q.tenant_ids.empty()) {
        ctx_.authorize(Operation::ReadOrders);
        q.tenant_ids = ctx_.tenant_scope();
    } else {
        for (const auto& id : q.tenant_ids) ctx_.authorize(Operation::ReadOrders, id);
    }
    if (ctx_.role() == Role::Carrier) q.submitted_by = ctx_.actor;
    q.limit = std::clamp<std::size_t>(q.limit, 1, 100000);
    auto tx = ctx_.store.begin(TxMode::Read);
    std::vector<Order> out;
    for (const auto& r : tx->orders(q)) out.push_back(order_of(*tx, r));
    return out;
}

Order Orders::transition(std::string_view order_id, Operation op, const std::vector<std::string>& from,
                         const std::string& to, std::optional<Millis> foc) {
    ctx_.authorize(op);
    auto tx = ctx_.store.begin(TxMode::Write);
    auto o = require_order(*tx, order_id, op, true);
    ctx_.authorize(op, o.tenant_id, tx.get());
    if (std::find(from.begin(), from.end(), o.status) == from.end()) {
        throw InvalidOperationError("InvalidOrderTransition",
                                    "A " + o.status + " order cannot become " + to + ".", o.order_id);
    }
    const std::string before = o.status;
    o.status = to;
    if (foc) o.foc = foc;
    o.modified_at = ctx_.now();
    o.modified_by = ctx_.actor;
    tx->update_order(o);
    std::string details = "order=" + o.order_id + " from=" + before;
    if (to == kCompleted) {
        // The numbers leave the tenant's inventory with the order, atomically.
        const auto lines = tx->order_numbers(o.order_id);
        for (const auto& line : lines) tx->delete_number(line.number);
        details += " released=" + std::to_string(lines.size());
    }
    if (to == kCompleted || to == kCancelled) tx->close_order_numbers(o.order_id);
    if (foc) details += " foc_ms=" + std::to_string(*foc);
    ctx_.append_audit(*tx, "Order" + to, o.tenant_id, "Success", "", details);
    notify(ctx_, *tx, "Order" + to, o.tenant_id, o.order_id,
           "The port-out order from " + o.carrier + " is " + to + ".", details);
    auto result = order_of(*tx, o);
    tx->commit();
    return result;
}

Order Orders::confirm_order(std::string_view order_id, Millis foc) {
    return transition(order_id, Operation::ManageOrder, {std::string(kSubmitted)}, std::string(kConfirmed), foc);
}

Order Orders::complete_order(std::string_view order_id) {
    return transition(order_id, Operation::ManageOrder, {std::string(kConfirmed)}, std::string(kCompleted),
                      std::nullopt);
}

Order Orders::cancel_order(std::string_view order_id) {
    return transition(order_id, Operation::CancelOrder, {std::string(kSubmitted), std::string(kConfirmed)},
                      std::string(kCancelled), std::nullopt);
}

// ---- the freeze ----------------------------------------------------------------------------

Tenant Orders::set_freeze(std::string_view raw_id, bool frozen) {
    const auto id = canonical_tenant_id(raw_id);
    ctx_.authorize(Operation::Freeze, id);
    auto tx = ctx_.store.begin(TxMode::Write);
    auto t = ctx_.verified_tenant(*tx, id, true);
    if (t.frozen == frozen) return tenant_of(t);  // nothing changes, nothing is recorded
    t.frozen = frozen;
    t.modified_at = ctx_.now();
    t.modified_by = ctx_.actor;
    tx->update_tenant(t);
    ctx_.append_state_change(*tx, frozen ? "PortOutFrozen" : "PortOutUnfrozen", id, t, "Success", "", "");
    notify(ctx_, *tx, frozen ? "PortOutFrozen" : "PortOutUnfrozen", id, "",
           std::string(frozen ? "Port-out was frozen" : "Port-out was unfrozen") + " by " + ctx_.actor + ".");
    tx->commit();
    return tenant_of(t);
}

}  // namespace portout
