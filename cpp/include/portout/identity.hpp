// Checks and canonical forms of the names the store keeps: tenant ids, countries, display names
// and actors. Each throws InvalidArgumentError with its own id; none echoes a value that could
// be a secret.
#pragma once

#include <string>
#include <string_view>

namespace portout {

// A GUID (braces allowed) or a domain-like name ("contoso", "contoso.onmicrosoft.com"), in
// lower case. Throws InvalidArgumentError (InvalidTenantId).
std::string canonical_tenant_id(std::string_view raw);

// An assigned ISO 3166-1 alpha-2 code, in upper case. Throws InvalidArgumentError
// (InvalidCountryCode).
std::string canonical_country(std::string_view raw);

// 1 to 256 characters of valid UTF-8 without control characters, surrounding white space
// trimmed. Throws InvalidArgumentError (InvalidDisplayName).
std::string canonical_display_name(std::string_view raw);

// Who acts: 1 to 256 characters of valid UTF-8 without control characters. Throws
// InvalidArgumentError (InvalidActor).
std::string canonical_actor(std::string_view raw);

// The only country whose tenants have a port-out PIN.
inline constexpr std::string_view kPortOutCountry = "US";

bool is_valid_utf8(std::string_view s) noexcept;
// Every byte a visible ASCII character (0x21 to 0x7E): no space, no control, nothing else.
bool is_visible_ascii(std::string_view s) noexcept;

}  // namespace portout
