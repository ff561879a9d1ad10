// The SQLite store's file handling: several stores of one process on one file keep SQLite's
// locks, which another process must see; no file a store holds open is read beside it.
#include <portout/errors.hpp>
#include <portout/service.hpp>
#include <portout/sqlite_store.hpp>

#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

namespace portout {
namespace {

using testing_support::TempDir;

// SQLite's unix VFS takes a SHARED lock as a read lock on 510 bytes past the pending byte
// (0x40000000 + 2); in WAL mode every open connection keeps it.
constexpr off_t kSharedFirst = 0x40000002;
constexpr off_t kSharedSize = 510;

// Whether another process sees a lock of this process on SQLite's shared range of `path`.
// The child only opens, asks fcntl(F_GETLK) and exits: it uses nothing it inherited.
bool another_process_sees_our_shared_lock(const std::string& path) {
    const pid_t parent = ::getpid();
    const pid_t child = ::fork();
    if (child == 0) {
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) ::_exit(2);
        struct flock query {};
        query.l_type = F_WRLCK;
        query.l_whence = SEEK_SET;
        query.l_start = kSharedFirst;
        query.l_len = kSharedSize;
        if (::fcntl(fd, F_GETLK, &query) != 0) ::_exit(3);
        ::_exit(query.l_type == F_RDLCK && query.l_pid == parent ? 0 : 1);
    }
    int status = 0;
    if (child < 0 || ::waitpid(child, &status, 0) != child || !WIFEXITED(status)) return false;
    EXPECT_NE(WEXITSTATUS(status), 2) << "the child could not open the file";
    EXPECT_NE(WEXITSTATUS(status), 3) << "fcntl(F_GETLK) failed";
    return WEXITSTATUS(status) == 0;
}

void put(Store& store, const std::string& name, const std::string& value) {
    auto tx = store.begin(TxMode::Write);
    tx->set_meta(name, value);
    tx->commit();
}

std::optional<std::string> get(Store& store, const std::string& name) {
    auto tx = store.begin(TxMode::Read);
    return tx->meta(name);
}

class SqliteStoreFiles : public ::testing::Test {
protected:
    TempDir dir;
    std::string db = dir.file("store.db");
};

// The reported loss: opening a second store read the file's header through a descriptor of its
// own and closed it, which dropped the first store's locks; another process then took the WAL
// away from under it.
TEST_F(SqliteStoreFiles, ASecondStoreOfTheProcessKeepsTheFirstOnesLocks) {
    auto a = SqliteStore::open(db);
    put(*a, "written_by", "a");
    ASSERT_TRUE(another_process_sees_our_shared_lock(db));
    auto b = SqliteStore::open(db);
    EXPECT_TRUE(another_process_sees_our_shared_lock(db)) << "opening a second store dropped the locks";
    put(*b, "written_by", "b");
    b.reset();
    EXPECT_TRUE(another_process_sees_our_shared_lock(db)) << "closing the second store dropped the locks";
    put(*a, "written_by", "a again");
    EXPECT_TRUE(std::filesystem::exists(db + "-wal"));
    EXPECT_EQ(get(*a, "written_by"), "a again");
}

TEST_F(SqliteStoreFiles, StoresOfOneFileInManyThreadsShareTheWriterSlot) {
    std::vector<std::unique_ptr<SqliteStore>> stores;
    for (int i = 0; i < 4; ++i) stores.push_back(SqliteStore::open(db));
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 25; ++i) {
                auto& s = *stores[static_cast<std::size_t>((t + i) % 4)];
                put(s, "k" + std::to_string(t) + "_" + std::to_string(i), "v");
            }
        });
    }
    for (auto& t : threads) t.join();
    for (int t = 0; t < 8; ++t) {
        for (int i = 0; i < 25; ++i) {
            EXPECT_EQ(get(*stores[0], "k" + std::to_string(t) + "_" + std::to_string(i)), "v");
        }
    }
    EXPECT_TRUE(another_process_sees_our_shared_lock(db));
}

TEST_F(SqliteStoreFiles, KnowsTheFilesItHoldsOpen) {
    EXPECT_FALSE(SqliteStore::file_in_use(db));
    {
        auto a = SqliteStore::open(db);
        put(*a, "x", "1");
        EXPECT_TRUE(a->holds_file(db));
        EXPECT_TRUE(SqliteStore::file_in_use(db + "-wal"));
        EXPECT_TRUE(SqliteStore::file_in_use(db + "-shm"));
        EXPECT_TRUE(SqliteStore::file_in_use(dir.file("./store.db")));  // by identity, not by name
        std::filesystem::create_symlink(db, dir.file("link.db"));
        EXPECT_TRUE(SqliteStore::file_in_use(dir.file("link.db")));
        std::ofstream(dir.file("other.txt")) << "other";
        EXPECT_FALSE(SqliteStore::file_in_use(dir.file("other.txt")));
        EXPECT_FALSE(SqliteStore::file_in_use(dir.file("missing")));
    }
    EXPECT_FALSE(SqliteStore::file_in_use(db)) << "a closed store still counts its file as held";
}

