#include <portout/pin_policy.hpp>

#include <algorithm>
#include <array>
#include <utility>

namespace portout {

namespace {

bool is_ascii_digit(char c) noexcept { return c >= '0' && c <= '9'; }

bool all_ascii_digits(std::string_view s) noexcept {
    return std::all_of(s.begin(), s.end(), is_ascii_digit);
}

// Characters, not bytes: a full-width digit is one character the user typed.
std::size_t utf8_length(std::string_view s) noexcept {
    return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U;
    }));
}

// Lengths are spelled out so that no violation message holds a digit the PIN might echo.
std::string_view number_word(int n) noexcept {
    static constexpr std::array<std::string_view, 16> kWords = {
        "zero", "one",  "two", "three",  "four",   "five",    "six",      "seven",
        "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen"};
    return n >= 0 && n < static_cast<int>(kWords.size()) ? kWords[static_cast<std::size_t>(n)]
                                                          : "many";
}

std::string concat(std::initializer_list<std::string_view> parts) {
    std::string out;
    for (auto p : parts) out.append(p);
    return out;
}

std::string message_for(PinRule rule, const PinPolicy& policy) {
    const auto lo = number_word(policy.min_length());
    const auto hi = number_word(policy.max_length());
    switch (rule) {
        case PinRule::Empty:
            return concat({"The PIN is blank. A port-out PIN cannot be blank: enter ", lo, " to ",
                           hi, " digits."});
        case PinRule::TooShort:
            return concat({"The PIN is too short: it must have at least ", lo, " digits."});
        case PinRule::TooLong:
            return concat({"The PIN is too long: it must have at most ", hi, " digits."});
        case PinRule::NotDigits:
            return "The PIN may contain only the ASCII digits zero to nine: no letters, spaces, "
                   "signs, punctuation, control characters or digits of other scripts.";
        case PinRule::RepeatedDigit:
            return "The PIN repeats a single digit; such PINs are guessed first.";
        case PinRule::Sequential:
            return "The PIN is a run of consecutive digits, ascending or descending; such PINs "
                   "are guessed first.";
        case PinRule::RepeatedPattern:
            return "The PIN repeats a short pattern of digits; such PINs are guessed first.";
        case PinRule::CommonPin:
            return "The PIN is one of the most commonly chosen PINs; choose one that is harder "
                   "to guess.";
        case PinRule::Blocklisted:
            return "The PIN is on this policy's blocklist.";
        case PinRule::SameAsCurrent:
            return "The new PIN is the same as the current PIN; choose a different one.";
    }
    return "The PIN does not meet the policy.";
}

std::string summary(const std::vector<Violation>& violations) {
    std::string out = "The PIN does not meet the port-out PIN policy.";
    for (const auto& v : violations) {
        out += ' ';
        out += v.message;
    }
    return out;
}

InvalidArgumentError invalid_policy(const std::string& message) {
    return InvalidArgumentError("InvalidPinPolicy", message);
}

}  // namespace

std::string_view to_string(PinRule rule) noexcept {
    switch (rule) {
        case PinRule::Empty: return "Empty";
        case PinRule::TooShort: return "TooShort";
        case PinRule::TooLong: return "TooLong";
        case PinRule::NotDigits: return "NotDigits";
        case PinRule::RepeatedDigit: return "RepeatedDigit";
        case PinRule::Sequential: return "Sequential";
        case PinRule::RepeatedPattern: return "RepeatedPattern";
        case PinRule::CommonPin: return "CommonPin";
        case PinRule::Blocklisted: return "Blocklisted";
        case PinRule::SameAsCurrent: return "SameAsCurrent";
    }
    return "Unknown";
}

std::optional<PinRule> parse_pin_rule(std::string_view id) noexcept {
    for (auto rule : kAllPinRules) {
        if (to_string(rule) == id) return rule;
    }
    return std::nullopt;
}

PinPolicyError::PinPolicyError(std::vector<Violation> violations, std::string target)
    : InvalidArgumentError("PinPolicyViolation", summary(violations), std::move(target)),
      violations_(std::move(violations)) {}

