// The rules a port-out PIN must meet: the seed's (6-10 ASCII digits) and the weak-PIN rules.
#pragma once

#include <portout/errors.hpp>

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace portout {

// Stable rule ids: scripts match on them, so a value is never renamed or reused.
enum class PinRule {
    Empty,
    TooShort,
    TooLong,
    NotDigits,
    RepeatedDigit,
    Sequential,
    RepeatedPattern,
    CommonPin,
    Blocklisted,
    SameAsCurrent,
};

inline constexpr std::array kAllPinRules = {
    PinRule::Empty,         PinRule::TooShort,   PinRule::TooLong,         PinRule::NotDigits,
    PinRule::RepeatedDigit, PinRule::Sequential, PinRule::RepeatedPattern, PinRule::CommonPin,
    PinRule::Blocklisted,   PinRule::SameAsCurrent,
};

std::string_view to_string(PinRule rule) noexcept;
// The rule whose id is `id`, if any.
std::optional<PinRule> parse_pin_rule(std::string_view id) noexcept;

struct Violation {
    PinRule rule;
    // Says what is wrong and how to fix it. Never contains the PIN, nor any ASCII digit, so that
    // even a one-digit PIN cannot be echoed back through it.
    std::string message;

    friend bool operator==(const Violation&, const Violation&) = default;
};

class PinPolicyError : public InvalidArgumentError {
public:
    explicit PinPolicyError(std::vector<Violation> violations, std::string target = {});
    const std::vector<Violation>& violations() const noexcept { return violations_; }

private:
    std::vector<Violation> violations_;
};

class PinPolicy {
public:
    // Bounds a PinPolicy used on its own may choose between: what carriers accept at either
    // end, for modelling other carriers' rules. A store's or tenant's port-out policy is held
    // to the seed's 6..10 (kDefaultMinLength..kDefaultMaxLength): it may narrow that range,
    // never widen it.
    static constexpr int kLowestLength = 4;
    static constexpr int kHighestLength = 15;
    static constexpr int kDefaultMinLength = 6;
    static constexpr int kDefaultMaxLength = 10;

    // The seed's rules with weak-PIN blocking on.
    PinPolicy();
    // Throws InvalidArgumentError (id InvalidPinPolicy) for bounds outside 4..15, min > max, or a
    // blocklist entry that is not a non-empty string of at most 15 ASCII digits.
    PinPolicy(int min_length, int max_length, bool block_weak,
              std::vector<std::string> blocklist = {});

    int min_length() const noexcept { return min_length_; }
    int max_length() const noexcept { return max_length_; }
    bool block_weak() const noexcept { return block_weak_; }
    // Sorted, without duplicates.
    const std::vector<std::string>& blocklist() const noexcept { return blocklist_; }

    // Every rule the PIN fails, in the order of PinRule; empty when the PIN is acceptable.
    // The PIN is the UTF-8 text the caller typed; its length is counted in characters.
    std::vector<Violation> validate(std::string_view pin) const;
    // Throws PinPolicyError listing every violation; `target` names the tenant, if any.
    void check(std::string_view pin, std::string_view target = {}) const;

    friend bool operator==(const PinPolicy&, const PinPolicy&) = default;

private:
    int min_length_;
    int max_length_;
    bool block_weak_;
    std::vector<std::string> blocklist_;
};

// Weak-PIN predicates on a string of ASCII digits, exposed for tests and for the docs' examples.
namespace weak {
bool is_repeated_digit(std::string_view digits) noexcept;
bool is_sequential(std::string_view digits) noexcept;
bool is_repeated_pattern(std::string_view digits) noexcept;
bool is_common(std::string_view digits);
// The built-in list of commonly chosen PINs, sorted.
const std::vector<std::string_view>& common_pins();
}  // namespace weak

}  // namespace portout
