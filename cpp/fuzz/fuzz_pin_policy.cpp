// libFuzzer: any bytes through the PIN policy. Never a crash; never an accepted PIN that breaks
// the seed's rules; never an ASCII digit in a message.
#include <portout/pin_policy.hpp>

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view pin(reinterpret_cast<const char*>(data), size);
    static const portout::PinPolicy policy;
    const auto violations = policy.validate(pin);
    if (violations.empty()) {
        if (pin.size() < 6 || pin.size() > 10) std::abort();
        for (char c : pin) {
            if (c < '0' || c > '9') std::abort();
        }
    }
    for (const auto& v : violations) {
        for (char c : v.message) {
            if (c >= '0' && c <= '9') std::abort();
        }
    }
    return 0;
}
