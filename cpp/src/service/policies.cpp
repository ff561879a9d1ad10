#include "service/policies.hpp"

#include <portout/business_calendar.hpp>
#include <portout/errors.hpp>
#include <portout/identity.hpp>
#include "service/tenant_state.hpp"
#include "service/tenants.hpp"

#include <algorithm>
#include <utility>

namespace portout {

namespace {

constexpr int kDefaultMaxFailedAttempts = 5;
constexpr Millis kSecond = 1000;
constexpr Millis kMinute = 60 * kSecond;
constexpr Millis kHour = 60 * kMinute;
constexpr Millis kDay = 24 * kHour;
constexpr Millis kDefaultLockout = 15 * kMinute;
constexpr Millis kDefaultMaxLockout = 24 * kHour;
constexpr int kDefaultTenantMaxFailures = 20;
constexpr Millis kDefaultFailureWindow = 24 * kHour;
constexpr Millis kDefaultReviewWindow = 24 * kHour;
constexpr int kDefaultMinFocBusinessDays = 1;
constexpr int kDefaultMaxFocDays = 30;
constexpr Millis kDefaultCancelCutoff = 24 * kHour;

void refuse(bool bad, const char* message, const std::string& scope) {
    if (bad) throw InvalidArgumentError("InvalidPortingPolicy", message, scope);
}

}  // namespace

PolicyRecord default_policy_record(Millis now, const std::string& actor) {
    PolicyRecord p;
    p.scope = "";
    p.min_length = PinPolicy::kDefaultMinLength;
    p.max_length = PinPolicy::kDefaultMaxLength;
    p.block_weak = true;
    p.blocklist = std::vector<std::string>{};
    p.max_failed_attempts = kDefaultMaxFailedAttempts;
    p.lockout_ms = kDefaultLockout;
    p.max_lockout_ms = kDefaultMaxLockout;
    // The settings of port-out requests (schema 4) are left unset: the built-in defaults apply,
    // and a store's default policy anchored before them keeps its MAC.
    p.modified_at = now;
    p.modified_by = actor;
    return p;
}

EffectivePolicy effective_policy(StoreTransaction& tx, std::string_view scope) {
    auto base = tx.policy("").value_or(default_policy_record(0, ""));
    std::optional<PolicyRecord> own;
    if (!scope.empty()) own = tx.policy(scope);
    EffectivePolicy e;
    e.scope = std::string(scope);
    auto pick = [&](auto member, const char* name, auto fallback) {
        if (own && ((*own).*member)) {
            e.overridden.emplace_back(name);
            return *((*own).*member);
        }
        return (base.*member).value_or(fallback);
    };
    // The seed's 6..10 holds whatever the database says (a policy written before the bounds
    // were enforced, or edited in place): a stored policy narrows it, never widens it.
    const int hi = std::clamp(pick(&PolicyRecord::max_length, "MaximumLength", PinPolicy::kDefaultMaxLength),
                              PinPolicy::kDefaultMinLength, PinPolicy::kDefaultMaxLength);
    const int lo = std::clamp(pick(&PolicyRecord::min_length, "MinimumLength", PinPolicy::kDefaultMinLength),
                              PinPolicy::kDefaultMinLength, PinPolicy::kDefaultMaxLength);
    const bool weak = pick(&PolicyRecord::block_weak, "BlockWeakPins", true);
    auto blocklist = pick(&PolicyRecord::blocklist, "Blocklist", std::vector<std::string>{});
    e.max_failed_attempts = pick(&PolicyRecord::max_failed_attempts, "MaxFailedAttempts", kDefaultMaxFailedAttempts);
    e.lockout_ms = pick(&PolicyRecord::lockout_ms, "LockoutDuration", kDefaultLockout);
    e.max_lockout_ms = pick(&PolicyRecord::max_lockout_ms, "MaxLockoutDuration", kDefaultMaxLockout);
    e.pin_policy = PinPolicy(lo, hi, weak, std::move(blocklist));
    e.tenant_max_failures = pick(&PolicyRecord::tenant_max_failures, "TenantMaxFailures", kDefaultTenantMaxFailures);
    e.failure_window_ms = pick(&PolicyRecord::failure_window_ms, "FailureWindow", kDefaultFailureWindow);
    e.review_window_ms = pick(&PolicyRecord::review_window_ms, "ReviewWindow", kDefaultReviewWindow);
    e.review_deadline_action =
        pick(&PolicyRecord::review_deadline_action, "ReviewDeadlineAction", std::string("Approve"));
    if (e.review_deadline_action != "Deny") e.review_deadline_action = "Approve";
    e.min_foc_business_days =
        std::clamp(pick(&PolicyRecord::min_foc_business_days, "MinFocBusinessDays", kDefaultMinFocBusinessDays), 0, 30);
    e.max_foc_days = std::clamp(pick(&PolicyRecord::max_foc_days, "MaxFocDays", kDefaultMaxFocDays), 1, 365);
    e.cancel_cutoff_ms = pick(&PolicyRecord::cancel_cutoff_ms, "CancelCutoff", kDefaultCancelCutoff);
    e.holidays = pick(&PolicyRecord::holidays, "Holidays", std::vector<std::string>{});
    // Stored values are held to what set_policy allows, whatever the database says.
    e.tenant_max_failures = std::clamp(e.tenant_max_failures, 1, 1000);
    e.failure_window_ms = std::clamp(e.failure_window_ms, kMinute, 30 * kDay);
    return e;
}

std::optional<TenantRecord> Policies::require_scope(StoreTransaction& tx, const std::string& scope,
                                                   bool tx_writes) const {
    if (scope.empty()) {
        ctx_.require_state(tx, "", std::nullopt, tx_writes);
        return std::nullopt;
    }
    return ctx_.verified_tenant(tx, scope, tx_writes);
}

EffectivePolicy Policies::get_policy(std::optional<std::string_view> raw_id) {
    std::string scope;
    if (raw_id) scope = canonical_tenant_id(*raw_id);
    ctx_.authorize(Operation::ReadPolicy, scope);
    auto tx = ctx_.store.begin(TxMode::Read);
    require_scope(*tx, scope, false);
    return effective_policy(*tx, scope);
}

EffectivePolicy Policies::set_policy(std::optional<std::string_view> raw_id, const PolicyChange& change) {
    std::string scope;
    if (raw_id) scope = canonical_tenant_id(*raw_id);
    ctx_.authorize(Operation::SetPolicy, scope);
    for (const auto& [value, name] : {std::pair{change.min_length, "MinimumLength"},
                                      std::pair{change.max_length, "MaximumLength"}}) {
        if (value && (*value < PinPolicy::kDefaultMinLength || *value > PinPolicy::kDefaultMaxLength)) {
            throw InvalidArgumentError(
                "PinLengthOutsideSeed",
                std::string(name) + " must be between " + std::to_string(PinPolicy::kDefaultMinLength) +
                    " and " + std::to_string(PinPolicy::kDefaultMaxLength) + "; it was " +
                    std::to_string(*value) + ". A port-out PIN has 6 to 10 digits: a policy may narrow "
                    "that range, never widen it.",
                scope);
        }
    }
    if (change.max_failed_attempts && (*change.max_failed_attempts < 1 || *change.max_failed_attempts > 100)) {
        throw InvalidArgumentError("InvalidLockoutPolicy",
                                   "MaxFailedAttempts must be between 1 and 100.", scope);
    }
    if (change.lockout_ms && (*change.lockout_ms < kSecond || *change.lockout_ms > kDay)) {
        throw InvalidArgumentError("InvalidLockoutPolicy",
                                   "LockoutDuration must be between one second and 24 hours.", scope);
    }
    if (change.max_lockout_ms && (*change.max_lockout_ms < kSecond || *change.max_lockout_ms > 30 * kDay)) {
        throw InvalidArgumentError("InvalidLockoutPolicy",
                                   "MaxLockoutDuration must be between one second and 30 days.", scope);
    }
    refuse(change.tenant_max_failures && (*change.tenant_max_failures < 1 || *change.tenant_max_failures > 1000),
           "TenantMaxFailures must be between 1 and 1000.", scope);
    refuse(change.failure_window_ms && (*change.failure_window_ms < kMinute || *change.failure_window_ms > 30 * kDay),
           "FailureWindow must be between one minute and 30 days.", scope);
    refuse(change.review_window_ms && (*change.review_window_ms < 0 || *change.review_window_ms > 30 * kDay),
           "ReviewWindow must be between zero (no review) and 30 days of business time.", scope);
    refuse(change.review_deadline_action && *change.review_deadline_action != "Approve" &&
               *change.review_deadline_action != "Deny",
           "ReviewDeadlineAction is Approve or Deny.", scope);
    refuse(change.min_foc_business_days && (*change.min_foc_business_days < 0 || *change.min_foc_business_days > 30),
           "MinFocBusinessDays must be between 0 and 30.", scope);
    refuse(change.max_foc_days && (*change.max_foc_days < 1 || *change.max_foc_days > 365),
           "MaxFocDays must be between 1 and 365.", scope);
    refuse(change.cancel_cutoff_ms && (*change.cancel_cutoff_ms < 0 || *change.cancel_cutoff_ms > 30 * kDay),
           "CancelCutoff must be between zero and 30 days.", scope);
    std::optional<std::vector<std::string>> holidays;
    if (change.holidays) {
        holidays.emplace();
        refuse(change.holidays->size() > 500, "A policy lists at most 500 holidays.", scope);
        for (const auto& h : *change.holidays) {
            refuse(!parse_date(h), "Holidays are dates written YYYY-MM-DD, such as 2026-12-24.", scope);
            holidays->push_back(h);
        }
        std::sort(holidays->begin(), holidays->end());
        holidays->erase(std::unique(holidays->begin(), holidays->end()), holidays->end());
    }
    auto tx = ctx_.store.begin(TxMode::Write);
    const auto tenant = require_scope(*tx, scope, true);
    PolicyRecord record = tx->policy(scope).value_or(PolicyRecord{});
    record.scope = scope;
    std::string details;
    auto apply = [&](auto member, const auto& value, const char* name) {
        if (value) {
            record.*member = *value;
            details += std::string(details.empty() ? "" : " ") + name;
        }
    };
    apply(&PolicyRecord::min_length, change.min_length, "MinimumLength");
    apply(&PolicyRecord::max_length, change.max_length, "MaximumLength");
    apply(&PolicyRecord::block_weak, change.block_weak, "BlockWeakPins");
    apply(&PolicyRecord::blocklist, change.blocklist, "Blocklist");
    apply(&PolicyRecord::max_failed_attempts, change.max_failed_attempts, "MaxFailedAttempts");
    apply(&PolicyRecord::lockout_ms, change.lockout_ms, "LockoutDuration");
    apply(&PolicyRecord::max_lockout_ms, change.max_lockout_ms, "MaxLockoutDuration");
    apply(&PolicyRecord::tenant_max_failures, change.tenant_max_failures, "TenantMaxFailures");
    apply(&PolicyRecord::failure_window_ms, change.failure_window_ms, "FailureWindow");
    apply(&PolicyRecord::review_window_ms, change.review_window_ms, "ReviewWindow");
    apply(&PolicyRecord::review_deadline_action, change.review_deadline_action, "ReviewDeadlineAction");
    apply(&PolicyRecord::min_foc_business_days, change.min_foc_business_days, "MinFocBusinessDays");
    apply(&PolicyRecord::max_foc_days, change.max_foc_days, "MaxFocDays");
    apply(&PolicyRecord::cancel_cutoff_ms, change.cancel_cutoff_ms, "CancelCutoff");
    apply(&PolicyRecord::holidays, holidays, "Holidays");
    record.modified_at = ctx_.now();
    record.modified_by = ctx_.actor;
    tx->put_policy(record);
    // Validates the merged result (bounds, min <= max, blocklist) before anything is kept.
    auto effective = effective_policy(*tx, scope);
    if (effective.max_lockout_ms < effective.lockout_ms) {
        throw InvalidArgumentError("InvalidLockoutPolicy",
                                   "MaxLockoutDuration must not be shorter than LockoutDuration.", scope);
    }
    if (details.empty()) return effective;  // the transaction rolls back: nothing changed
    ctx_.append_state_change(*tx, "PolicyChanged", scope, tenant, "Success", "", details);
    tx->commit();
    return effective;
}

EffectivePolicy Policies::reset_policy(std::string_view raw_id) {
    const auto scope = canonical_tenant_id(raw_id);
    ctx_.authorize(Operation::SetPolicy, scope);
    auto tx = ctx_.store.begin(TxMode::Write);
    const auto tenant = ctx_.verified_tenant(*tx, scope, true);
    const bool had = tx->policy(scope).has_value();
    tx->delete_policy(scope);
    auto effective = effective_policy(*tx, scope);
    if (had) {
        ctx_.append_state_change(*tx, "PolicyReset", scope, tenant, "Success", "", "");
        tx->commit();
    }
    return effective;
}

std::vector<Violation> Policies::test_pin_policy(std::optional<std::string_view> raw_id, std::string_view pin) {
    std::string scope;
    if (raw_id) scope = canonical_tenant_id(*raw_id);
    ctx_.authorize(Operation::TestPolicy, scope);
    auto tx = ctx_.store.begin(TxMode::Read);
    require_scope(*tx, scope, false);
    return effective_policy(*tx, scope).pin_policy.validate(pin);
}

EffectivePolicy Policies::repair_default_policy() {
    ctx_.authorize(Operation::RepairState);
    auto tx = ctx_.store.begin(TxMode::Write);
    const auto not_held = states_not_held(ctx_, *tx, {});
    if (not_held.empty()) {
        throw InvalidOperationError("NothingToRepair",
                                    "The store's default policy is what portout last wrote: there is nothing to "
                                    "repair.",
                                    ctx_.store.location());
    }
    tx->put_policy(default_policy_record(ctx_.now(), ctx_.actor));
    ctx_.append_state_change(*tx, "DefaultPolicyRepaired", "", std::nullopt, "Success", "StoreTampered",
                             "the built-in default policy was put back");
    auto effective = effective_policy(*tx, "");
    tx->commit();
    return effective;
}

}  // namespace portout
