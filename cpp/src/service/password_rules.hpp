// The rules an account's password must meet, after NIST SP 800-63B: a length (longer when the
// password is the only factor), and not a password others use or one the context gives away;
// no composition rules, every printable character (spaces and any script) allowed.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace portout {

// A rule broken: its stable id (PasswordTooShort, PasswordTooLong, PasswordNotText,
// PasswordCommon, PasswordRepetitive, PasswordSequential, PasswordContainsContext) and what to
// do about it. The message never contains the password.
struct PasswordViolation {
    std::string rule;
    std::string message;
};

std::vector<PasswordViolation> password_violations(std::string_view password, std::string_view user_name, bool totp);

// Throws InvalidArgumentError (PasswordPolicyViolation) naming every rule broken, if any.
void require_password_rules(std::string_view password, std::string_view user_name, bool totp);

}  // namespace portout