namespace weak {

bool is_repeated_digit(std::string_view d) noexcept {
    return d.size() >= 2 && std::all_of(d.begin(), d.end(), [&](char c) { return c == d[0]; });
}

// Steps of +1 or -1, wrapping between nine and zero as the keypad row does ("7890123").
bool is_sequential(std::string_view d) noexcept {
    if (d.size() < 3) return false;
    const int step = (d[1] - d[0] + 10) % 10;
    if (step != 1 && step != 9) return false;
    for (std::size_t i = 2; i < d.size(); ++i) {
        if ((d[i] - d[i - 1] + 10) % 10 != step) return false;
    }
    return true;
}

bool is_repeated_pattern(std::string_view d) noexcept {
    const std::size_t n = d.size();
    if (n < 4 || is_repeated_digit(d)) return false;
    // A block of two or more digits said at least twice, the last time perhaps cut short
    // ("121212", "123123", "1231231").
    for (std::size_t p = 2; p <= n / 2; ++p) {
        bool periodic = true;
        for (std::size_t i = 0; i + p < n && periodic; ++i) periodic = d[i] == d[i + p];
        if (periodic) return true;
    }
    // Runs of one digit, all of the same length of two or more ("112233", "111222").
    std::size_t run = 1;
    while (run < n && d[run] == d[0]) ++run;
    if (run < 2 || n % run != 0) return false;
    for (std::size_t start = 0; start < n; start += run) {
        for (std::size_t i = start; i < start + run; ++i) {
            if (d[i] != d[start]) return false;
        }
        if (start + run < n && d[start + run] == d[start]) return false;
    }
    return true;
}

}  // namespace weak

PinPolicy::PinPolicy() : PinPolicy(kDefaultMinLength, kDefaultMaxLength, true, {}) {}

PinPolicy::PinPolicy(int min_length, int max_length, bool block_weak,
                     std::vector<std::string> blocklist)
    : min_length_(min_length),
      max_length_(max_length),
      block_weak_(block_weak),
      blocklist_(std::move(blocklist)) {
    const auto bounds = concat({"between ", std::to_string(kLowestLength), " and ",
                                std::to_string(kHighestLength)});
    if (min_length < kLowestLength || min_length > kHighestLength) {
        throw invalid_policy(concat({"The minimum PIN length must be ", bounds, "; it was ",
                                     std::to_string(min_length), "."}));
    }
    if (max_length < kLowestLength || max_length > kHighestLength) {
        throw invalid_policy(concat({"The maximum PIN length must be ", bounds, "; it was ",
                                     std::to_string(max_length), "."}));
    }
    if (min_length > max_length) {
        throw invalid_policy(concat({"The minimum PIN length (", std::to_string(min_length),
                                     ") is greater than the maximum (",
                                     std::to_string(max_length), ")."}));
    }
    for (std::size_t i = 0; i < blocklist_.size(); ++i) {
        const auto& entry = blocklist_[i];
        if (entry.empty() || entry.size() > static_cast<std::size_t>(kHighestLength) ||
            !all_ascii_digits(entry)) {
            // The entry itself is not echoed: it is PIN-like, and may be someone's PIN.
            throw invalid_policy(concat({"Blocklist entry ", std::to_string(i + 1),
                                         " is not a string of one to ",
                                         std::to_string(kHighestLength), " ASCII digits."}));
        }
    }
    std::sort(blocklist_.begin(), blocklist_.end());
    blocklist_.erase(std::unique(blocklist_.begin(), blocklist_.end()), blocklist_.end());
}

std::vector<Violation> PinPolicy::validate(std::string_view pin) const {
    std::vector<Violation> out;
    auto add = [&](PinRule rule) { out.push_back({rule, message_for(rule, *this)}); };

    if (pin.empty()) {
        add(PinRule::Empty);
        return out;
    }
    const std::size_t length = utf8_length(pin);
    if (length < static_cast<std::size_t>(min_length_)) add(PinRule::TooShort);
    if (length > static_cast<std::size_t>(max_length_)) add(PinRule::TooLong);
    if (!all_ascii_digits(pin)) {
        add(PinRule::NotDigits);
        return out;  // The weak rules speak of digits only.
    }
    if (block_weak_) {
        if (weak::is_repeated_digit(pin)) add(PinRule::RepeatedDigit);
        if (weak::is_sequential(pin)) add(PinRule::Sequential);
        if (weak::is_repeated_pattern(pin)) add(PinRule::RepeatedPattern);
        if (weak::is_common(pin)) add(PinRule::CommonPin);
    }
    if (std::binary_search(blocklist_.begin(), blocklist_.end(), pin)) add(PinRule::Blocklisted);
    return out;
}

void PinPolicy::check(std::string_view pin, std::string_view target) const {
    auto violations = validate(pin);
    if (!violations.empty()) throw PinPolicyError(std::move(violations), std::string(target));
}

}  // namespace portout
