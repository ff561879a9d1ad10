#include <portout/crypto.hpp>

#include <portout/errors.hpp>
#include "file_checks.hpp"

#include <sodium.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <utility>

namespace portout {

static_assert(sizeof(crypto_generichash_state) <= 384 && alignof(crypto_generichash_state) <= 64);

namespace {

constexpr char kKdfContext[crypto_kdf_CONTEXTBYTES + 1] = "portout1";
constexpr unsigned char kRecordVersion = 1;

// A file descriptor that closes itself.
class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const noexcept { return fd_; }

private:
    int fd_;
};

std::string errno_text(int err) { return std::strerror(err); }

// Messages about the key file name it: "The key file /etc/portout/store.key cannot be read".
std::string the_key_file(const std::string& path) { return "The key file " + path + " "; }

void fsync_parent(const std::filesystem::path& path) {
    Fd dir(::open(path.parent_path().empty() ? "." : path.parent_path().c_str(),
                  O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir.get() >= 0) ::fsync(dir.get());
}

}  // namespace

void ensure_sodium() {
    static std::once_flag once;
    static bool ok = false;
    std::call_once(once, [] { ok = sodium_init() >= 0; });
    if (!ok) throw ResourceUnavailableError("CryptoUnavailable", "libsodium could not be initialised.");
}

std::string random_bytes(std::size_t n) {
    ensure_sodium();
    std::string out(n, '\0');
    randombytes_buf(out.data(), n);
    return out;
}

std::string random_uuid() {
    auto b = random_bytes(16);
    b[6] = static_cast<char>((static_cast<unsigned char>(b[6]) & 0x0FU) | 0x40U);
    b[8] = static_cast<char>((static_cast<unsigned char>(b[8]) & 0x3FU) | 0x80U);
    const auto hex = to_hex(b);
    return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
           hex.substr(16, 4) + "-" + hex.substr(20);
}

std::string fingerprint(std::string_view data) {
    ensure_sodium();
    std::array<unsigned char, 8> digest{};
    crypto_generichash(digest.data(), digest.size(), reinterpret_cast<const unsigned char*>(data.data()),
                       data.size(), nullptr, 0);
    return to_hex(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

std::string to_hex(std::string_view bytes) {
    std::string out(bytes.size() * 2 + 1, '\0');
    sodium_bin2hex(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                   bytes.size());
    out.pop_back();
    return out;
}

std::optional<std::string> from_hex(std::string_view hex) {
    if (hex.size() % 2 != 0) return std::nullopt;
    auto digit = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    std::string out(hex.size() / 2, '\0');
    for (std::size_t i = 0; i < out.size(); ++i) {
        const int hi = digit(hex[2 * i]);
        const int lo = digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out[i] = static_cast<char>((hi << 4) | lo);
    }
    return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && (a.empty() || sodium_memcmp(a.data(), b.data(), a.size()) == 0);
}

StoreKey::StoreKey(Secret bytes) : bytes_(std::move(bytes)) {
    std::array<unsigned char, 8> id{};
    static constexpr std::string_view kLabel = "portout key id";
    crypto_generichash(id.data(), id.size(), reinterpret_cast<const unsigned char*>(kLabel.data()),
                       kLabel.size(), reinterpret_cast<const unsigned char*>(bytes_.view().data()),
                       bytes_.size());
    key_id_ = to_hex(std::string_view(reinterpret_cast<const char*>(id.data()), id.size()));
}

StoreKey StoreKey::generate() {
    ensure_sodium();
    std::array<char, kSize> raw{};
    randombytes_buf(raw.data(), raw.size());
    StoreKey key{Secret(std::string_view(raw.data(), raw.size()))};
    sodium_memzero(raw.data(), raw.size());
    return key;
}

StoreKey StoreKey::load(const std::string& path) {
    ensure_sodium();
    // O_NOFOLLOW: a key file is read where it lies, never through a symbolic link someone
    // may have pointed elsewhere. O_NONBLOCK: a FIFO or a device named as the key file is
    // opened at once (and refused below as no regular file) instead of waiting for a writer.
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK));
    if (fd.get() < 0) {
        const int err = errno;
        struct stat link {};
        if (err == ELOOP && ::lstat(path.c_str(), &link) == 0 && S_ISLNK(link.st_mode)) {
            throw SecurityError("KeyFileIsLink",
                                the_key_file(path) + "is a symbolic link; a key file is never read through "
                                "one. Give the path of the key file itself.",
                                path);
        }
        if (err == ENOENT) {
            throw ObjectNotFoundError("KeyFileNotFound",
                                      the_key_file(path) + "does not exist. A store's key is never "
                                      "made anew over existing data: give the path of its key file.",
                                      path);
        }
        if (err == EACCES) {
            throw PermissionDeniedError("KeyFileUnreadable",
                                        the_key_file(path) + "cannot be read: " + errno_text(err) + ".", path);
        }
        throw ResourceUnavailableError("KeyFileUnavailable",
                                       the_key_file(path) + "cannot be opened: " + errno_text(err) + ".", path);
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
        throw ResourceUnavailableError("KeyFileUnavailable",
                                       the_key_file(path) + "cannot be examined: " + errno_text(errno) + ".", path);
    }
    if (!S_ISREG(st.st_mode)) {
        throw InvalidDataError("KeyFileInvalid",
                               (the_key_file(path) + "is not a regular file (it is ") +
                                   files::kind(st.st_mode) + ").",
                               path);
    }
    // Root too: a key file someone else owns may have been planted, whoever reads it.
    if (st.st_uid != ::geteuid()) {
        throw SecurityError("KeyFileOwner",
                            the_key_file(path) + "belongs to another user (uid " + std::to_string(st.st_uid) +
                                "); a key file must belong to the user that runs portout (uid " +
                                std::to_string(::geteuid()) +
                                "). If the file is truly the store's key, run: chown on it; "
                                "else find out who put it there.",
                            path);
    }
    if ((st.st_mode & 077) != 0) {
        throw SecurityError("KeyFileTooOpen",
                            "Permissions " + files::mode_text(st.st_mode) +
                                " on the key file " + path + " are too open: it must be readable by its owner "
                                "only. Run: chmod 600 on it.",
                            path);
    }
    if (st.st_size != static_cast<off_t>(kSize)) {
        throw InvalidDataError("KeyFileInvalid",
                               the_key_file(path) + "is not a portout key: it must hold exactly 32 bytes.",
                               path);
    }
    std::array<char, kSize + 1> raw{};
    std::size_t got = 0;
    while (got < raw.size()) {
        const ssize_t n = ::read(fd.get(), raw.data() + got, raw.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            sodium_memzero(raw.data(), raw.size());
            throw ResourceUnavailableError("KeyFileUnavailable",
                                           the_key_file(path) + "cannot be read: " + errno_text(errno) + ".",
                                           path);
        }
        if (n == 0) break;
        got += static_cast<std::size_t>(n);
    }
    const bool all_zero = sodium_is_zero(reinterpret_cast<const unsigned char*>(raw.data()), kSize);
    if (got != kSize || all_zero) {
        sodium_memzero(raw.data(), raw.size());
        throw InvalidDataError("KeyFileInvalid",
                               all_zero ? the_key_file(path) + "holds only zero bytes: it is not a key."
                                        : the_key_file(path) + "changed size while it was read.",
                               path);
    }
    StoreKey key{Secret(std::string_view(raw.data(), kSize))};
    sodium_memzero(raw.data(), raw.size());
    return key;
}

void StoreKey::save_new(const std::string& path) const {
    namespace fs = std::filesystem;
    const fs::path p(path);
    std::error_code ec;
    if (p.has_parent_path() && !fs::exists(p.parent_path(), ec)) {
        fs::create_directories(p.parent_path(), ec);
        if (ec) {
            throw ResourceUnavailableError("KeyFileUnavailable",
                                           "The key file's folder " + p.parent_path().string() + " cannot be created: " + ec.message() + ".",
                                           path);
        }
        fs::permissions(p.parent_path(), fs::perms::owner_all, ec);
    }
    // Written whole to a private temporary file, then linked into place: another process
    // never sees a key file half written, and link() never replaces an existing file.
    std::string temp = path + ".XXXXXX";
    Fd fd(::mkstemp(temp.data()));
    if (fd.get() < 0) {
        throw ResourceUnavailableError("KeyFileUnavailable",
                                       the_key_file(path) + "cannot be created: " + errno_text(errno) + ".", path);
    }
    auto fail = [&](const char* what) {
        const int err = errno;
        ::unlink(temp.c_str());
        throw ResourceUnavailableError("KeyFileUnavailable",
                                       (the_key_file(path) + "cannot be ") + what + ": " +
                                           errno_text(err) + ".",
                                       path);
    };
    if (::fchmod(fd.get(), 0600) != 0) fail("protected");  // whatever the umask
    const auto bytes = bytes_.view();
    std::size_t put = 0;
    while (put < bytes.size()) {
        const ssize_t n = ::write(fd.get(), bytes.data() + put, bytes.size() - put);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) fail("written");
        put += static_cast<std::size_t>(n);
    }
    if (::fsync(fd.get()) != 0) fail("synced");
    if (::link(temp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        ::unlink(temp.c_str());
        if (err == EEXIST) {
            throw ResourceExistsError("KeyFileExists",
                                      "A file exists already where the new key file would go (" + path + "); it is "
                                      "never overwritten.",
                                      path);
        }
        throw ResourceUnavailableError("KeyFileUnavailable",
                                       the_key_file(path) + "cannot be created: " + errno_text(err) + ".", path);
    }
    ::unlink(temp.c_str());
    fsync_parent(p);
}

Secret StoreKey::subkey(std::uint64_t purpose) const {
    std::array<unsigned char, crypto_kdf_KEYBYTES> out{};
    crypto_kdf_derive_from_key(out.data(), out.size(), purpose, kKdfContext,
                               reinterpret_cast<const unsigned char*>(bytes_.view().data()));
    Secret s(std::string_view(reinterpret_cast<const char*>(out.data()), out.size()));
    sodium_memzero(out.data(), out.size());
    return s;
}

RecordCipher::RecordCipher(const StoreKey& key, std::uint64_t purpose) : key_(key.subkey(purpose)) {}

std::string RecordCipher::seal(std::string_view plaintext, std::string_view associated) const {
    constexpr auto kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
    constexpr auto kTag = crypto_aead_xchacha20poly1305_ietf_ABYTES;
    std::string out(1 + kNonce + plaintext.size() + kTag, '\0');
    auto* base = reinterpret_cast<unsigned char*>(out.data());
    base[0] = kRecordVersion;
    randombytes_buf(base + 1, kNonce);
    unsigned long long written = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        base + 1 + kNonce, &written, reinterpret_cast<const unsigned char*>(plaintext.data()),
        plaintext.size(), reinterpret_cast<const unsigned char*>(associated.data()),
        associated.size(), nullptr, base + 1,
        reinterpret_cast<const unsigned char*>(key_.view().data()));
    out.resize(1 + kNonce + static_cast<std::size_t>(written));
    return out;
}

