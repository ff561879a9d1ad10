#include <portout/crypto.hpp>
#include <portout/errors.hpp>
#include <portout/pin_hasher.hpp>

#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

namespace portout {
namespace {

using testing_support::TempDir;

std::string read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

TEST(StoreKey, SavedWithOwnerOnlyModeAndReloadsToTheSameId) {
    TempDir dir;
    const auto path = dir.file("keys/store.key");
    auto key = StoreKey::generate();
    key.save_new(path);
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600U);
    EXPECT_EQ(st.st_size, 32);
    EXPECT_EQ(StoreKey::load(path).key_id(), key.key_id());
    EXPECT_EQ(key.key_id().size(), 16U);
    EXPECT_NE(StoreKey::generate().key_id(), key.key_id());
}

TEST(StoreKey, NeverOverwritesAFile) {
    TempDir dir;
    const auto path = dir.file("store.key");
    StoreKey::generate().save_new(path);
    const auto before = read_all(path);
    EXPECT_THROW(StoreKey::generate().save_new(path), ResourceExistsError);
    EXPECT_EQ(read_all(path), before);
}

TEST(StoreKey, RefusesAKeyOthersCanRead) {
    TempDir dir;
    const auto path = dir.file("store.key");
    StoreKey::generate().save_new(path);
    for (mode_t mode : {0644, 0640, 0604, 0660, 0666}) {
        ::chmod(path.c_str(), mode);
        try {
            StoreKey::load(path);
            ADD_FAILURE() << "loaded a key with mode " << std::oct << mode;
        } catch (const SecurityError& e) {
            EXPECT_EQ(e.error_id(), "KeyFileTooOpen");
            EXPECT_EQ(e.target(), path);
        }
    }
    ::chmod(path.c_str(), 0400);
    EXPECT_NO_THROW(StoreKey::load(path));
}

TEST(StoreKey, MissingTruncatedOrEmptyFilesAreClearErrors) {
    TempDir dir;
    try {
        StoreKey::load(dir.file("absent.key"));
        FAIL();
    } catch (const ObjectNotFoundError& e) {
        EXPECT_EQ(e.error_id(), "KeyFileNotFound");
    }
    for (const std::string& content : {std::string(), std::string(31, 'k'), std::string(33, 'k'),
                                       std::string(32, '\0')}) {
        const auto path = dir.file("bad.key");
        std::filesystem::remove(path);
        {
            std::ofstream out(path, std::ios::binary);
            out << content;
        }
        ::chmod(path.c_str(), 0600);
        try {
            StoreKey::load(path);
            ADD_FAILURE() << "loaded a key of " << content.size() << " bytes";
        } catch (const InvalidDataError& e) {
            EXPECT_EQ(e.error_id(), "KeyFileInvalid");
        }
    }
    EXPECT_THROW(StoreKey::load(dir.path().string()), InvalidDataError);  // a folder
}

constexpr uid_t kNobody = 65534;

// A key file someone else owns is refused, for root too: root reading a key another user
// planted would adopt that user's key.
TEST(StoreKey, RefusesAKeyOwnedByAnotherUserEvenAsRoot) {
    TempDir dir;
    const auto path = dir.file("store.key");
    StoreKey::generate().save_new(path);
    if (::chown(path.c_str(), kNobody, static_cast<gid_t>(-1)) != 0) {
        GTEST_SKIP() << "giving a file to another user needs root";
    }
    try {
        StoreKey::load(path);
        ADD_FAILURE() << "loaded a key owned by another user";
    } catch (const SecurityError& e) {
        EXPECT_EQ(e.error_id(), "KeyFileOwner");
        EXPECT_EQ(e.target(), path);
        EXPECT_NE(std::string(e.what()).find("chown"), std::string::npos) << e.what();
    }
}

// A symbolic link is never followed to a key, whoever made it and wherever it points.
TEST(StoreKey, RefusesASymbolicLink) {
    TempDir dir;
    const auto real = dir.file("real.key");
    const auto link = dir.file("store.key");
    StoreKey::generate().save_new(real);
    ASSERT_EQ(::symlink(real.c_str(), link.c_str()), 0);
    try {
        StoreKey::load(link);
        ADD_FAILURE() << "loaded a key through a symbolic link";
    } catch (const SecurityError& e) {
        EXPECT_EQ(e.error_id(), "KeyFileIsLink");
        EXPECT_EQ(e.target(), link);
    }
    ASSERT_EQ(::symlink(dir.file("absent.key").c_str(), dir.file("dangling.key").c_str()), 0);
    EXPECT_THROW(StoreKey::load(dir.file("dangling.key")), SecurityError);
    EXPECT_NO_THROW(StoreKey::load(real));
}

// A FIFO named as the key file is refused at once as no regular file; it used to block the
// process until someone wrote into it. Loaded in a child process, so that a hang fails the test
// instead of stopping the suite.
TEST(StoreKey, RefusesAFifoAtOnce) {
    TempDir dir;
    const auto path = dir.file("store.key");
    ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        try {
            StoreKey::load(path);
        } catch (const InvalidDataError& e) {
            ::_exit(e.error_id() == "KeyFileInvalid" ? 0 : 3);
        } catch (...) {
            ::_exit(4);
        }
        ::_exit(5);
    }
    int status = 0;
    pid_t done = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while ((done = ::waitpid(child, &status, WNOHANG)) == 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (done == 0) {
        ::kill(child, SIGKILL);
        ::waitpid(child, &status, 0);
        FAIL() << "loading a FIFO as the key file blocked for two seconds";
    }
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "3: another error id, 4: another error, 5: loaded";
}

// A new key's folder is made for its owner alone.
TEST(StoreKey, ANewKeysFolderIsTheOwnersAlone) {
    TempDir dir;
    const auto path = dir.file("keys/store.key");
    StoreKey::generate().save_new(path);
    struct stat st {};
    ASSERT_EQ(::stat(dir.file("keys").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0700U);
    EXPECT_EQ(st.st_uid, ::geteuid());
}

TEST(RecordCipher, OpensOnlyWhatItSealedForThatPlace) {
    const auto key = StoreKey::generate();
    RecordCipher cipher(key, kPurposePinRecord);
    const auto blob = cipher.seal("$argon2id$secret", "tenant-a");
    EXPECT_EQ(cipher.open(blob, "tenant-a").view(), "$argon2id$secret");
    EXPECT_EQ(blob.find("argon2id"), std::string::npos);
    EXPECT_NE(cipher.seal("$argon2id$secret", "tenant-a"), blob);  // fresh nonce
    EXPECT_THROW(cipher.open(blob, "tenant-b"), InvalidDataError);
    auto flipped = blob;
    flipped[flipped.size() / 2] ^= 1;
    EXPECT_THROW(cipher.open(flipped, "tenant-a"), InvalidDataError);
    EXPECT_THROW(cipher.open(blob.substr(0, 10), "tenant-a"), InvalidDataError);
    EXPECT_THROW(cipher.open("", "tenant-a"), InvalidDataError);
    RecordCipher other_purpose(key, kPurposeAuditKeyWrap);
    EXPECT_THROW(other_purpose.open(blob, "tenant-a"), InvalidDataError);
    RecordCipher other_key(StoreKey::generate(), kPurposePinRecord);
    EXPECT_THROW(other_key.open(blob, "tenant-a"), InvalidDataError);
}

TEST(AuditMac, DependsOnKeyAndEveryField) {
    const auto key = StoreKey::generate();
    AuditMac mac(key.subkey(7));
    const auto a = mac.begin().add("x").add(std::int64_t{1}).finish();
    EXPECT_EQ(a.size(), AuditMac::kSize);
    EXPECT_EQ(mac.begin().add("x").add(std::int64_t{1}).finish(), a);
    EXPECT_NE(mac.begin().add("x").add(std::int64_t{2}).finish(), a);
    EXPECT_NE(mac.begin().add("xy").add("").finish(), mac.begin().add("x").add("y").finish());
    AuditMac other(key.subkey(8));
    EXPECT_NE(other.begin().add("x").add(std::int64_t{1}).finish(), a);
}

TEST(PinHasher, HashesVerifiesAndKnowsWeakerParameters) {
    PinHasher test(HashProfile::Test);
    const auto h = test.hash("602917");
    EXPECT_TRUE(h.view().starts_with("$argon2id$v=19$m=8,t=1,p=1$"));
    EXPECT_TRUE(test.verify(h.view(), "602917"));
    EXPECT_FALSE(test.verify(h.view(), "602918"));
    EXPECT_FALSE(test.verify("not a hash", "602917"));
    EXPECT_FALSE(test.verify("", "602917"));
    EXPECT_FALSE(test.verify(std::string(500, '$'), "602917"));
    EXPECT_FALSE(test.verify_nothing("602917"));
    EXPECT_FALSE(test.is_weaker(h.view()));
    PinHasher interactive(HashProfile::Interactive);
    EXPECT_TRUE(interactive.is_weaker(h.view()));
    EXPECT_TRUE(interactive.is_weaker("garbage"));
    EXPECT_FALSE(test.is_weaker("$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA"));
    // The 19 MiB profile is weaker than the default and upgraded by it, never the reverse.
    PinHasher owasp(HashProfile::Owasp);
    const auto lean = owasp.hash("602917");
    EXPECT_TRUE(lean.view().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
    EXPECT_TRUE(owasp.verify(lean.view(), "602917"));
    EXPECT_TRUE(interactive.is_weaker(lean.view()));
    EXPECT_FALSE(owasp.is_weaker("$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA"));
}

TEST(PinHasher, ProfilesAreNamed) {
    for (auto p : {HashProfile::Test, HashProfile::Owasp, HashProfile::Interactive, HashProfile::Moderate,
                   HashProfile::Sensitive}) {
        EXPECT_EQ(parse_hash_profile(to_string(p)), p);
    }
    EXPECT_FALSE(parse_hash_profile("fast").has_value());
    EXPECT_EQ(params_of(HashProfile::Interactive).memlimit, 64U << 20);
    EXPECT_EQ(params_of(HashProfile::Owasp).memlimit, 19456U * 1024);
    EXPECT_EQ(params_of(HashProfile::Owasp).opslimit, 2U);
    const auto parsed = parse_argon2id_params("$argon2id$v=19$m=19456,t=2,p=1$x$y");
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->memlimit, 19456U * 1024);
    EXPECT_EQ(parsed->opslimit, 2U);
    EXPECT_FALSE(parse_argon2id_params("$argon2i$v=19$m=19456,t=2,p=1$x$y"));
    EXPECT_FALSE(parse_argon2id_params("$argon2id$v=19$m=,t=2"));
}

}  // namespace
}  // namespace portout
