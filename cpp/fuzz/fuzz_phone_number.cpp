// libFuzzer: any bytes as a phone number. Either a typed error or a US number in E.164.
#include <portout/errors.hpp>
#include <portout/phone_number.hpp>

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        const auto e164 = portout::canonical_us_number(
            std::string_view(reinterpret_cast<const char*>(data), size));
        if (e164.size() != 12 || e164.rfind("+1", 0) != 0) std::abort();
    } catch (const portout::InvalidArgumentError&) {
    }
    return 0;
}