Secret RecordCipher::open(std::string_view blob, std::string_view associated) const {
    constexpr auto kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
    constexpr auto kTag = crypto_aead_xchacha20poly1305_ietf_ABYTES;
    if (blob.size() < 1 + kNonce + kTag || static_cast<unsigned char>(blob[0]) != kRecordVersion) {
        throw InvalidDataError("RecordAuthenticationFailed",
                               "A stored record is malformed: it was altered or is not ours.");
    }
    const auto* base = reinterpret_cast<const unsigned char*>(blob.data());
    std::string plain(blob.size() - 1 - kNonce - kTag, '\0');
    unsigned long long written = 0;
    const int rc = crypto_aead_xchacha20poly1305_ietf_decrypt(
        reinterpret_cast<unsigned char*>(plain.data()), &written, nullptr, base + 1 + kNonce,
        blob.size() - 1 - kNonce, reinterpret_cast<const unsigned char*>(associated.data()),
        associated.size(), base + 1, reinterpret_cast<const unsigned char*>(key_.view().data()));
    Secret out(std::string_view(plain.data(), rc == 0 ? static_cast<std::size_t>(written) : 0));
    sodium_memzero(plain.data(), plain.size());
    if (rc != 0) {
        throw InvalidDataError("RecordAuthenticationFailed",
                               "A stored record failed authentication: it was altered, moved to "
                               "another tenant, or sealed under another key.");
    }
    return out;
}

