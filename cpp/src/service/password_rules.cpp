#include "service/password_rules.hpp"

#include <portout/errors.hpp>
#include <portout/identity.hpp>
#include <portout/service.hpp>

#include <algorithm>
#include <iterator>
#include <cctype>

namespace portout {

namespace {

// Passwords and words people choose most, lower case, letters and digits only: compared with
// the password so reduced, and with it less the digits and marks people put after a word.
constexpr std::string_view kCommon[] = {
    "password",      "passw0rd",        "password1",       "123456789",        "1234567890",
    "12345678910",   "qwerty",          "qwertyuiop",      "qwerty123",        "iloveyou",
    "letmein",       "welcome",         "admin",           "administrator",    "changeme",
    "trustno1",      "sunshine",        "princess",        "football",         "baseball",
    "dragon",        "monkey",          "master",          "superman",         "starwars",
    "whatever",      "shadow",          "michael",         "jennifer",         "hunter",
    "secret",        "login",           "access",          "default",          "test",
    "guest",         "root",            "abc123",          "111111",           "000000",
    "correcthorsebatterystaple",        "thisismypassword", "mypassword",      "passwordpassword",
    "1q2w3e4r5t6y",  "1qaz2wsx3edc",    "zaq12wsx",        "qazwsxedc",        "asdfghjkl",
    "zxcvbnm",       "iloveyou123",     "ihateyou",        "loveme",           "freedom",
    "summer",        "winter",          "spring",          "autumn",           "january",
    "telephone",     "voicemail",       "portoutpin",      "teams",
};

// Runs a keyboard or an alphabet makes, forwards; a password that is a piece of one (or of
// it backwards) is guessed at once.
constexpr std::string_view kRuns[] = {
    "abcdefghijklmnopqrstuvwxyz",
    "01234567890123456789",
    "`1234567890-=qwertyuiop[]\\asdfghjkl;'zxcvbnm,./",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/-['=]",
};

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::size_t code_points(std::string_view s) {
    return static_cast<std::size_t>(
        std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

bool has_control(std::string_view s) {
    return std::any_of(s.begin(), s.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7F;
    });
}

bool is_common(std::string_view password) {
    std::string reduced;
    for (const char c : lower(password)) {
        if (std::isalnum(static_cast<unsigned char>(c)) != 0) reduced += c;
    }
    auto word = reduced;
    while (!word.empty() && std::isdigit(static_cast<unsigned char>(word.back())) != 0) word.pop_back();
    return std::any_of(std::begin(kCommon), std::end(kCommon),
                       [&](std::string_view c) { return reduced == c || (!word.empty() && word == c); });
}

// One piece (of at most half the length) said again and again: "abcabcabc...", "aaaa...".
bool is_repetitive(std::string_view s) {
    for (std::size_t unit = 1; unit <= s.size() / 2; ++unit) {
        if (s.size() % unit != 0) continue;
        bool repeats = true;
        for (std::size_t i = unit; i < s.size() && repeats; ++i) repeats = s[i] == s[i - unit];
        if (repeats) return true;
    }
    return false;
}

bool is_sequential(std::string_view password) {
    const auto s = lower(password);
    return std::any_of(std::begin(kRuns), std::end(kRuns), [&](std::string_view run) {
        std::string backwards(run.rbegin(), run.rend());
        return run.find(s) != std::string_view::npos || backwards.find(s) != std::string::npos;
    });
}

}  // namespace

std::vector<PasswordViolation> password_violations(std::string_view password, std::string_view user_name, bool totp) {
    std::vector<PasswordViolation> out;
    const std::size_t min = totp ? kMinPasswordLengthWithTotp : kMinPasswordLength;
    if (!is_valid_utf8(password) || has_control(password)) {
        out.push_back({"PasswordNotText", "A password is text: letters, digits, spaces, marks of any script; no "
                                          "control characters."});
        return out;
    }
    const auto length = code_points(password);
    if (length < min) {
        out.push_back({"PasswordTooShort", "A password is at least " + std::to_string(min) + " characters" +
                                               (totp ? "" : " (8 for an account with TOTP)") +
                                               ": a few words make one easily."});
    }
    if (length > kMaxPasswordLength) {
        out.push_back({"PasswordTooLong", "A password is at most " + std::to_string(kMaxPasswordLength) + " characters."});
    }
    if (is_common(password)) {
        out.push_back({"PasswordCommon", "This password is one of those people use most: guessers try it first."});
    }
    if (password.size() > 1 && is_repetitive(password)) {
        out.push_back({"PasswordRepetitive", "A password that repeats one piece over and over is guessed at once."});
    }
    if (password.size() > 2 && is_sequential(password)) {
        out.push_back({"PasswordSequential", "A run of the alphabet, digits or keyboard keys is guessed at once."});
    }
    const auto l = lower(password);
    const auto name = lower(user_name);
    if ((name.size() >= 3 && l.find(name) != std::string::npos) || l.find("portout") != std::string::npos) {
        out.push_back({"PasswordContainsContext", "A password does not contain the user name or the service's name."});
    }
    return out;
}

void require_password_rules(std::string_view password, std::string_view user_name, bool totp) {
    const auto violations = password_violations(password, user_name, totp);
    if (violations.empty()) return;
    std::string message = "The password does not meet the rules:";
    for (const auto& v : violations) message += " " + v.rule + " (" + v.message + ")";
    throw InvalidArgumentError("PasswordPolicyViolation", message);
}

}  // namespace portout
