#include "service/pins.hpp"

#include <portout/errors.hpp>
#include <portout/identity.hpp>
#include "service/carrier_attempts.hpp"
#include "service/check_cost.hpp"
#include "service/key_ring.hpp"
#include "service/notifications.hpp"
#include "service/policies.hpp"
#include "service/tenant_state.hpp"
#include "service/tenants.hpp"
#include "service/worker_pool.hpp"

#include <algorithm>
#include <future>
#include <system_error>
#include <utility>

namespace portout {

namespace {

constexpr Millis kSecond = 1000;

// Lock k (counting from zero) lasts the base duration doubled k times, up to the cap.
Millis lock_duration(int level, Millis base, Millis cap) {
    Millis d = base;
    for (int i = 0; i < level && d < cap; ++i) d *= 2;
    return std::min(d, cap);
}

std::string duration_text(Millis ms) {
    return std::to_string(ms / kSecond) + "s";
}

}  // namespace

bool longer_than_any_pin(std::string_view pin) noexcept {
    constexpr auto kMax = static_cast<std::size_t>(PinPolicy::kDefaultMaxLength);
    if (pin.size() <= kMax) return false;  // never more characters than bytes
    std::size_t characters = 0;
    for (const char c : pin) {
        if ((static_cast<unsigned char>(c) & 0xC0U) != 0x80U && ++characters > kMax) return true;
    }
    return false;
}

void refuse_overlong_pin(std::string_view pin, std::string_view target) {
    if (longer_than_any_pin(pin)) {
        throw InvalidArgumentError("PinTooLong",
                                   "The PIN is longer than any port-out PIN (at most ten characters). "
                                   "It was refused as it came: nothing was hashed, counted or recorded.",
                                   std::string(target));
    }
}

std::string_view PinAttempt::reason() const {
    static constexpr std::string_view kReason[] = {"",       "UnknownTenant", "NotInUS",      "PinNotSet",
                                                   "Locked", "StoreTampered", "TenantLocked"};
    return kReason[static_cast<int>(path)];
}

PinStatus Pins::status_of(const TenantRecord& t, StoreTransaction* tx) const {
    PinStatus s;
    s.tenant_id = t.tenant_id;
    s.pin_is_set = t.pin_record.has_value();
    s.pin_set_at = t.pin_set_at;
    s.last_modified_at = t.pin_changed_at;
    s.last_modified_by = t.pin_changed_by;
    const Millis now = ctx_.now();
    if (t.locked_until && *t.locked_until > now) s.locked_until = t.locked_until;
    s.lockout_count = t.lock_level;
    s.last_check_at = t.last_check_at;
    s.last_check_result = t.last_check_result;
    // As of now: failures that left the window no longer count, locks that ran out are gone.
    auto ledger = AttemptLedger::decode(t.carrier_attempts);
    int per_carrier = 1;
    if (!ledger.carriers().empty()) {
        std::unique_ptr<StoreTransaction> own;
        if (!tx) tx = (own = ctx_.store.begin(TxMode::ReadOneStatement)).get();
        const auto policy = effective_policy(*tx, t.tenant_id);
        ledger.prune(now, policy.failure_window_ms);
        per_carrier = policy.max_failed_attempts;
    }
    s.failed_attempt_count = ledger.failures(per_carrier);
    for (const auto& c : ledger.carriers()) {
        CarrierPinState cs;
        cs.carrier = c.carrier;
        const bool locked = c.locked_until && *c.locked_until > now;
        cs.failed_attempt_count = c.locked_until && !locked ? 0 : c.failed;
        if (locked) cs.locked_until = c.locked_until;
        cs.lockout_count = c.lock_level;
        cs.failures_in_window = static_cast<int>(c.failures.size());
        if (!c.failures.empty()) cs.last_failure_at = c.failures.back();
        s.carriers.push_back(std::move(cs));
    }
    return s;
}

PinStatus Pins::pin_status(std::string_view raw_id) {
    const auto id = canonical_tenant_id(raw_id);
    ctx_.authorize(Operation::ReadPinStatus, id);
    auto tx = ctx_.store.begin(TxMode::Read);
    return status_of(ctx_.verified_tenant(*tx, id, false), tx.get());  // one snapshot
}

std::vector<PinStatus> Pins::list_pin_status(std::string_view after, std::size_t limit) {
    ctx_.authorize(Operation::ReadPinStatus);
    std::vector<PinStatus> out;
    for (const auto& r : visible_tenants(ctx_, after, limit)) out.push_back(status_of(r));
    return out;
}

PinStatus Pins::set_pin(std::string_view raw_id, std::string_view pin) {
    const auto id = canonical_tenant_id(raw_id);
    ctx_.authorize(Operation::SetPin, id);
    if (longer_than_any_pin(pin)) {  // refused as the policy would, before a tenant is read
        throw PinPolicyError({{PinRule::TooLong,
                               "The PIN is too long: a port-out PIN has at most ten digits."}},
                             id);
    }
    // Hashing happens outside any write transaction; a concurrent change makes us start over,
    // so "same as current" is always judged against the PIN we replace.
    for (int round = 0; round < 8; ++round) {
        TenantRecord before;
        EffectivePolicy policy;
        {
            auto tx = ctx_.store.begin(TxMode::Read);
            before = ctx_.verified_tenant(*tx, id, false);
            policy = effective_policy(*tx, id);
        }
        if (before.country != kPortOutCountry) {
            throw InvalidOperationError("PinNotAvailableOutsideUS",
                                        "The port-out PIN exists only for organizations in the "
                                        "United States; this tenant's country is " +
                                            before.country + ".",
                                        id);
        }
        policy.pin_policy.check(pin, id);
        // Two Argon2id computations, at once: the current PIN verified on a worker thread
        // ("same as current"), the new one hashed here.
        const auto is_current = [&] { return ctx_.hasher.verify(ctx_.keys.open_pin_record(before).view(), pin); };
        std::future<bool> same;
        bool same_here = false;
        if (before.pin_record) {
            try {
                same = ctx_.workers.run(is_current);
            } catch (const std::system_error&) {  // no thread to be had: one after the other
                same_here = is_current();
            }
        }
        std::optional<Secret> encoded;
        try {
            encoded.emplace(ctx_.hasher.hash(pin));
        } catch (...) {
            if (same.valid()) same.wait();
            throw;
        }
        if (same.valid() ? same.get() : same_here) {
            throw PinPolicyError({{PinRule::SameAsCurrent,
                                   "The new PIN is the same as the current PIN; choose a different one."}},
                                 id);
        }

        auto tx = ctx_.store.begin(TxMode::Write);
        auto t = ctx_.verified_tenant(*tx, id, true);
        if (t.pin_version != before.pin_version || t.country != before.country) continue;
        const bool first = !t.pin_record;
        const Millis at = ctx_.now();
        t.pin_record = ctx_.keys.seal_pin_record(*tx, id, encoded->view(), t.pin_key_id);
        if (first) t.pin_set_at = at;
        t.pin_changed_at = at;
        t.pin_changed_by = ctx_.actor;
        t.failed_attempts = 0;  // guesses at the PIN replaced are moot
        t.locked_until.reset();
        t.lock_level = 0;
        t.carrier_attempts.clear();
        t.pin_version += 1;
        tx->update_tenant(t);
        ctx_.append_state_change(*tx, first ? "PinSet" : "PinChanged", id, t, "Success", "",
                                 "hash_profile=" + std::string(to_string(ctx_.hasher.profile())));
        notify(ctx_, *tx, first ? "PinSet" : "PinChanged", id, "",
               std::string(first ? "The port-out PIN was set" : "The port-out PIN was changed") + " by " +
                   ctx_.actor + ".");
        tx->commit();
        return status_of(t);
    }
    throw ResourceUnavailableError("PinChangedConcurrently",
                                   "The PIN kept changing under this change; try again.", id);
}

// 1. Count the attempt, in a transaction that commits in step 2.
PinAttempt Pins::begin_pin_attempt(const std::string& id) {
    using Path = PinAttempt::Path;
    PinAttempt a;
    a.tenant_id = id;
    a.carrier = ctx_.actor;
    a.count = ctx_.store.begin(TxMode::Write);
    auto& tx = a.count;
    // A session whose key the store has moved on from could open no record: it says so for
    // every tenant alike, before anything is read or counted, rather than only for tenants
    // with a PIN.
    ctx_.keys.require_store_keys(*tx);
    const Millis at = ctx_.lock_time(*tx);
    std::string details;
    if (id.empty()) {  // a request whose account number no tenant has: an unknown tenant
        a.path = Path::UnknownTenant;
        ctx_.append_audit(*tx, "PinCheckAttempt", "", "Refused", "UnknownAccount", "");
        return a;
    }
    auto t = tx->tenant(id);
    bool changed = false;
    const auto not_held = states_not_held(ctx_, *tx, {{id, t}});
    if (!not_held.empty()) {
        // Edited, rolled back or copied in the database: obeyed in nothing. The check fails as
        // any other refusal does (and costs the same), and the finding is recorded below.
        a.path = Path::Tampered;
    } else if (t) {
        if (t->country != kPortOutCountry) {
            a.path = Path::NotInUS;
        } else if (!t->pin_record) {
            a.path = Path::PinNotSet;
        } else {
            const auto policy = effective_policy(*tx, id);
            a.window = policy.failure_window_ms;
            a.per_carrier = policy.max_failed_attempts;
            a.tenant_max_failures = policy.tenant_max_failures;
            auto ledger = AttemptLedger::decode(t->carrier_attempts);
            ledger.prune(at, policy.failure_window_ms);
            if (t->locked_until && *t->locked_until <= at) t->locked_until.reset();  // ran out
            auto& mine = ledger.of(a.carrier);
            if (mine.locked_until && *mine.locked_until <= at) {  // this carrier's lock ran out
                mine.locked_until.reset();
                mine.failed = 0;
            }
            if (t->locked_until) {
                a.path = Path::TenantLocked;
            } else if (mine.locked_until || mine.failed >= policy.max_failed_attempts) {
                a.path = Path::Locked;
            } else {
                a.path = Path::Evaluate;
                a.counted_at = at;
                mine.failed += 1;
                mine.failures.push_back(at);
                const int all = ledger.failures(policy.max_failed_attempts);
                details = "attempt=" + std::to_string(mine.failed) + "/" +
                          std::to_string(policy.max_failed_attempts) + " tenant_failures=" + std::to_string(all) +
                          "/" + std::to_string(policy.tenant_max_failures);
                if (mine.failed >= policy.max_failed_attempts) {
                    // The lock is set now, so a crash mid-check leaves it in force.
                    a.locks_if_wrong = true;
                    a.lock_for = lock_duration(mine.lock_level, policy.lockout_ms, policy.max_lockout_ms);
                    a.locked_until = at + a.lock_for;
                    mine.locked_until = a.locked_until;
                    mine.lock_level += 1;
                }
                if (all >= policy.tenant_max_failures) {
                    // Too many failures from all carriers together: every carrier is locked out
                    // for the window, until then or until an admin lifts it.
                    a.locks_tenant_if_wrong = true;
                    a.tenant_locked_until = at + policy.failure_window_ms;
                    t->locked_until = a.tenant_locked_until;
                    t->lock_level += 1;
                }
                a.tenant_failures = all;
                t->failed_attempts = all;
                t->carrier_attempts = ledger.encode();
                tx->update_tenant(*t);
                changed = true;
            }
        }
        a.snapshot = *t;
    }
    if (changed) {
        ctx_.append_state_change(*tx, "PinCheckAttempt", id, t, "Counted", a.reason(), details);
    } else {
        ctx_.append_audit(*tx, "PinCheckAttempt", id, "Refused", a.reason(), details);
    }
    if (a.path == Path::Tampered) ctx_.note_tampered_state(*tx, not_held.front());
    return a;
}

// 2. Commit the count and verify at once: the commit (an fsync) runs on a worker thread while
// this thread verifies. The answer is used only once the count is durable, so a crash or a
// failed commit before then reveals nothing; it costs the longer of the two, not their sum.
bool Pins::verify_pin_attempt(PinAttempt& a, std::string_view pin, std::optional<Secret>& upgraded) {
    const auto one_after_the_other = [&] {
        a.count->commit();
        a.count.reset();
        return verify_pin_now(a, pin, upgraded);
    };
    // The test profile hashes in microseconds: nothing worth a thread's wake-up to overlap.
    if (ctx_.hasher.profile() == HashProfile::Test) return one_after_the_other();
    std::future<bool> committing;
    try {
        committing = ctx_.workers.run([&a] {
            a.count->commit();
            return true;
        });
    } catch (const std::system_error&) {  // no thread to be had
        return one_after_the_other();
    }
    bool accepted = false;
    try {
        accepted = verify_pin_now(a, pin, upgraded);
    } catch (...) {
        committing.wait();
        throw;
    }
    committing.get();  // a failed commit throws here, and the answer is never given
    a.count.reset();
    return accepted;
}

// Verify, or spend the same time on nothing.
bool Pins::verify_pin_now(const PinAttempt& a, std::string_view pin, std::optional<Secret>& upgraded) const {
    if (a.path != PinAttempt::Path::Evaluate) return ctx_.cost.refuse(pin);
    const auto encoded = ctx_.keys.open_pin_record(a.snapshot);
    const bool accepted = ctx_.cost.verify(encoded.view(), pin);
    if (accepted && ctx_.hasher.is_weaker(encoded.view())) upgraded = ctx_.hasher.hash(pin);
    return accepted;
}

// 3. Record the outcome, in the caller's transaction.
bool Pins::record_pin_outcome(StoreTransaction& tx, const PinAttempt& a, bool accepted,
                              const std::optional<Secret>& upgraded) {
    const Millis at = ctx_.now();
    std::string result = a.path == PinAttempt::Path::Evaluate ? (accepted ? "Accepted" : "WrongPin")
                                                              : std::string(a.reason());
    if (a.tenant_id.empty()) {
        ctx_.append_audit(tx, "PinCheck", "", "Failure", "UnknownAccount", "");
        return false;
    }
    auto t = tx.tenant(a.tenant_id);
    if (a.path != PinAttempt::Path::Tampered) {
        // Checked again in this transaction: a change made in the database between the two
        // steps by someone without the key is caught here, and the answer is no.
        const auto not_held = states_not_held(ctx_, tx, {{a.tenant_id, t}});
        if (!not_held.empty()) {
            ctx_.note_tampered_state(tx, not_held.front());
            accepted = false;
            result = "StoreTampered";
            t.reset();
        }
    } else {
        t.reset();  // nothing is written to a state that does not hold
    }
    if (!t) {
        ctx_.append_audit(tx, "PinCheck", a.tenant_id, "Failure", result, "");
        return false;
    }
    std::string details;
    if (accepted && t->pin_version == a.snapshot.pin_version) {
        // The right PIN clears this carrier's count, lock and failures (and the lock of every
        // carrier, had this very attempt set it); other carriers' failures stand.
        auto ledger = AttemptLedger::decode(t->carrier_attempts);
        auto& mine = ledger.of(a.carrier);
        mine.failures.clear();  // a carrier that knows the PIN mistyped it: its failures are moot
        mine.failed = 0;
        mine.locked_until.reset();
        mine.lock_level = 0;
        ledger.prune(at, a.window);
        t->carrier_attempts = ledger.encode();
        t->failed_attempts = ledger.failures(a.per_carrier);
        if (a.locks_tenant_if_wrong && t->locked_until == a.tenant_locked_until) {
            t->locked_until.reset();
            t->lock_level = std::max(0, t->lock_level - 1);
        }
        if (upgraded) {
            t->pin_record = ctx_.keys.seal_pin_record(tx, a.tenant_id, upgraded->view(), t->pin_key_id);
            t->pin_version += 1;
            details = "rehashed=" + std::string(to_string(ctx_.hasher.profile()));
        }
    }
    t->last_check_at = at;
    t->last_check_result = result;
    tx.update_tenant(*t);
    if (accepted) {  // the counters are cleared, perhaps the record rehashed: a new state
        ctx_.append_state_change(tx, "PinCheck", a.tenant_id, t, "Success", result, details);
    } else {  // only the time and result of the last check, which are not security state
        ctx_.append_audit(tx, "PinCheck", a.tenant_id, "Failure", result, details);
    }
    if (!accepted) {
        notify(ctx_, tx, "PinCheckFailed", a.tenant_id, "", "A port-out PIN check failed: " + result + ".",
               "reason=" + result + " failed_attempts=" + std::to_string(t->failed_attempts));
    }
    if (!accepted && a.locks_if_wrong) {
        const std::string lock = "carrier=" + a.carrier + " locked_for=" + duration_text(a.lock_for) +
                                 " until_ms=" + std::to_string(a.locked_until);
        ctx_.append_audit(tx, "PinLockedOut", a.tenant_id, "Success", "TooManyFailedAttempts", lock);
        notify(ctx_, tx, "PinLockedOut", a.tenant_id, "",
               "Port-out PIN checks from " + a.carrier + " are locked after too many wrong PINs, for " +
                   duration_text(a.lock_for) + "; other carriers are not.",
               lock);
    }
    if (!accepted && a.locks_tenant_if_wrong) {
        const std::string lock = "failures=" + std::to_string(a.tenant_failures) + "/" +
                                 std::to_string(a.tenant_max_failures) + " window=" + duration_text(a.window) +
                                 " until_ms=" + std::to_string(a.tenant_locked_until);
        ctx_.append_audit(tx, "PortOutLocked", a.tenant_id, "Success", "TooManyFailuresFromAllCarriers", lock);
        notify(ctx_, tx, "PortOutLocked", a.tenant_id, "",
               "Port-out is locked for every carrier after " + std::to_string(a.tenant_failures) +
                   " wrong PINs within " + duration_text(a.window) +
                   ", until an admin unlocks it (Unlock-PortOutPin) or the window passes.",
               lock);
    }
    return accepted;
}

bool Pins::check_pin(std::string_view raw_id, std::string_view pin) {
    const auto id = canonical_tenant_id(raw_id);
    ctx_.authorize(Operation::CheckPin, id);
    refuse_overlong_pin(pin, id);
    auto attempt = begin_pin_attempt(id);
    std::optional<Secret> upgraded;
    const bool accepted = verify_pin_attempt(attempt, pin, upgraded);
    // The attempt is durable already; its outcome (the audit and notification of the result,
    // the counter cleared after a right PIN, a rehash) is safe from a crash of the process
    // without waiting for the disk. A power loss right after may lose it: the attempt then
    // stays counted as failed, which errs on the safe side.
    auto tx = ctx_.store.begin(TxMode::WriteUnsynced);
    const bool recorded = record_pin_outcome(*tx, attempt, accepted, upgraded);
    tx->commit();
    return recorded;
}

PinStatus Pins::unlock_pin(std::string_view raw_id) {
    const auto id = canonical_tenant_id(raw_id);
    ctx_.authorize(Operation::UnlockPin, id);
    auto tx = ctx_.store.begin(TxMode::Write);
    auto t = ctx_.verified_tenant(*tx, id, true);
    const auto ledger = AttemptLedger::decode(t.carrier_attempts);
    int carriers_locked = 0;
    for (const auto& c : ledger.carriers()) carriers_locked += c.locked_until && *c.locked_until > ctx_.now() ? 1 : 0;
    const std::string details = "failed_attempts=" + std::to_string(t.failed_attempts) + " was_locked=" +
                                (t.locked_until && *t.locked_until > ctx_.now() ? "true" : "false") +
                                " carriers_locked=" + std::to_string(carriers_locked);
    t.failed_attempts = 0;
    t.locked_until.reset();
    t.lock_level = 0;
    t.carrier_attempts.clear();
    tx->update_tenant(t);
    ctx_.append_state_change(*tx, "PinUnlocked", id, t, "Success", "", details);
    notify(ctx_, *tx, "PinUnlocked", id, "", "Port-out PIN checks were unlocked by " + ctx_.actor + ".", details);
    tx->commit();
    return status_of(t);
}

PinStatus Pins::repair_state(std::string_view raw_id) {
    const auto id = canonical_tenant_id(raw_id);
    ctx_.authorize(Operation::RepairState, id);
    auto tx = ctx_.store.begin(TxMode::Write);
    auto row = tx->tenant(id);
    const auto not_held = states_not_held(ctx_, *tx, {{id, row}});
    if (std::find(not_held.begin(), not_held.end(), id) == not_held.end()) {
        throw InvalidOperationError("NothingToRepair",
                                    "This tenant's security state is what portout last wrote: there is nothing to "
                                    "repair.",
                                    id);
    }
    std::string details;
    if (!row) {
        details = "row_missing=true (the tenant's removal outside portout is taken as it stands)";
    } else {
        auto& t = *row;
        const auto policy = tx->policy(id);
        details = std::string("pin_removed=") + (t.pin_record ? "true" : "false") + " country=" + t.country +
                  " frozen=" + (t.frozen ? "true" : "false") + " own_policy=" + (policy ? "kept" : "none") +
                  " failed_attempts_cleared=" + std::to_string(t.failed_attempts);
        t.pin_record.reset();
        t.pin_key_id.clear();
        t.pin_set_at.reset();
        t.pin_changed_at = ctx_.now();
        t.pin_changed_by = ctx_.actor;
        t.pin_version += 1;
        t.failed_attempts = 0;
        t.locked_until.reset();
        t.lock_level = 0;
        t.carrier_attempts.clear();
        t.modified_at = ctx_.now();
        t.modified_by = ctx_.actor;
        tx->update_tenant(t);
    }
    ctx_.append_state_change(*tx, "TenantStateRepaired", id, row, "Success", "StoreTampered", details);
    notify(ctx_, *tx, "TenantStateRepaired", id, "",
           "This tenant's port-out security state was repaired by " + ctx_.actor +
               " after it was changed outside portout: the port-out PIN was removed; set a new one.",
           details);
    tx->commit();
    if (row) return status_of(*row);
    TenantRecord gone;
    gone.tenant_id = id;
    return status_of(gone);
}

}  // namespace portout