SigningKey::SigningKey(const StoreKey& key, std::uint64_t purpose) {
    static_assert(crypto_sign_PUBLICKEYBYTES == kPublicKeySize && crypto_sign_BYTES == kSignatureSize);
    static_assert(crypto_sign_SEEDBYTES == crypto_kdf_KEYBYTES);
    const Secret seed = key.subkey(purpose);
    std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> pk{};
    std::array<unsigned char, crypto_sign_SECRETKEYBYTES> sk{};
    crypto_sign_seed_keypair(pk.data(), sk.data(), reinterpret_cast<const unsigned char*>(seed.view().data()));
    secret_key_ = Secret(std::string_view(reinterpret_cast<const char*>(sk.data()), sk.size()));
    sodium_memzero(sk.data(), sk.size());
    public_key_.assign(reinterpret_cast<const char*>(pk.data()), pk.size());
}

std::string SigningKey::sign(std::string_view message) const {
    std::string out(kSignatureSize, '\0');
    crypto_sign_detached(reinterpret_cast<unsigned char*>(out.data()), nullptr,
                         reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                         reinterpret_cast<const unsigned char*>(secret_key_.view().data()));
    return out;
}

bool verify_signature(std::string_view public_key, std::string_view message, std::string_view signature) noexcept {
    if (public_key.size() != crypto_sign_PUBLICKEYBYTES || signature.size() != crypto_sign_BYTES) return false;
    return crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(signature.data()),
                                       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                                       reinterpret_cast<const unsigned char*>(public_key.data())) == 0;
}

