#include "service/orders.hpp"

#include <portout/business_calendar.hpp>
#include <portout/crypto.hpp>
#include <portout/errors.hpp>
#include <portout/identity.hpp>
#include <portout/phone_number.hpp>
#include "service/notifications.hpp"
#include "service/order_fields.hpp"
#include "service/pins.hpp"
#include "service/policies.hpp"
#include "service/tenants.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

namespace portout {

namespace {

using namespace order_state;

constexpr Millis kHour = 60LL * 60 * 1000;
constexpr Millis kDay = 24 * kHour;
// Who settles an order at its review deadline, in its history.
constexpr std::string_view kDeadlineActor = "review deadline";

bool is_open(std::string_view status) {
    return std::find(kOpen.begin(), kOpen.end(), status) != kOpen.end();
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
    // An Auditor sees its last four, as on the tenant; the carrier sent it, the tenant's side owns it.
    o.account_number = ctx_.role() == Role::Auditor ? masked_account_number(r.account_number) : r.account_number;
    o.service_zip = r.service_zip;
    o.authorized_name = r.authorized_name;
    o.carrier_spid = r.carrier_spid;
    o.pon = r.pon;
    o.port_type = r.port_type;
    o.review_deadline = r.review_deadline;
    o.approved_at = r.approved_at;
    o.comment = r.comment;
    o.idempotency_key = r.idempotency_key;
    return o;
}

int Orders::next_step(StoreTransaction& tx, const std::string& order_id) const {
    const auto steps = tx.order_steps(order_id);
    return steps.empty() ? 1 : steps.back().step + 1;
}

void Orders::record_step(StoreTransaction& tx, const OrderRecord& o, const std::string& from, const Step& step,
                         std::string_view by) {
    OrderStep s;
    s.order_id = o.order_id;
    s.step = next_step(tx, o.order_id);
    s.occurred_at = ctx_.now();
    s.actor = std::string(by);
    s.from_status = from;
    s.to_status = step.to;
    s.reason = step.reason;
    s.internal_reason = step.internal_reason;
    s.comment = step.comment;
    if (step.to == kConfirmed) s.foc = o.foc;
    tx.insert_order_step(s);
    std::string details = "order=" + o.order_id + " from=" + (from.empty() ? std::string("(request)") : from) +
                          " to=" + step.to + " carrier=" + o.carrier;
    if (!o.carrier_spid.empty()) details += " spid=" + o.carrier_spid;
    if (!o.pon.empty()) details += " pon=" + o.pon;
    if (!step.internal_reason.empty()) details += " reason=" + step.internal_reason;
    if (step.to == kConfirmed && o.foc) details += " foc_ms=" + std::to_string(*o.foc);
    if (by != ctx_.actor) details += " by=" + std::string(by);
    if (!step.details.empty()) details += " " + step.details;
    ctx_.append_audit(tx, step.event, o.tenant_id,
                      step.to == kRejected ? "Failure" : "Success", step.internal_reason, details);
    // The tenant's side is told the exact reason; the carrier what a carrier is told.
    std::string what = "The port-out order from " + o.carrier + " is " + step.to;
    if (step.event == "OrderFocChanged") what = "The FOC of the port-out order from " + o.carrier + " was changed";
    // A request's notification keeps the kind consumers have always read.
    const std::string kind = step.event == "PortOutRequested" ? "PortOutRequest" : step.event;
    notify(ctx_, tx, kind, o.tenant_id, o.order_id,
           what + (step.internal_reason.empty() ? "" : " (" + step.internal_reason + ")") + ".", details);
    std::string carrier_details = "order=" + o.order_id + " status=" + step.to;
    if (!step.reason.empty()) carrier_details += " reason=" + step.reason;
    if (o.foc && (step.to == kConfirmed || step.to == kCompleted)) carrier_details += " foc_ms=" + std::to_string(*o.foc);
    if (!o.pon.empty()) carrier_details += " pon=" + o.pon;
    std::string carrier_what = "Your port-out order" + (o.pon.empty() ? std::string() : " " + o.pon) + " is " +
                               step.to + (step.reason.empty() ? "" : " (" + step.reason + ")") + ".";
    if (step.event == "OrderFocChanged") carrier_what = "The FOC of your port-out order was changed.";
    notify(ctx_, tx, kind, o.tenant_id, o.order_id, carrier_what, carrier_details, o.submitted_by);
}

Order Orders::submit_order(const PortOutRequest& req, std::string_view pin) {
    // The request's fields, for every tenant alike, before anything is read or counted.
    std::string id;
    if (!req.tenant_id.empty()) id = canonical_tenant_id(req.tenant_id);
    const auto account = req.account_number.empty() ? std::string() : canonical_account_number(req.account_number);
    if (id.empty() && account.empty()) {
        throw InvalidArgumentError("NoTenant", "A port-out request names the tenant, or its account number.");
    }
    ctx_.authorize(Operation::SubmitOrder, id);
    refuse_overlong_pin(pin, id);
    // A carrier signed in with its credential is that credential's carrier, whatever the
    // request says.
    const bool signed_in_carrier = ctx_.role() == Role::Carrier && !ctx_.signed_in_carrier().empty();
    const auto carrier = signed_in_carrier ? ctx_.principal->carrier_name : canonical_carrier(req.carrier_name);
    const auto spid = signed_in_carrier        ? ctx_.principal->carrier_spid
                      : req.carrier_spid.empty() ? std::string()
                                                 : canonical_spid(req.carrier_spid);
    const auto idempotency_key = canonical_idempotency_key(req.idempotency_key);
    const auto pon = req.pon.empty() ? std::string() : canonical_pon(req.pon);
    const auto zip = req.service_zip.empty() ? std::string() : canonical_zip(req.service_zip);
    std::string name;
    if (!req.authorized_name.empty()) {
        try {
            name = canonical_display_name(req.authorized_name);
        } catch (const InvalidArgumentError&) {
            throw InvalidArgumentError("InvalidAuthorizedName",
                                       "The authorized name has 1 to 256 characters of text.");
        }
    }
    const auto port_type = canonical_port_type(req.port_type);
    if (req.numbers.empty()) {
        throw InvalidArgumentError("NoPhoneNumbers", "A port-out order names at least one number.");
    }
    if (req.numbers.size() > kMaxNumbersPerOrder) {
        throw InvalidArgumentError("TooManyPhoneNumbers",
                                   "A port-out order names at most " + std::to_string(kMaxNumbersPerOrder) +
                                       " numbers; split the request.");
    }
    std::vector<std::string> numbers;
    for (const auto& raw : req.numbers) numbers.push_back(canonical_us_number(raw));
    std::sort(numbers.begin(), numbers.end());
    numbers.erase(std::unique(numbers.begin(), numbers.end()), numbers.end());
    const Millis submitted = ctx_.now();
    if (req.requested_due && *req.requested_due < submitted - kDay) {
        throw InvalidArgumentError("DueDateInPast", "The requested due date is in the past.");
    }

    // A retried request: its first order, the PIN not checked again; the key with another
    // request is refused.
    std::string request_hash;
    if (!idempotency_key.empty()) {
        std::string what = id + '\n' + account + '\n' + zip + '\n' + name + '\n' + carrier + '\n' + spid + '\n' + pon +
                           '\n' + port_type + '\n' + (req.requested_due ? std::to_string(*req.requested_due) : "");
        for (const auto& n : numbers) what += '\n' + n;
        request_hash = fingerprint(what);
        auto tx = ctx_.store.begin(TxMode::ReadOneStatement);
        if (auto first = tx->order_by_idempotency_key(ctx_.actor, idempotency_key)) {
            tx.reset();
            return replay(*first, request_hash);
        }
    }

    // A request found by its account number alone: an account no tenant of this session's has
    // is an unknown tenant, answered as one.
    if (id.empty()) {
        auto tx = ctx_.store.begin(TxMode::ReadOneStatement);
        const auto t = tx->tenant_by_account(account);
        if (t && ctx_.in_scope(t->tenant_id)) id = t->tenant_id;
    }

    // A request that carries no PIN is refused as such (Bandwidth's 7512, "PIN required", beside
    // 7513 "PIN invalid"), before the tenant is read: the answer is the same for every tenant, so
    // it tells nothing, and nothing is counted, so requests without a PIN lock no one out.
    const bool pin_given = !pin.empty();
    // The PIN check: counted first (per carrier, and toward the tenant-wide ceiling), verified
    // outside any transaction.
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
    // The same request sent twice at once: the second finds the first here (writers take turns).
    if (!idempotency_key.empty()) {
        if (auto first = tx->order_by_idempotency_key(ctx_.actor, idempotency_key)) {
            tx->commit();  // the PIN's outcome stands
            tx.reset();
            return replay(*first, request_hash);
        }
    }
    OrderRecord o;
    o.order_id = random_uuid();
    o.tenant_id = id;
    o.carrier = carrier;
    o.submitted_by = ctx_.actor;
    o.requested_foc = req.requested_due;
    o.created_at = o.modified_at = submitted;
    o.modified_by = ctx_.actor;
    o.account_number = account;
    o.service_zip = zip;
    o.authorized_name = name;
    o.carrier_spid = spid;
    o.pon = pon;
    o.port_type = port_type;
    o.idempotency_key = idempotency_key;
    o.request_hash = request_hash;
    std::vector<OrderNumber> lines;
    for (const auto& n : numbers) lines.push_back({n, ""});
    const auto tenant = id.empty() ? std::nullopt : tx->tenant(id);
    const auto reject = [&](const char* told, std::string exact = {}) {
        o.reason = told;
        o.internal_reason = exact.empty() ? std::string(told) : std::move(exact);
    };
    if (!pin_given) {
        reject("PinRequired");
    } else if (!accepted) {
        // Wrong, not set, locked, unknown or frozen: the carrier cannot tell; what else is wrong
        // with the request is told only to whoever gave the right PIN.
        reject("PinNotAccepted", attempt->path == PinAttempt::Path::UnknownTenant && id.empty() ? "UnknownAccount"
                                 : attempt->path != PinAttempt::Path::Evaluate ? std::string(attempt->reason())
                                 : pin_right                                 ? "StoreTampered"
                                                                             : "WrongPin");
    } else if (tenant && tenant->frozen) {
        reject("PortOutFrozen");
    } else if (!account.empty() && account != tenant->account_number) {
        reject("AccountNumberMismatch");
    } else if (!zip.empty() && !tenant->service_zip.empty() && zip.substr(0, 5) != tenant->service_zip.substr(0, 5)) {
        reject("PostalCodeMismatch");
    } else if (!name.empty() &&
               name_key(name) != name_key(tenant->authorized_name.empty() ? tenant->display_name
                                                                          : tenant->authorized_name)) {
        reject("AuthorizedNameMismatch");
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
            reject("NumberNotOwned");
        } else if (in_order) {
            reject("NumberInOpenOrder");
        } else {
            // A full port names every number of the account; a partial port leaves one at least.
            const auto held = tx->numbers({id}, "", kMaxNumbersPerOrder + 1);
            const bool all = held.size() == lines.size();
            if (o.port_type.empty()) o.port_type = all ? "Full" : "Partial";
            if (port_type == "Full" && !all) {
                reject("FullPortIncomplete");
                o.internal_reason += " (" + std::to_string(held.size() - lines.size()) + " numbers not named)";
            } else if (port_type == "Partial" && all) {
                reject("PartialPortNotAllowed");
                o.internal_reason += " (the request names every number of the account: a full port)";
            }
        }
    }
    Step step;
    step.event = "PortOutRequested";
    step.reason = o.reason;
    step.internal_reason = o.internal_reason;
    step.details = "numbers=" + std::to_string(lines.size()) + " port_type=" +
                   (o.port_type.empty() ? std::string("unstated") : o.port_type);
    if (o.reason.empty()) {
        const auto policy = effective_policy(*tx, id);
        const BusinessCalendar cal(tenant->time_zone, policy.holidays);
        o.status = std::string(kPendingReview);
        o.review_deadline = cal.add_business_time(submitted, policy.review_window_ms);
        step.details += " review_deadline_ms=" + std::to_string(*o.review_deadline);
    } else {
        o.status = std::string(kRejected);
        if (o.reason != "NumberNotOwned" && o.reason != "NumberInOpenOrder") {
            for (auto& line : lines) line.problem.clear();  // nothing about numbers before the PIN is right
        }
    }
    step.to = o.status;
    tx->insert_order(o, lines);
    record_step(*tx, o, "", step, ctx_.actor);
    // A review window of zero: the policy's action at once.
    if (o.status == kPendingReview && settle(*tx, o.order_id) > 0) o = *tx->order(o.order_id);
    auto result = order_of(*tx, o);
    tx->commit();
    return result;
}

OrderRecord Orders::require_order(StoreTransaction& tx, std::string_view raw_order_id, Operation op, bool writing) {
    // Order ids are the GUIDs this service made; anything else names no order.
    const auto order_id = lower(raw_order_id);
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

// ---- the review deadline -------------------------------------------------------------------

std::int64_t Orders::settle(StoreTransaction& tx, const std::optional<std::string>& only) {
    const Millis now = ctx_.now();
    std::vector<OrderRecord> due;
    if (only) {
        auto o = tx.order(*only);
        if (o && (o->status == kPendingReview) && o->review_deadline && *o->review_deadline <= now) due.push_back(*o);
    } else {
        OrderQuery q;
        q.review_due_by = now;
        q.limit = 1000;
        due = tx.orders(q);
    }
    for (auto& o : due) {
        const auto policy = effective_policy(tx, o.tenant_id);
        const std::string from = o.status;
        Step step;
        step.comment = "The review deadline passed; the policy's action is " + policy.review_deadline_action + ".";
        step.details = "deadline_ms=" + std::to_string(*o.review_deadline);
        if (policy.review_deadline_action == "Deny") {
            step.to = std::string(kDenied);
            step.event = "OrderDenied";
            step.reason = step.internal_reason = "ReviewDeadlinePassed";
            o.reason = o.internal_reason = step.reason;
            tx.close_order_numbers(o.order_id);
        } else {
            step.to = std::string(kApproved);
            step.event = "OrderApproved";
            o.approved_at = *o.review_deadline;
        }
        o.status = step.to;
        o.comment = step.comment;
        o.modified_at = now;
        o.modified_by = std::string(kDeadlineActor);
        tx.update_order(o);
        record_step(tx, o, from, step, kDeadlineActor);
    }
    return static_cast<std::int64_t>(due.size());
}

void Orders::settle_before_read() {
    {
        auto tx = ctx_.store.begin(TxMode::ReadOneStatement);
        OrderQuery q;
        q.review_due_by = ctx_.now();
        q.limit = 1;
        if (tx->orders(q).empty()) return;
    }
    auto tx = ctx_.store.begin(TxMode::Write);
    if (settle(*tx, std::nullopt) > 0) tx->commit();
}

std::int64_t Orders::settle_due_reviews() {
    ctx_.authorize(Operation::ReadOrders);
    std::int64_t settled = 0;
    while (true) {
        auto tx = ctx_.store.begin(TxMode::Write);
        const auto n = settle(*tx, std::nullopt);
        if (n == 0) break;
        tx->commit();
        settled += n;
    }
    return settled;
}

// ---- reading -------------------------------------------------------------------------------

Order Orders::replay(const OrderRecord& first, const std::string& request_hash) {
    if (first.request_hash != request_hash) {
        throw InvalidOperationError("IdempotencyKeyReused",
                                    "This Idempotency-Key was sent with another request: a new request needs a "
                                    "new key.",
                                    first.idempotency_key);
    }
    return get_order(first.order_id);
}

Order Orders::get_order(std::string_view order_id) {
    ctx_.authorize(Operation::ReadOrders);
    settle_before_read();
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
    settle_before_read();
    auto tx = ctx_.store.begin(TxMode::Read);
    std::vector<Order> out;
    for (const auto& r : tx->orders(q)) out.push_back(order_of(*tx, r));
    return out;
}

std::vector<OrderStep> Orders::order_history(std::string_view order_id) {
    ctx_.authorize(Operation::ReadOrders);
    settle_before_read();
    auto tx = ctx_.store.begin(TxMode::Read);
    const auto o = require_order(*tx, order_id, Operation::ReadOrders, false);
    auto steps = tx->order_steps(o.order_id);
    if (ctx_.role() == Role::Carrier) {
        for (auto& s : steps) s.internal_reason.clear();
    }
    return steps;
}

// ---- transitions ---------------------------------------------------------------------------

Order Orders::transition(std::string_view order_id, Operation op,
                         const std::function<std::vector<Step>(StoreTransaction&, OrderRecord&)>& decide) {
    ctx_.authorize(op);
    auto tx = ctx_.store.begin(TxMode::Write);
    auto o = require_order(*tx, order_id, op, true);
    ctx_.authorize(op, o.tenant_id, tx.get());
    if (settle(*tx, o.order_id) > 0) o = *tx->order(o.order_id);  // its deadline first
    const std::string before = o.status;
    const auto steps = decide(*tx, o);
    if (steps.empty()) return order_of(*tx, o);  // nothing changes, nothing is recorded
    o.modified_at = ctx_.now();
    o.modified_by = ctx_.actor;
    if (o.status == kCompleted) {
        // The numbers leave the tenant's inventory with the order, atomically.
        for (const auto& line : tx->order_numbers(o.order_id)) tx->delete_number(line.number);
    }
    if (!is_open(o.status)) tx->close_order_numbers(o.order_id);
    tx->update_order(o);
    std::string from = before;
    for (const auto& step : steps) {
        record_step(*tx, o, from, step, ctx_.actor);
        from = step.to;
    }
    auto result = order_of(*tx, o);
    tx->commit();
    return result;
}

namespace {

[[noreturn]] void cannot(const OrderRecord& o, std::string_view what) {
    throw InvalidOperationError("InvalidOrderTransition",
                                "A " + o.status + " order cannot " + std::string(what) + ".", o.order_id);
}

bool under_review(const OrderRecord& o) {
    return o.status == kPendingReview || o.status == kSubmitted;
}

}  // namespace

Order Orders::approve_order(std::string_view order_id, std::string_view raw_comment) {
    const auto comment = canonical_comment(raw_comment);
    return transition(order_id, Operation::ReviewOrder, [&](StoreTransaction&, OrderRecord& o) {
        if (!under_review(o)) cannot(o, "be approved");
        o.status = std::string(kApproved);
        o.approved_at = ctx_.now();
        o.comment = comment;
        return std::vector<Step>{{o.status, "OrderApproved", "", "", comment, ""}};
    });
}

Order Orders::deny_order(std::string_view order_id, std::string_view raw_reason, std::string_view raw_comment) {
    const auto reason = reason_code(raw_reason, kDenyReasons, "Deny-PortOutOrder");
    const auto comment = canonical_comment(raw_comment);
    if (reason == "Other" && comment.empty()) {
        throw InvalidArgumentError("CommentRequired", "A denial for reason Other says why in its comment.");
    }
    return transition(order_id, Operation::ReviewOrder, [&](StoreTransaction&, OrderRecord& o) {
        if (!under_review(o)) cannot(o, "be denied");
        o.status = std::string(kDenied);
        o.reason = o.internal_reason = reason;
        o.comment = comment;
        return std::vector<Step>{{o.status, "OrderDenied", reason, reason, comment, ""}};
    });
}

namespace {

// The FOC's rules: not past; a business day of the tenant's; at least the policy's business
// days after approval; at most its days ahead.
void check_foc(const OrderRecord& o, const TenantRecord& tenant, const EffectivePolicy& policy, Millis approved,
               Millis now, Millis foc) {
    const BusinessCalendar cal(tenant.time_zone, policy.holidays);
    const Day day = cal.local_day(foc);
    const auto refuse = [&](const char* id, const std::string& message) {
        throw InvalidArgumentError(id, message + " (dates in " + cal.time_zone() + ").", o.order_id);
    };
    if (foc < now) refuse("FocInPast", "The FOC date " + date_text(day) + " is in the past");
    if (!cal.is_business_day(day)) {
        refuse("FocNotBusinessDay", "The FOC date " + date_text(day) + " is not a business day (a weekend or a holiday)");
    }
    const Day earliest = cal.add_business_days(cal.local_day(approved), policy.min_foc_business_days);
    if (day < earliest) {
        refuse("FocTooEarly", "The FOC date " + date_text(day) + " is earlier than " +
                                  std::to_string(policy.min_foc_business_days) +
                                  " business day(s) after approval: " + date_text(earliest) + " at the earliest");
    }
    if (foc > now + policy.max_foc_days * kDay) {
        refuse("FocTooLate", "The FOC date " + date_text(day) + " is more than " + std::to_string(policy.max_foc_days) +
                                 " days ahead");
    }
}

}  // namespace

Order Orders::confirm_order(std::string_view order_id, Millis foc) {
    return transition(order_id, Operation::ManageOrder, [&](StoreTransaction& tx, OrderRecord& o) {
        std::vector<Step> steps;
        if (!under_review(o) && o.status != kApproved) cannot(o, "be confirmed");
        const Millis now = ctx_.now();
        const auto tenant = ctx_.verified_tenant(tx, o.tenant_id, true);
        const auto policy = effective_policy(tx, o.tenant_id);
        const Millis approved = under_review(o) ? now : o.approved_at.value_or(o.modified_at);
        check_foc(o, tenant, policy, approved, now, foc);
        if (under_review(o)) {  // confirming is approving, first
            o.approved_at = approved;
            steps.push_back({std::string(kApproved), "OrderApproved", "", "", "approved by confirming", ""});
        }
        o.status = std::string(kConfirmed);
        o.foc = foc;
        o.comment.clear();
        steps.push_back({o.status, "OrderConfirmed", "", "", "", ""});
        return steps;
    });
}

Order Orders::change_foc(std::string_view order_id, Millis foc, std::string_view raw_comment) {
    const auto comment = canonical_comment(raw_comment);
    return transition(order_id, Operation::ManageOrder, [&](StoreTransaction& tx, OrderRecord& o) {
        if (o.status != kConfirmed) cannot(o, "have its FOC changed (only a Confirmed order has one)");
        if (o.foc == foc) return std::vector<Step>{};
        const auto tenant = ctx_.verified_tenant(tx, o.tenant_id, true);
        check_foc(o, tenant, effective_policy(tx, o.tenant_id), o.approved_at.value_or(o.modified_at), ctx_.now(),
                  foc);
        const std::string was = o.foc ? std::to_string(*o.foc) : std::string("none");
        o.foc = foc;
        o.comment = comment;
        return std::vector<Step>{{o.status, "OrderFocChanged", "", "", comment, "previous_foc_ms=" + was}};
    });
}

Order Orders::complete_order(std::string_view order_id) {
    return transition(order_id, Operation::ManageOrder, [&](StoreTransaction& tx, OrderRecord& o) {
        if (o.status != kConfirmed) cannot(o, "be completed");
        const auto tenant = ctx_.verified_tenant(tx, o.tenant_id, true);
        const BusinessCalendar cal(tenant.time_zone, effective_policy(tx, o.tenant_id).holidays);
        if (o.foc && ctx_.now() < cal.start_of(cal.local_day(*o.foc))) {
            throw InvalidOperationError("FocNotReached",
                                        "The order's FOC date is " + date_text(cal.local_day(*o.foc)) + " (" +
                                            cal.time_zone() + "); it cannot be completed before then.",
                                        o.order_id);
        }
        o.status = std::string(kCompleted);
        return std::vector<Step>{{o.status, "OrderCompleted", "", "", "",
                                  "released=" + std::to_string(tx.order_numbers(o.order_id).size())}};
    });
}

Order Orders::cancel_order(std::string_view order_id, std::string_view raw_reason, std::string_view raw_comment) {
    const auto reason = reason_code(raw_reason, kCancelReasons, "Stop-PortOutOrder");
    const auto comment = canonical_comment(raw_comment);
    if (reason == "Other" && comment.empty()) {
        throw InvalidArgumentError("CommentRequired", "A cancellation for reason Other says why in its comment.");
    }
    return transition(order_id, Operation::CancelOrder, [&](StoreTransaction& tx, OrderRecord& o) {
        if (!is_open(o.status)) cannot(o, "be cancelled");
        if (o.status == kConfirmed && o.foc) {
            const auto policy = effective_policy(tx, o.tenant_id);
            if (*o.foc - ctx_.now() < policy.cancel_cutoff_ms) {
                throw InvalidOperationError(
                    "CancelTooLate",
                    "The order's FOC is less than " + std::to_string(policy.cancel_cutoff_ms / kHour) +
                        " hour(s) away: it can no longer be cancelled (the policy's CancelCutoff).",
                    o.order_id);
            }
        }
        o.status = std::string(kCancelled);
        o.reason = o.internal_reason = reason;
        o.comment = comment;
        return std::vector<Step>{{o.status, "OrderCancelled", reason, reason, comment, ""}};
    });
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