// A key file named by mistake as the store's database is refused before it is opened, and the
// store's locks stay.
TEST_F(SqliteStoreFiles, TheStoreFileIsNeverReadAsAKey) {
    const std::string key = dir.file("store.key");
    ServiceOptions o;
    o.profile = HashProfile::Test;
    o.allow_test_profile = true;
    auto first = PortOutService::open(SqliteStore::open(db), key, o);
    first->create_tenant("contoso", "Contoso", "US");
    for (const auto& wrong : {db, db + "-wal", db + "-shm"}) {
        try {
            PortOutService::open(SqliteStore::open(db), wrong, o);
            ADD_FAILURE() << wrong << " was taken as a key";
        } catch (const InvalidArgumentError& e) {
            EXPECT_EQ(e.error_id(), "KeyFileIsStoreFile");
            EXPECT_EQ(e.target(), wrong);
        }
        EXPECT_TRUE(another_process_sees_our_shared_lock(db));
    }
    try {
        first->rotate_key(db + "-wal", 10, {});
        ADD_FAILURE() << "the -wal file was taken as the new key";
    } catch (const InvalidArgumentError& e) {
        EXPECT_EQ(e.error_id(), "KeyFileIsStoreFile");
    }
    EXPECT_TRUE(another_process_sees_our_shared_lock(db));
    EXPECT_EQ(first->get_tenant("contoso").display_name, "Contoso");
}

TEST_F(SqliteStoreFiles, AFileThatIsNoDatabaseIsRefusedUntouched) {
    std::ofstream(db) << std::string(200, 'x');
    try {
        SqliteStore::open(db);
        ADD_FAILURE() << "a text file was opened as a store";
    } catch (const InvalidDataError& e) {
        EXPECT_EQ(e.error_id(), "NotAPortOutStore");
    }
    std::ifstream in(db);
    EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), std::string(200, 'x'));
    EXPECT_FALSE(std::filesystem::exists(db + "-wal"));
    EXPECT_FALSE(std::filesystem::exists(db + "-shm"));
    EXPECT_FALSE(std::filesystem::exists(db + "-journal"));
}

// A path that cannot hold a store: empty, a folder, a FIFO. Each refused, typed, and nothing is
// created beside it (a FIFO opened by SQLite would block).
TEST_F(SqliteStoreFiles, APathThatCannotBeAStoreIsRefused) {
    const auto fifo = dir.file("fifo");
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    const auto folder = dir.file("folder");
    std::filesystem::create_directory(folder);
    for (const auto& path : {std::string(), folder, fifo}) {
        try {
            SqliteStore::open(path);
            ADD_FAILURE() << "opened " << path;
        } catch (const InvalidArgumentError& e) {
            EXPECT_EQ(e.error_id(), "InvalidStorePath") << path;
        }
    }
    EXPECT_TRUE(std::filesystem::is_empty(folder));
    EXPECT_FALSE(std::filesystem::exists(fifo + "-wal"));
    EXPECT_FALSE(std::filesystem::exists(fifo + "-journal"));
}

constexpr uid_t kNobody = 65534;

