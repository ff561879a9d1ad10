// PINs: setting one (the new PIN hashed outside any transaction while a worker checks it is not
// the current one), its status as the tenant's admin may see it, unlocking, and the check in
// three steps that check_pin and a port-out request share: the attempt counted (and a lock set
// by the attempt that reaches the threshold) in a transaction that commits while the PIN is
// verified, then the outcome recorded in the caller's transaction. Every path costs one hash.
// Failures count per requesting carrier and toward a tenant-wide ceiling (carrier_attempts.hpp).
#pragma once

#include "service/context.hpp"

#include <portout/secret.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace portout {

// Whether `pin` has more characters (counted as the policy counts them) than the seed's longest
// port-out PIN (PinPolicy::kDefaultMaxLength, ten): such a PIN can never be a port-out PIN,
// whatever the tenant or its policy. Reads no further than the eleventh character, so a PIN of
// megabytes costs nothing.
bool longer_than_any_pin(std::string_view pin) noexcept;

// Refuses (InvalidArgumentError, PinTooLong) a PIN longer than any port-out PIN, before a tenant
// is read, an attempt counted or anything hashed. The bound is the seed's, public and the same
// for every tenant, so the refusal tells the caller nothing about any tenant; nothing is written.
void refuse_overlong_pin(std::string_view pin, std::string_view target);

// One PIN check in flight, from its counting to its outcome.
struct PinAttempt {
    // Locked: this carrier's own lock; TenantLocked: the lock of every carrier.
    enum class Path { Evaluate, UnknownTenant, NotInUS, PinNotSet, Locked, Tampered, TenantLocked };
    std::string tenant_id;
    std::string carrier;  // who asks: the session's actor
    Path path = Path::UnknownTenant;
    TenantRecord snapshot;
    Millis counted_at = 0;
    Millis window = 0;            // the policy's FailureWindow
    int per_carrier = 1;          // the policy's MaxFailedAttempts: a carrier's most toward the ceiling
    bool locks_if_wrong = false;  // this carrier's lock, set by this attempt
    Millis lock_for = 0;
    Millis locked_until = 0;
    bool locks_tenant_if_wrong = false;  // every carrier's, set by this attempt
    Millis tenant_locked_until = 0;
    int tenant_failures = 0;
    int tenant_max_failures = 0;
    std::unique_ptr<StoreTransaction> count;  // the counting transaction, until it commits

    // Why the PIN is not evaluated (empty when it is).
    std::string_view reason() const;
};

class Pins {
public:
    explicit Pins(const ServiceContext& ctx) : ctx_(ctx) {}

    PinStatus set_pin(std::string_view tenant_id, std::string_view pin);
    PinStatus pin_status(std::string_view tenant_id);
    std::vector<PinStatus> list_pin_status(std::string_view after_tenant_id, std::size_t limit);
    bool check_pin(std::string_view tenant_id, std::string_view pin);
    PinStatus unlock_pin(std::string_view tenant_id);
    PinStatus repair_state(std::string_view tenant_id);

    // 1. Counts the attempt, in a transaction that commits in step 2. A frozen tenant's attempt
    // is counted and verified like any other: the freeze is told only to whoever gave the right
    // PIN. KeyRotated, for every tenant alike, when the store's keys are not this session's.
    PinAttempt begin_pin_attempt(const std::string& tenant_id);
    // 2. Commits the count and verifies the PIN at once; `upgraded` gets a stronger hash of a
    // right PIN held under a weaker profile.
    bool verify_pin_attempt(PinAttempt& attempt, std::string_view pin, std::optional<Secret>& upgraded);
    // 3. Records the outcome in the caller's transaction; returns whether the PIN is accepted
    // (no when the tenant's state no longer holds).
    bool record_pin_outcome(StoreTransaction& tx, const PinAttempt& attempt, bool accepted,
                            const std::optional<Secret>& upgraded);

private:
    bool verify_pin_now(const PinAttempt& attempt, std::string_view pin, std::optional<Secret>& upgraded) const;
    // `tx`: the transaction `t` was read in, for the policy's window; none: one of its own.
    PinStatus status_of(const TenantRecord& t, StoreTransaction* tx = nullptr) const;

    const ServiceContext& ctx_;
};

}  // namespace portout
