// Phone numbers, parsed and validated with libphonenumber (US as the default region) and kept
// in E.164.
#pragma once

#include <string>
#include <string_view>

namespace portout {

// The E.164 form of a valid US number. Throws InvalidArgumentError: InvalidPhoneNumber (not a
// number, not a valid one, or with an extension) or PhoneNumberNotInUS (valid, but elsewhere).
// The target of the error is the text given, which is a phone number, never a secret.
std::string canonical_us_number(std::string_view raw);

}  // namespace portout