std::string contents(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

mode_t mode_of(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return st.st_mode & 07777;
}

// The SecurityError id SqliteStore::open throws for `path`; empty when it opens.
std::string refusal(const std::string& path, bool create = true) {
    SqliteStore::Options options;
    options.create = create;
    try {
        SqliteStore::open(path, options);
    } catch (const SecurityError& e) {
        EXPECT_EQ(e.target(), path);
        return e.error_id();
    }
    return {};
}

bool no_companions(const std::string& db) {
    return !std::filesystem::exists(db + "-wal") && !std::filesystem::exists(db + "-shm") &&
           !std::filesystem::exists(db + "-journal");
}

// Someone planted an empty database that anyone may write (their store, waiting to be filled):
// refused before SQLite opens it, untouched, naming the fix.
TEST_F(SqliteStoreFiles, APlantedDatabaseOthersMayWriteIsRefusedUntouched) {
    for (mode_t mode : {0666, 0662, 0620, 0602}) {
        std::filesystem::remove(db);
        { std::ofstream create(db); }
        ASSERT_EQ(::chmod(db.c_str(), mode), 0);
        try {
            SqliteStore::open(db);
            ADD_FAILURE() << "opened a store file of mode " << std::oct << mode;
        } catch (const SecurityError& e) {
            EXPECT_EQ(e.error_id(), "StoreFileTooOpen");
            EXPECT_NE(std::string(e.what()).find("chmod 600"), std::string::npos) << e.what();
        }
        EXPECT_EQ(std::filesystem::file_size(db), 0U) << "the planted file was written";
        EXPECT_EQ(mode_of(db), mode);
        EXPECT_TRUE(no_companions(db));
    }
    ASSERT_EQ(::chmod(db.c_str(), 0644), 0);  // others may read (not ours to judge), not write
    EXPECT_EQ(refusal(db), "");
}

// A store file, or its -wal or -shm file, owned by another user: refused, for root too.
TEST_F(SqliteStoreFiles, AStoreFileOfAnotherUserIsRefusedUntouched) {
    {
        auto store = SqliteStore::open(db);
        put(*store, "written_by", "owner");
    }
    const auto before = contents(db);
    if (::chown(db.c_str(), kNobody, static_cast<gid_t>(-1)) != 0) {
        GTEST_SKIP() << "giving a file to another user needs root";
    }
    EXPECT_EQ(refusal(db), "StoreFileOwner");
    EXPECT_EQ(contents(db), before);
    EXPECT_TRUE(no_companions(db));
    ASSERT_EQ(::chown(db.c_str(), ::geteuid(), static_cast<gid_t>(-1)), 0);
    for (const char* suffix : {"-wal", "-shm", "-journal"}) {
        const auto planted = db + suffix;
        { std::ofstream create(planted); }
        ASSERT_EQ(::chmod(planted.c_str(), 0600), 0);
        ASSERT_EQ(::chown(planted.c_str(), kNobody, static_cast<gid_t>(-1)), 0);
        EXPECT_EQ(refusal(db), "StoreFileOwner") << suffix;
        ASSERT_EQ(::chown(planted.c_str(), ::geteuid(), static_cast<gid_t>(-1)), 0);
        ASSERT_EQ(::chmod(planted.c_str(), 0666), 0);
        EXPECT_EQ(refusal(db), "StoreFileTooOpen") << suffix;
        std::filesystem::remove(planted);
    }
    EXPECT_EQ(contents(db), before);
    EXPECT_EQ(refusal(db), "");
}

// A folder others may write (sticky, as /tmp, or not), or that another user owns, could be
// given any file under the store's names: no store is opened or created there.
TEST_F(SqliteStoreFiles, AFolderOthersMayWriteHoldsNoStore) {
    const auto folder = dir.file("shared");
    const auto existing = folder + "/store.db";
    const auto fresh = folder + "/new.db";
    ASSERT_TRUE(std::filesystem::create_directory(folder));
    ASSERT_EQ(::chmod(folder.c_str(), 0700), 0);
    SqliteStore::open(existing);
    const auto before = contents(existing);
    for (mode_t mode : {01777, 0777, 0770, 0730, 0703}) {
        ASSERT_EQ(::chmod(folder.c_str(), mode), 0);
        EXPECT_EQ(refusal(existing), "StoreFolderTooOpen") << std::oct << mode;
        EXPECT_EQ(refusal(fresh), "StoreFolderTooOpen") << std::oct << mode;
        EXPECT_FALSE(std::filesystem::exists(fresh)) << "a store was created in a folder of mode " << std::oct << mode;
    }
    EXPECT_EQ(contents(existing), before);
    ASSERT_EQ(::chmod(folder.c_str(), 0755), 0);  // others may look in, not write
    EXPECT_EQ(refusal(existing), "");
    if (::chown(folder.c_str(), kNobody, static_cast<gid_t>(-1)) != 0) {
        GTEST_SKIP() << "giving a folder to another user needs root";
    }
    EXPECT_EQ(refusal(existing), "StoreFolderOwner");
    EXPECT_EQ(refusal(fresh), "StoreFolderOwner");
    EXPECT_FALSE(std::filesystem::exists(fresh));
    ASSERT_EQ(::chown(folder.c_str(), 0, static_cast<gid_t>(-1)), 0);  // root's folders are trusted
    EXPECT_EQ(refusal(existing), "");
}

// A new store: its file 0600 whatever the umask, its new folder 0700.
TEST_F(SqliteStoreFiles, ANewStoreIsTheOwnersAlone) {
    const mode_t old_mask = ::umask(0);
    const auto path = dir.file("made/store.db");
    SqliteStore::open(path);
    ::umask(old_mask);
    EXPECT_EQ(mode_of(path), 0600U);
    EXPECT_EQ(mode_of(dir.file("made")), 0700U);
    for (const char* suffix : {"-wal", "-shm"}) {
        if (std::filesystem::exists(path + suffix)) {
            EXPECT_EQ(mode_of(path + suffix), 0600U) << suffix;
        }
    }
}

}  // namespace
}  // namespace portout