AuditMac::AuditMac(Secret key) : key_(std::move(key)) {}

AuditMac::Builder::Builder(const Secret& key) {
    crypto_generichash_init(reinterpret_cast<crypto_generichash_state*>(state_),
                            reinterpret_cast<const unsigned char*>(key.view().data()), key.size(),
                            kSize);
}

AuditMac::Builder& AuditMac::Builder::add(std::string_view field) {
    add(static_cast<std::int64_t>(field.size()));
    crypto_generichash_update(reinterpret_cast<crypto_generichash_state*>(state_),
                              reinterpret_cast<const unsigned char*>(field.data()), field.size());
    return *this;
}

AuditMac::Builder& AuditMac::Builder::add(std::int64_t value) {
    unsigned char be[8];
    for (int i = 7; i >= 0; --i) {
        be[i] = static_cast<unsigned char>(static_cast<std::uint64_t>(value) & 0xFFU);
        value = static_cast<std::int64_t>(static_cast<std::uint64_t>(value) >> 8);
    }
    crypto_generichash_update(reinterpret_cast<crypto_generichash_state*>(state_), be, sizeof be);
    return *this;
}

AuditMac::Builder::~Builder() { sodium_memzero(state_, sizeof state_); }

std::string AuditMac::Builder::finish() {
    std::string out(kSize, '\0');
    crypto_generichash_final(reinterpret_cast<crypto_generichash_state*>(state_),
                             reinterpret_cast<unsigned char*>(out.data()), kSize);
    return out;
}

}  // namespace portout
