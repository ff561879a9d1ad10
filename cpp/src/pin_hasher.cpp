#include <portout/pin_hasher.hpp>

#include <portout/crypto.hpp>
#include <portout/errors.hpp>

#include <sodium.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>

namespace portout {

std::string_view to_string(HashProfile profile) noexcept {
    switch (profile) {
        case HashProfile::Test: return "test";
        case HashProfile::Owasp: return "owasp";
        case HashProfile::Interactive: return "interactive";
        case HashProfile::Moderate: return "moderate";
        case HashProfile::Sensitive: return "sensitive";
    }
    return "interactive";
}

std::optional<HashProfile> parse_hash_profile(std::string_view name) noexcept {
    for (auto p : {HashProfile::Test, HashProfile::Owasp, HashProfile::Interactive,
                   HashProfile::Moderate, HashProfile::Sensitive}) {
        if (to_string(p) == name) return p;
    }
    return std::nullopt;
}

HashParams params_of(HashProfile profile) noexcept {
    switch (profile) {
        case HashProfile::Test:
            return {crypto_pwhash_argon2id_OPSLIMIT_MIN, crypto_pwhash_argon2id_MEMLIMIT_MIN};
        case HashProfile::Owasp:
            return {2, std::size_t{19} << 20};  // m=19456 KiB, t=2, p=1
        case HashProfile::Interactive:
            return {crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE,
                    crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE};
        case HashProfile::Moderate:
            return {crypto_pwhash_argon2id_OPSLIMIT_MODERATE, crypto_pwhash_argon2id_MEMLIMIT_MODERATE};
        case HashProfile::Sensitive:
            return {crypto_pwhash_argon2id_OPSLIMIT_SENSITIVE,
                    crypto_pwhash_argon2id_MEMLIMIT_SENSITIVE};
    }
    return {crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE, crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE};
}

namespace {
std::atomic<std::uint64_t> g_computations{0};
}  // namespace

std::uint64_t argon2_computations() noexcept { return g_computations.load(std::memory_order_relaxed); }

PinHasher::PinHasher(HashProfile profile) : profile_(profile), params_(params_of(profile)) {
    ensure_sodium();
}

Secret PinHasher::hash(std::string_view pin) const {
    g_computations.fetch_add(1, std::memory_order_relaxed);
    std::array<char, crypto_pwhash_argon2id_STRBYTES> out{};
    if (crypto_pwhash_argon2id_str(out.data(), pin.data(), pin.size(), params_.opslimit,
                                   params_.memlimit) != 0) {
        throw ResourceUnavailableError("HashUnavailable",
                                       "The PIN could not be hashed: not enough memory for the "
                                       "Argon2id parameters of this store.");
    }
    Secret encoded(std::string_view(out.data()));
    sodium_memzero(out.data(), out.size());
    return encoded;
}

bool PinHasher::verify(std::string_view encoded, std::string_view pin) const {
    // crypto_pwhash_str_verify wants a NUL-terminated string of at most STRBYTES - 1 chars.
    std::array<char, crypto_pwhash_argon2id_STRBYTES> str{};
    if (encoded.empty() || encoded.size() >= str.size()) return false;
    std::copy(encoded.begin(), encoded.end(), str.begin());
    g_computations.fetch_add(1, std::memory_order_relaxed);
    const bool ok = crypto_pwhash_argon2id_str_verify(str.data(), pin.data(), pin.size()) == 0;
    sodium_memzero(str.data(), str.size());
    return ok;
}

bool PinHasher::verify_nothing(std::string_view pin) const {
    // One Argon2id computation at this profile, like a verification, with nothing kept: no
    // stand-in hash to make first, so the first refusal costs what every other one does.
    hash(pin);
    return false;
}

bool PinHasher::is_weaker(std::string_view encoded) const {
    const auto stored = parse_argon2id_params(encoded);
    if (!stored) return true;  // not even Argon2id: replace it
    return stored->memlimit < params_.memlimit || stored->opslimit < params_.opslimit;
}

std::optional<HashParams> parse_argon2id_params(std::string_view s) noexcept {
    constexpr std::string_view kPrefix = "$argon2id$v=19$m=";
    if (!s.starts_with(kPrefix)) return std::nullopt;
    s.remove_prefix(kPrefix.size());
    auto number = [&s](auto& out) {
        auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
        if (ec != std::errc() || end == s.data()) return false;
        s.remove_prefix(static_cast<std::size_t>(end - s.data()));
        return true;
    };
    std::size_t m_kib = 0;
    unsigned long long t = 0;
    if (!number(m_kib) || !s.starts_with(",t=")) return std::nullopt;
    s.remove_prefix(3);
    if (!number(t) || !s.starts_with(",p=")) return std::nullopt;
    return HashParams{t, m_kib * 1024};
}

}  // namespace portout
