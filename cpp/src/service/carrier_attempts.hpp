// Failed PIN checks counted by requesting carrier, so that no one carrier can lock a tenant's
// port-outs for everyone. Each carrier that got a PIN wrong has its own count toward its own
// lock (the policy's MaxFailedAttempts, the lock doubling up to MaxLockoutDuration), and the
// times of its failures within the policy's FailureWindow; all carriers' failures in the window
// together count toward the tenant-wide ceiling (TenantMaxFailures) that locks everyone.
//
// Kept in one column of the tenant's row (tenants.carrier_attempts), under the tenant's state
// MAC like its other counters: one line a carrier, "carrier TAB failed TAB locked_until TAB
// lock_level TAB t1,t2,...", sorted by carrier (actors hold no control characters).
#pragma once

#include <portout/clock.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace portout {

struct CarrierAttempts {
    std::string carrier;
    int failed = 0;  // consecutive: since its last right PIN, an unlock, or its last lock ran out
    std::optional<Millis> locked_until;
    int lock_level = 0;            // its locks since its last right PIN or an unlock
    std::vector<Millis> failures;  // within the window, oldest first
};

class AttemptLedger {
public:
    // Lines that do not read are dropped (a row edited outside portout fails its MAC anyway).
    static AttemptLedger decode(std::string_view text);
    std::string encode() const;

    // The carrier's entry, made when it has none.
    CarrierAttempts& of(const std::string& carrier);
    const CarrierAttempts* find(std::string_view carrier) const;
    // Failures older than `window` before `now` forgotten; a carrier with no failure left and
    // no lock in force forgotten with them (and its lock's doubling).
    void prune(Millis now, Millis window);
    // Every carrier's failures within the window (after prune), each carrier's counted up to
    // `per_carrier` (its own lock's threshold): one carrier alone never reaches the tenant-wide
    // ceiling, however long it keeps guessing as its own locks run out.
    int failures(int per_carrier) const;
    const std::vector<CarrierAttempts>& carriers() const noexcept { return carriers_; }

private:
    std::vector<CarrierAttempts> carriers_;
};

}  // namespace portout
