// The store's cryptography, all of it libsodium: the key kept outside the database, the sealing
// of stored records under it, and the keyed MAC of the audit chain.
#pragma once

#include <portout/secret.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace portout {

// Initialises libsodium once per process; throws ResourceUnavailableError if it cannot.
void ensure_sodium();

// Random bytes from libsodium's CSPRNG.
std::string random_bytes(std::size_t n);
// A random RFC 4122 version 4 UUID, lower case.
std::string random_uuid();
std::string to_hex(std::string_view bytes);
// The bytes that lower- or upper-case hex digits spell; nothing unless `hex` is an even number
// of hex digits and nothing else.
std::optional<std::string> from_hex(std::string_view hex);
// 16 hex digits of an unkeyed BLAKE2b digest of `data`: a short, stable name for a value that
// is not secret (a session's tenant scope, say).
std::string fingerprint(std::string_view data);

// The 32-byte secret key of a store (the "pepper"), kept in a file of its own, outside the
// database. A stolen database without it reveals no PIN and allows no offline guessing.
class StoreKey {
public:
    static constexpr std::size_t kSize = 32;

    static StoreKey generate();
    // Reads a key file. Refuses (SecurityError) a file that group or others may read or that
    // another user owns, as ssh refuses such a private key; a missing file is ObjectNotFound
    // (KeyFileNotFound); a file of the wrong size is InvalidData (KeyFileInvalid).
    static StoreKey load(const std::string& path);

    // Writes the key to a new file with mode 0600 (never over an existing file), fsynced, with
    // its folder created 0700 if missing.
    void save_new(const std::string& path) const;

    // A public fingerprint of the key (16 hex digits); tells keys apart without revealing them.
    const std::string& key_id() const noexcept { return key_id_; }

    // A subkey for one purpose (crypto_kdf), so no key serves two.
    Secret subkey(std::uint64_t purpose) const;

private:
    explicit StoreKey(Secret bytes);
    Secret bytes_;
    std::string key_id_;
};

// Purposes of the subkeys; never renumbered.
inline constexpr std::uint64_t kPurposePinRecord = 1;
inline constexpr std::uint64_t kPurposeAuditKeyWrap = 2;
inline constexpr std::uint64_t kPurposeKeyState = 3;  // a rotation's record of its new key
inline constexpr std::uint64_t kPurposeAuditCheckpoint = 4;  // the seed of the checkpoint signing key

// An Ed25519 key pair whose seed is the store key's subkey for one purpose: the same store key
// always gives the same pair, so a signature proves the key, and its public half may be shown
// to anyone (it reveals nothing of the store key). The secret half is a Secret, wiped.
class SigningKey {
public:
    static constexpr std::size_t kPublicKeySize = 32;
    static constexpr std::size_t kSignatureSize = 64;

    SigningKey(const StoreKey& key, std::uint64_t purpose);

    // The 32-byte public key.
    const std::string& public_key() const noexcept { return public_key_; }
    // The 64-byte detached signature of `message`.
    std::string sign(std::string_view message) const;

private:
    Secret secret_key_;
    std::string public_key_;
};

// Whether `signature` is an Ed25519 signature of `message` under `public_key` (wrong sizes: no).
bool verify_signature(std::string_view public_key, std::string_view message, std::string_view signature) noexcept;

// Authenticated encryption (XChaCha20-Poly1305) of small records under one subkey. The
// associated data binds a record to its place (a PIN record to its tenant), so a record copied
// to another row fails to open.
class RecordCipher {
public:
    RecordCipher(const StoreKey& key, std::uint64_t purpose);

    std::string seal(std::string_view plaintext, std::string_view associated) const;
    // Throws InvalidDataError (RecordAuthenticationFailed) if the blob was altered, moved or
    // sealed under another key.
    Secret open(std::string_view blob, std::string_view associated) const;

private:
    Secret key_;
};

// The keyed BLAKE2b MAC that chains audit events.
class AuditMac {
public:
    static constexpr std::size_t kSize = 32;
    explicit AuditMac(Secret key);

    class Builder {
    public:
        Builder& add(std::string_view field);
        Builder& add(std::int64_t value);
        std::string finish();
        ~Builder();
        Builder(const Builder&) = delete;
        Builder& operator=(const Builder&) = delete;

    private:
        friend class AuditMac;
        explicit Builder(const Secret& key);
        alignas(64) unsigned char state_[384];  // crypto_generichash_state, opaque here
    };

    Builder begin() const { return Builder(key_); }
    const Secret& key() const noexcept { return key_; }

private:
    Secret key_;
};

// Equal-length byte strings compared in constant time.
bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

}  // namespace portout
