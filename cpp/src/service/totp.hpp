// Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP): HMAC-SHA-1, 6 digits, 30-second
// steps, the parameters every authenticator app reads from an otpauth:// URI by default.
#pragma once

#include <portout/clock.hpp>
#include <portout/secret.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace portout {

inline constexpr std::int64_t kTotpStepMs = 30 * 1000;
inline constexpr int kTotpDigits = 6;

// RFC 4648 base32, upper case, unpadded: how an authenticator app is given the secret.
std::string base32(std::string_view bytes);
// The 6-digit code for one step.
std::string hotp(std::string_view secret, std::int64_t counter);
// The step `code` belongs to, within one step either side of `now`, if it is right; steps at
// or before `after_step` are not accepted (a code is good once).
std::optional<std::int64_t> verify_totp(std::string_view secret, std::string_view code, Millis now,
                                        std::optional<std::int64_t> after_step);

}  // namespace portout
