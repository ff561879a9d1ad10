// What a PIN check costs, the same on every path a carrier can take. The cost is that of one
// Argon2id computation at the costliest profile any record of the store may still be under (the
// store's profile and those it had before, which meta "hash_profiles" lists): a refusal (unknown
// tenant, no PIN, locked, tampered) spends one computation at that profile; a PIN verified
// against a record made under a weaker profile is padded to the time such a computation takes
// in this process (the median of the last ones measured). Neither the time of the answer nor
// its form then tells a refusal, a tenant hashed before a profile change and a wrong PIN apart.
#pragma once

#include <portout/pin_hasher.hpp>

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace portout {

class WorkerPool;

// The profiles a store's records may be under, as meta "hash_profiles" keeps them ("a,b").
std::vector<HashProfile> parse_profile_list(std::string_view text);
std::string profile_list(const std::vector<HashProfile>& profiles);
// The costliest of them (at least `current`).
HashProfile costliest_profile(HashProfile current, const std::vector<HashProfile>& in_use);

class CheckCost {
public:
    CheckCost(HashProfile costliest, WorkerPool& workers);

    HashProfile costliest() const noexcept { return hasher_.profile(); }

    // A check with nothing to verify: one computation at the costliest profile; false.
    bool refuse(std::string_view pin);
    // Verifies `pin` against `encoded` (at the parameters it was made with), taking as long as
    // a computation at the costliest profile when those are weaker.
    bool verify(std::string_view encoded, std::string_view pin);

private:
    using Clock = std::chrono::steady_clock;
    void measured(Clock::duration d);
    std::optional<Clock::duration> typical() const;

    PinHasher hasher_;
    WorkerPool& workers_;
    mutable std::mutex mutex_;
    std::vector<Clock::duration> recent_;  // guarded by mutex_: a ring of the last measurements
    std::size_t next_ = 0;                 // guarded by mutex_
};

}  // namespace portout
