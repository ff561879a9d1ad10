#include <portout/phone_number.hpp>

#include <portout/errors.hpp>
#include <portout/identity.hpp>

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

namespace portout {

std::string canonical_us_number(std::string_view raw) {
    using i18n::phonenumbers::PhoneNumber;
    using i18n::phonenumbers::PhoneNumberUtil;
    // Text that is not UTF-8, or absurdly long, is no number and never reaches the parser.
    const std::string shown = raw.size() <= 64 && is_valid_utf8(raw) ? std::string(raw) : std::string();
    if (raw.empty() || raw.size() > 64 || !is_valid_utf8(raw)) {
        throw InvalidArgumentError("InvalidPhoneNumber", "This is not a phone number.", shown);
    }
    const auto* util = PhoneNumberUtil::GetInstance();
    PhoneNumber number;
    if (util->Parse(std::string(raw), "US", &number) != PhoneNumberUtil::NO_PARSING_ERROR ||
        !util->IsValidNumber(number)) {
        throw InvalidArgumentError("InvalidPhoneNumber",
                                   "This is not a valid phone number (a US number such as "
                                   "+1 425 555 0100 or (425) 555-0100 is expected).",
                                   shown);
    }
    if (number.has_extension()) {
        throw InvalidArgumentError("InvalidPhoneNumber",
                                   "A number to port has no extension: give the number alone.", shown);
    }
    std::string region;
    util->GetRegionCodeForNumber(number, &region);
    if (region != "US") {
        throw InvalidArgumentError("PhoneNumberNotInUS",
                                   "The number is valid but not a United States number (region " +
                                       region + "); port-out here is for US numbers only.",
                                   shown);
    }
    std::string e164;
    util->Format(number, PhoneNumberUtil::E164, &e164);
    return e164;
}

}  // namespace portout
