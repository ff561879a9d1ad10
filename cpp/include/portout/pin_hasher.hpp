// Argon2id hashing of PINs (libsodium crypto_pwhash_str), with named cost profiles.
#pragma once

#include <portout/secret.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace portout {

enum class HashProfile {
    Test,         // the cheapest parameters: for test suites only, never for real PINs
    Owasp,        // OWASP's minimum for Argon2id (t=2, 19 MiB): many checks at once, less memory
    Interactive,  // libsodium's INTERACTIVE (t=2, 64 MiB): the default
    Moderate,     // libsodium's MODERATE (t=3, 256 MiB)
    Sensitive,    // libsodium's SENSITIVE (t=4, 1 GiB)
};

std::string_view to_string(HashProfile profile) noexcept;
std::optional<HashProfile> parse_hash_profile(std::string_view name) noexcept;

struct HashParams {
    unsigned long long opslimit;  // Argon2 passes (t)
    std::size_t memlimit;         // bytes
};

HashParams params_of(HashProfile profile) noexcept;

class PinHasher {
public:
    explicit PinHasher(HashProfile profile);

    HashProfile profile() const noexcept { return profile_; }
    HashParams params() const noexcept { return params_; }

    // The encoded Argon2id string ("$argon2id$v=19$m=...,t=...,p=1$salt$hash"), with a fresh salt.
    // Throws ResourceUnavailableError when memory for the hash cannot be had.
    Secret hash(std::string_view pin) const;
    // True when `pin` matches `encoded`. A malformed `encoded` is simply no match.
    bool verify(std::string_view encoded, std::string_view pin) const;
    // Spends the time of one verification at this profile and returns false: used where there
    // is nothing to verify, so that no answer arrives faster than a real check.
    bool verify_nothing(std::string_view pin) const;
    // True when `encoded` was made with less memory or fewer passes than this profile asks.
    bool is_weaker(std::string_view encoded) const;

private:
    HashProfile profile_;
    HashParams params_;
};

// How many Argon2id computations (hashes and verifications) this process has run: lets a test
// show that every refusal costs exactly one, without timing anything.
std::uint64_t argon2_computations() noexcept;

// The parameters an encoded Argon2id string was made with, if it is one.
std::optional<HashParams> parse_argon2id_params(std::string_view encoded) noexcept;

}  // namespace portout
