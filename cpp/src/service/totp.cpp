#include "service/totp.hpp"

#include <portout/crypto.hpp>

#include <openssl/evp.h>
#include <sodium.h>
#include <openssl/hmac.h>

#include <array>

namespace portout {

std::string base32(std::string_view bytes) {
    static constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    std::string out;
    std::uint32_t buffer = 0;
    int bits = 0;
    for (const char c : bytes) {
        buffer = (buffer << 8) | static_cast<unsigned char>(c);
        bits += 8;
        while (bits >= 5) {
            out += kAlphabet[(buffer >> (bits - 5)) & 0x1F];
            bits -= 5;
        }
    }
    if (bits > 0) out += kAlphabet[(buffer << (5 - bits)) & 0x1F];
    return out;
}

std::string hotp(std::string_view secret, std::int64_t counter) {
    std::array<unsigned char, 8> message{};
    for (int i = 7; i >= 0; --i) {
        message[static_cast<std::size_t>(i)] = static_cast<unsigned char>(counter & 0xFF);
        counter >>= 8;
    }
    std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
    unsigned int mac_size = 0;
    HMAC(EVP_sha1(), secret.data(), static_cast<int>(secret.size()), message.data(), message.size(), mac.data(),
         &mac_size);
    const unsigned offset = mac[mac_size - 1] & 0x0F;
    const std::uint32_t binary = ((mac[offset] & 0x7Fu) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) |
                                 mac[offset + 3];
    std::string code = std::to_string(binary % 1000000u);
    sodium_memzero(mac.data(), mac.size());
    return std::string(static_cast<std::size_t>(kTotpDigits) - code.size(), '0') + code;
}

std::optional<std::int64_t> verify_totp(std::string_view secret, std::string_view code, Millis now,
                                        std::optional<std::int64_t> after_step) {
    if (code.size() != static_cast<std::size_t>(kTotpDigits)) return std::nullopt;
    const std::int64_t step = now / kTotpStepMs;
    std::optional<std::int64_t> found;
    // Every candidate is computed and compared in constant time, whichever matches.
    for (std::int64_t s = step - 1; s <= step + 1; ++s) {
        const bool match = constant_time_equal(hotp(secret, s), code);
        if (match && (!after_step || s > *after_step) && !found) found = s;
    }
    return found;
}

}  // namespace portout
