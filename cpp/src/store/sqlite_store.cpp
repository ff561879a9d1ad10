#include <portout/sqlite_store.hpp>

#include "store/pool.hpp"
#include "store/schema.hpp"
#include "store/sql_transaction.hpp"

#include <portout/errors.hpp>
#include "file_checks.hpp"

#include <sqlite3.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <thread>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <utility>

namespace portout {

namespace {

[[noreturn]] void raise_sqlite(int rc, const char* detail, const std::string& where) {
    const std::string text = std::string(detail ? detail : sqlite3_errstr(rc));
    switch (rc & 0xFF) {
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
            throw ResourceUnavailableError("StoreBusy",
                                           "The store stayed busy with other writers past the "
                                           "wait limit: " + text + ".", where);
        case SQLITE_FULL:
            throw ResourceUnavailableError("StoreFull", "The store's disk is full: " + text + ".", where);
        case SQLITE_READONLY:
            throw ResourceUnavailableError("StoreReadOnly", "The store cannot be written: " + text + ".",
                                           where);
        case SQLITE_CORRUPT:
            throw InvalidDataError("StoreCorrupt", "The store file is corrupt: " + text + ".", where);
        case SQLITE_NOTADB:
            throw InvalidDataError("NotAPortOutStore", "The file is not a portout store.", where);
        default:
            throw ResourceUnavailableError("StoreUnavailable", "The store cannot be used: " + text + ".",
                                           where);
    }
}
// SQLite's names for what the schema needs.
constexpr sql::Dialect kDialect = {"INTEGER", "TEXT", "BLOB", "INTEGER PRIMARY KEY", " WITHOUT ROWID"};
static_assert(sql::kSchemaVersion == SqliteStore::kSchemaVersion);

// The SQL layer's $1, $2 ... as SQLite's ?1, ?2 ... (numbered, so a parameter may repeat).
std::string sqlite_placeholders(std::string_view sql) {
    std::string out(sql);
    for (std::size_t i = 0; i + 1 < out.size(); ++i) {
        if (out[i] == '$' && out[i + 1] >= '0' && out[i + 1] <= '9') out[i] = '?';
    }
    return out;
}
}  // namespace

// The stores of this process on one database file share one SharedFile: the writer slot, so
// that their writers queue instead of polling each other, and the registration that tells
// which files must never be opened beside SQLite.
struct SqliteStore::SharedFile {
    std::string path;
    dev_t dev = 0;
    ino_t ino = 0;
    // One write transaction of this process on the file at a time; a semaphore, not a mutex,
    // because a transaction may commit on another thread than the one that began it.
    std::binary_semaphore writer_slot{1};
};

// One SQLite connection with its prepared statements. Used by one thread at a time.
class SqliteStore::Connection {
public:
    Connection(const std::string& path, int flags, int busy_timeout_ms) : where_(path) {
        const int rc = sqlite3_open_v2(path.c_str(), &db_, flags | SQLITE_OPEN_NOMUTEX, nullptr);
        if (rc != SQLITE_OK) {
            std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
            if (const int err = db_ ? sqlite3_system_errno(db_) : 0; err != 0) {
                msg += std::string(": ") + std::strerror(err);
            }
            sqlite3_close_v2(db_);
            db_ = nullptr;
            raise_sqlite(rc, msg.c_str(), where_);
        }
        sqlite3_extended_result_codes(db_, 1);
        busy_timeout_ = std::chrono::milliseconds(std::max(0, busy_timeout_ms));
        sqlite3_busy_handler(db_, &Connection::on_busy, this);
    }
    ~Connection() {
        for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
        sqlite3_close_v2(db_);
    }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Waiting for another process's write lock. SQLite's own busy timeout sleeps 1, 2, 5, 10...
    // milliseconds between tries, far longer than a commit holds the lock (a fraction of a
    // millisecond): two processes checking PINs at once lost several percent to it. Short
    // sleeps, growing to one millisecond, until the busy timeout.
    static int on_busy(void* self, int tries) noexcept {
        auto& c = *static_cast<Connection*>(self);
        const auto now = std::chrono::steady_clock::now();
        if (tries == 0) c.busy_since_ = now;
        if (now - c.busy_since_ >= c.busy_timeout_) return 0;
        std::this_thread::sleep_for(std::chrono::microseconds(std::min(1000, 50 << std::min(tries, 5))));
        return 1;
    }

    void exec(const char* sql) {
        char* err = nullptr;
        const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
        if (rc != SQLITE_OK) {
            std::string msg = err ? err : sqlite3_errmsg(db_);
            sqlite3_free(err);
            raise_sqlite(rc, msg.c_str(), where_);
        }
    }

    // A cached statement, reset and cleared when the Query ends.
    class Query {
    public:
        Query(Connection& c, const std::string& sql) : c_(c), stmt_(c.prepare(sql)) {}
        ~Query() {
            sqlite3_reset(stmt_);
            sqlite3_clear_bindings(stmt_);
        }
        Query(const Query&) = delete;
        Query& operator=(const Query&) = delete;

        Query& bind_all(const sql::Params& params) {
            int i = 1;
            for (const auto& p : params) {
                switch (p.kind) {
                    case sql::Param::Kind::Null: check(sqlite3_bind_null(stmt_, i)); break;
                    case sql::Param::Kind::Integer: check(sqlite3_bind_int64(stmt_, i, p.integer)); break;
                    case sql::Param::Kind::Text:
                        check(sqlite3_bind_text(stmt_, i, p.bytes.data(), static_cast<int>(p.bytes.size()),
                                                SQLITE_TRANSIENT));
                        break;
                    case sql::Param::Kind::Blob:
                        check(sqlite3_bind_blob(stmt_, i, p.bytes.data(), static_cast<int>(p.bytes.size()),
                                                SQLITE_TRANSIENT));
                        break;
                }
                ++i;
            }
            return *this;
        }

        // True while a row is ready.
        bool step() {
            const int rc = sqlite3_step(stmt_);
            if (rc == SQLITE_ROW) return true;
            if (rc == SQLITE_DONE) return false;
            raise_sqlite(rc, sqlite3_errmsg(c_.db_), c_.where_);
        }
        void run() {
            while (step()) {
            }
        }
        // For INSERTs: false when a uniqueness constraint refused the row.
        bool run_unless_duplicate() {
            const int rc = sqlite3_step(stmt_);
            if (rc == SQLITE_DONE || rc == SQLITE_ROW) return true;
            if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE) return false;
            raise_sqlite(rc, sqlite3_errmsg(c_.db_), c_.where_);
        }

        bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
        std::int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }
        std::string text(int col) const {
            const auto* p = sqlite3_column_blob(stmt_, col);
            const int n = sqlite3_column_bytes(stmt_, col);
            return p ? std::string(static_cast<const char*>(p), static_cast<std::size_t>(n)) : std::string();
        }

    private:
        void check(int rc) {
            if (rc != SQLITE_OK) raise_sqlite(rc, sqlite3_errmsg(c_.db_), c_.where_);
        }
        Connection& c_;
        sqlite3_stmt* stmt_;
    };

    // A statement without parameters or rows, prepared once (BEGIN, COMMIT, ROLLBACK...).
    void run_cached(const char* sql) {
        Query q(*this, sql);
        q.run();
    }

    std::int64_t pragma_int(const char* sql) {
        Query q(*this, sql);
        return q.step() ? q.integer(0) : 0;
    }
    std::string pragma_text(const char* sql) {
        Query q(*this, sql);
        return q.step() ? q.text(0) : std::string();
    }

    // Whether the file holds a SQLite database (false for an empty file: a store not yet
    // initialised); a file of other content is refused as NotAPortOutStore. Read through
    // SQLite's own handle of the file (SQLITE_FCNTL_FILE_POINTER), never a descriptor of ours:
    // SQLite keeps one descriptor per file for the whole process and defers closing it while
    // any connection holds a lock, where closing a descriptor of ours would drop every POSIX
    // lock the process holds on the file (SQLite's "How To Corrupt An SQLite Database File",
    // 2.2), and with them the WAL's protection.
    bool has_database_header() {
        sqlite3_file* file = nullptr;
        int rc = sqlite3_file_control(db_, "main", SQLITE_FCNTL_FILE_POINTER, &file);
        if (rc != SQLITE_OK || file == nullptr || file->pMethods == nullptr) {
            raise_sqlite(rc == SQLITE_OK ? SQLITE_CANTOPEN : rc, "the file is not open", where_);
        }
        sqlite3_int64 size = 0;
        rc = file->pMethods->xFileSize(file, &size);
        if (rc != SQLITE_OK) raise_sqlite(rc, nullptr, where_);
        if (size == 0) return false;
        static constexpr char kMagic[] = "SQLite format 3";
        std::array<char, 100> header{};
        if (size >= static_cast<sqlite3_int64>(header.size())) {
            rc = file->pMethods->xRead(file, header.data(), static_cast<int>(header.size()), 0);
            if (rc != SQLITE_OK) raise_sqlite(rc, nullptr, where_);
        }
        if (size < static_cast<sqlite3_int64>(header.size()) ||
            std::memcmp(header.data(), kMagic, sizeof kMagic) != 0) {
            throw InvalidDataError("NotAPortOutStore",
                                   "The file is not a portout store (it is not a SQLite database).", where_);
        }
        return true;
    }

    const std::string& where() const noexcept { return where_; }
    std::int64_t last_insert_rowid() const noexcept { return sqlite3_last_insert_rowid(db_); }
    std::int64_t changes() const noexcept { return sqlite3_changes(db_); }

private:
    sqlite3_stmt* prepare(const std::string& sql) {
        auto it = statements_.find(sql);
        if (it != statements_.end()) return it->second;
        sqlite3_stmt* stmt = nullptr;
        const std::string text = sqlite_placeholders(sql);
        const int rc = sqlite3_prepare_v3(db_, text.c_str(), static_cast<int>(text.size()),
                                          SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
        if (rc != SQLITE_OK) raise_sqlite(rc, sqlite3_errmsg(db_), where_);
        statements_.emplace(sql, stmt);
        return stmt;
    }

    sqlite3* db_ = nullptr;
    std::chrono::steady_clock::duration busy_timeout_{};
    std::chrono::steady_clock::time_point busy_since_{};
    std::string where_;
    std::map<std::string, sqlite3_stmt*, std::less<>> statements_;
};

using Query = SqliteStore::Connection::Query;

// A statement's rows, read as SQLite steps through them.
class SqliteRows final : public sql::Rows {
public:
    SqliteRows(SqliteStore::Connection& c, const std::string& sql, const sql::Params& params) : q_(c, sql) {
        q_.bind_all(params);
    }
    bool next() override { return q_.step(); }
    bool is_null(int col) const override { return q_.is_null(col); }
    std::int64_t integer(int col) const override { return q_.integer(col); }
    std::string text(int col) const override { return q_.text(col); }
    std::string blob(int col) const override { return q_.text(col); }

private:
    Query q_;
};

class SqliteSession final : public sql::Session {
public:
    SqliteSession(SqliteStore& store, std::unique_ptr<SqliteStore::Connection> c, TxMode mode)
        : sql::Session(mode == TxMode::ReadOneStatement), store_(store), c_(std::move(c)),
          unsynced_(mode == TxMode::WriteUnsynced) {
        if (mode == TxMode::ReadOneStatement) return;  // each statement is its own transaction
        if (mode == TxMode::Write || mode == TxMode::WriteUnsynced) {
            // Writers of this process queue here and are woken the moment the lock is free;
            // SQLite's write lock then serialises them with other processes.
            const auto wait = std::chrono::milliseconds(store_.options_.busy_timeout_ms);
            writer_ = store_.file_->writer_slot.try_acquire_for(wait);
            if (!writer_) {
                store_.release(std::move(c_));
                throw ResourceUnavailableError("StoreBusy",
                                               "The store stayed busy with other writers past the "
                                               "wait limit.", store_.path_);
            }
        }
        try {
            // In WAL mode, NORMAL writes the commit to the log without an fsync: the next FULL
            // commit's fsync (or a checkpoint) makes it durable with everything before it.
            if (unsynced_) c_->run_cached("PRAGMA synchronous = NORMAL");
            c_->run_cached(mode == TxMode::Read ? "BEGIN DEFERRED" : "BEGIN IMMEDIATE");
        } catch (...) {
            release();
            throw;
        }
    }
    ~SqliteSession() override {
        if (!finished()) {
            try {
                c_->run_cached("ROLLBACK");
            } catch (...) {
                // SQLite may have rolled back already (after an I/O error); nothing to undo.
            }
        }
        release();
    }

    void commit_now() override {
        c_->run_cached("COMMIT");
        release_writer();
    }
    std::unique_ptr<sql::Rows> query(const std::string& sql, const sql::Params& params) override {
        return std::make_unique<SqliteRows>(*c_, sql, params);
    }
    std::int64_t execute(const std::string& sql, const sql::Params& params) override {
        Query q(*c_, sql);
        q.bind_all(params);
        if (!q.run_unless_duplicate()) throw sql::UniqueViolation{};
        return c_->changes();
    }
    const std::string& where() const override { return c_->where(); }

private:
    SqliteStore& store_;
    std::unique_ptr<SqliteStore::Connection> c_;
    bool writer_ = false;  // holds the store's writer slot
    bool unsynced_ = false;

    void release_writer() noexcept {
        if (writer_) store_.file_->writer_slot.release();
        writer_ = false;
    }

    // Back to the pool as every pooled connection is: synchronous = FULL (else it is closed).
    void release() noexcept {
        release_writer();
        if (unsynced_) {
            try {
                c_->run_cached("PRAGMA synchronous = FULL");
            } catch (...) {
                c_.reset();
                return;
            }
        }
        store_.release(std::move(c_));
    }
};

namespace {

// Held while a store's file is looked for and created, and while the stores of the process are
// registered. Every store of the process passes through it before its first connection, so the
// descriptor that creates a new file (mode 0600) is closed before any SQLite connection of this
// process can hold a lock on that file.
std::mutex& files_mutex() {
    static std::mutex m;
    return m;
}

std::vector<std::weak_ptr<SqliteStore::SharedFile>>& open_files() {
    static std::vector<std::weak_ptr<SqliteStore::SharedFile>> files;
    return files;
}

bool same_file(const std::string& path, dev_t dev, ino_t ino) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && st.st_dev == dev && st.st_ino == ino;
}

// The file's SharedFile, made and registered when no store of the process has it yet.
std::shared_ptr<SqliteStore::SharedFile> share_file(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        const int err = errno;
        throw ResourceUnavailableError("StoreUnavailable",
                                       std::string("The store file cannot be examined: ") +
                                           std::strerror(err) + ".",
                                       path);
    }
    auto& files = open_files();
    std::erase_if(files, [](const auto& w) { return w.expired(); });
    for (const auto& w : files) {
        auto f = w.lock();
        if (f && f->dev == st.st_dev && f->ino == st.st_ino) return f;
    }
    auto f = std::make_shared<SqliteStore::SharedFile>();
    f->path = path;
    f->dev = st.st_dev;
    f->ino = st.st_ino;
    files.push_back(f);
    return f;
}

// Files someone else may have planted. A store is refused, before SQLite opens anything, when
// another user could have written or replaced its files: its folder (or a file in it) writable
// by group or others, or owned by another user. Only stat(2) is used: closing a descriptor of a
// store file would drop the process's POSIX locks on it (see has_database_header).
//
// The folder: owned by this user or root, writable by no one else. A sticky folder such as /tmp
// is refused too: others cannot replace files there, but they can create the -wal, -shm and
// -journal files SQLite would adopt. A folder that does not exist yet is made 0700 later.
void check_folder(const std::string& path) {
    namespace fs = std::filesystem;
    const fs::path p(path);
    const std::string folder = p.has_parent_path() ? p.parent_path().string() : std::string(".");
    struct stat st {};
    if (::stat(folder.c_str(), &st) != 0) {
        const int err = errno;
        if (err == ENOENT) return;  // made with mode 0700 when the store is created
        throw ResourceUnavailableError("StoreUnavailable",
                                       std::string("The store's folder cannot be examined: ") +
                                           std::strerror(err) + ".",
                                       path);
    }
    if (!S_ISDIR(st.st_mode)) {
        throw InvalidArgumentError("InvalidStorePath", "The store's folder is not a folder.", path);
    }
    const uid_t me = ::geteuid();
    if (st.st_uid != me && st.st_uid != 0) {
        throw SecurityError("StoreFolderOwner",
                            "The store's folder " + folder + " belongs to another user (uid " +
                                std::to_string(st.st_uid) +
                                "), who could replace the store's files. Keep the store in a folder "
                                "of your own (mode 0700), or run: chown " + std::to_string(me) + " " +
                                folder,
                            path);
    }
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
        throw SecurityError("StoreFolderTooOpen",
                            "Permissions " + files::mode_text(st.st_mode) + " on the store's folder " +
                                folder +
                                " let others create or replace the store's files (its -wal and "
                                "-shm files too). Keep the store in a folder of your own, or run: "
                                "chmod go-w " + folder,
                            path);
    }
}

// An existing file of the store (`file`: the database, or its -wal, -shm or -journal file):
// a regular file of this user's (root's too) that no one else may write.
void check_existing_file(const std::string& path, const std::string& file, const struct stat& st) {
    if (!S_ISREG(st.st_mode)) {
        throw InvalidArgumentError("InvalidStorePath",
                                   "The store file " + file + " is not a regular file (it is " +
                                       files::kind(st.st_mode) + ").",
                                   path);
    }
    const uid_t me = ::geteuid();
    if (st.st_uid != me) {
        throw SecurityError("StoreFileOwner",
                            "The store file " + file + " belongs to another user (uid " +
                                std::to_string(st.st_uid) + "); a store's files must belong to the "
                                "user that runs portout (uid " + std::to_string(me) +
                                "). Run portout as that user, or, if the file is truly yours, "
                                "run: chown " + std::to_string(me) + " " + file,
                            path);
    }
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
        throw SecurityError("StoreFileTooOpen",
                            "Permissions " + files::mode_text(st.st_mode) + " on the store file " +
                                file + " let others write it. Run: chmod 600 " + file,
                            path);
    }
}

// The checks above, on the store's folder and each of its files that exists. Under files_mutex().
void check_planted(const std::string& path) {
    check_folder(path);
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
        const std::string file = path + suffix;
        struct stat st {};
        if (::stat(file.c_str(), &st) != 0) {
            const int err = errno;
            if (err == ENOENT) continue;
            throw ResourceUnavailableError("StoreUnavailable",
                                           "The store file " + file + " cannot be examined: " +
                                               std::strerror(err) + ".",
                                           path);
        }
        if (*suffix == '\0' && S_ISDIR(st.st_mode)) {
            throw InvalidArgumentError("InvalidStorePath", "The store path names a folder.", path);
        }
        check_existing_file(path, file, st);
    }
}

// Creates the store's file (and folder) when it does not exist. Under files_mutex().
void create_file(const std::string& path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path p(path);
    if (p.has_parent_path() && !fs::exists(p.parent_path(), ec)) {
        fs::create_directories(p.parent_path(), ec);
        if (ec) {
            throw ResourceUnavailableError("StoreUnavailable",
                                           "The store's folder cannot be created: " + ec.message() + ".",
                                           path);
        }
        fs::permissions(p.parent_path(), fs::perms::owner_all, ec);
    }
    // Created here with mode 0600, so SQLite's -wal and -shm files inherit it. This is the only
    // descriptor of a store file that portout opens itself: the file is new, and no connection
    // of this process can have it open before files_mutex() is let go.
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
        ::fchmod(fd, 0600);
        ::close(fd);
    } else if (errno != EEXIST) {
        const int err = errno;
        throw ResourceUnavailableError("StoreUnavailable",
                                       std::string("The store file cannot be created: ") +
                                           std::strerror(err) + ".",
                                       path);
    }
}

}  // namespace

bool SqliteStore::file_in_use(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return false;
    std::lock_guard lock(files_mutex());
    for (const auto& w : open_files()) {
        auto f = w.lock();
        if (!f) continue;
        if (f->dev == st.st_dev && f->ino == st.st_ino) return true;
        if (same_file(f->path + "-wal", st.st_dev, st.st_ino) ||
            same_file(f->path + "-shm", st.st_dev, st.st_ino)) {
            return true;
        }
    }
    return false;
}

SqliteStore::SqliteStore(std::string path, Options options)
    : path_(std::move(path)), options_(options), pool_(std::make_unique<sql::Pool<Connection>>()) {}

SqliteStore::~SqliteStore() = default;

std::unique_ptr<SqliteStore> SqliteStore::open(const std::string& path, const Options& options) {
    namespace fs = std::filesystem;
    if (path.empty()) {
        throw InvalidArgumentError("InvalidStorePath", "The store path is empty.");
    }
    std::unique_ptr<SqliteStore> store(new SqliteStore(path, options));
    std::unique_ptr<Connection> first;
    {
        std::lock_guard files(files_mutex());
        std::error_code ec;
        const bool exists = fs::exists(path, ec);
        if (!exists && !options.create) {
            throw ObjectNotFoundError("StoreNotFound", "No store exists at " + path + ".", path);
        }
        // Before anything is created or opened: nothing is written into a place someone else
        // may have prepared.
        check_planted(path);
        if (!exists) create_file(path);
        store->file_ = share_file(path);
        first = std::make_unique<Connection>(path, SQLITE_OPEN_READWRITE, options.busy_timeout_ms);
    }
    // The header is read through SQLite's own handle, before any statement, so a file that is
    // no database is refused untouched. What it says of the application may be stale (the
    // current page one can sit in the WAL), so that is asked of SQLite afterwards.
    const bool initialised = first->has_database_header();
    configure(*first);
    store->release(std::move(first));

    // Processes opening a new file at once can meet SQLite's busy answers that wait for no one
    // (a journal-mode switch, a lock upgrade): the whole check is tried again until the busy
    // timeout runs out.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(options.busy_timeout_ms);
    for (;;) {
        try {
            auto c = store->acquire();
            std::int64_t version = 0;
            if (initialised) {
                version = c->pragma_int("PRAGMA user_version");
                const auto app_id = c->pragma_int("PRAGMA application_id");
                if (app_id != kApplicationId && !(app_id == 0 && version == 0)) {
                    throw InvalidDataError("NotAPortOutStore",
                                           "The file is a SQLite database but not a portout store.", path);
                }
                if (version > kSchemaVersion) {
                    throw InvalidOperationError("StoreSchemaTooNew",
                                                "The store was written by a newer portout (schema " +
                                                    std::to_string(version) + "; this one knows up to " +
                                                    std::to_string(kSchemaVersion) + "). Upgrade portout.",
                                                path);
                }
            }
            if (version < kSchemaVersion) {
                // Migrate under the write lock, reading the version again: two processes opening at
                // once migrate once. A database that is not ours is refused before anything is written.
                c->exec("BEGIN IMMEDIATE");
                bool created = false;
                try {
                    version = c->pragma_int("PRAGMA user_version");
                    const auto app_id = c->pragma_int("PRAGMA application_id");
                    if (version == 0 && (app_id != 0 || c->pragma_int("SELECT count(*) FROM sqlite_schema") != 0)) {
                        throw InvalidDataError("NotAPortOutStore",
                                               "The file is a SQLite database but not a portout store.", path);
                    }
                    created = version == 0;
                    for (; version < kSchemaVersion; ++version) {
                        c->exec(sql::migration(kDialect, static_cast<int>(version) + 1).c_str());
                    }
                    c->exec(("PRAGMA application_id = " + std::to_string(kApplicationId)).c_str());
                    c->exec(("PRAGMA user_version = " + std::to_string(kSchemaVersion)).c_str());
                    c->exec("COMMIT");
                } catch (...) {
                    try {
                        c->exec("ROLLBACK");
                    } catch (...) {
                        // Nothing was begun, or SQLite rolled back on its own.
                    }
                    throw;
                }
                store->created_ = store->created_ || created;
            }
            // WAL is persistent: set once, by whichever process gets there first.
            if (c->pragma_text("PRAGMA journal_mode") != "wal") c->exec("PRAGMA journal_mode = WAL");
            store->release(std::move(c));
            return store;
        } catch (const ResourceUnavailableError& e) {
            if (e.error_id() != "StoreBusy" || std::chrono::steady_clock::now() >= deadline) throw;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
}

std::unique_ptr<SqliteStore::Connection> SqliteStore::acquire() {
    if (auto c = pool_->take([](const Connection&) { return true; })) return c;
    auto c = std::make_unique<Connection>(path_, SQLITE_OPEN_READWRITE, options_.busy_timeout_ms);
    configure(*c);
    return c;
}

void SqliteStore::configure(Connection& c) {
    // Security state must survive power loss; deleted records must not linger in free pages.
    c.exec("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON; "
           "PRAGMA trusted_schema = OFF");
}

void SqliteStore::release(std::unique_ptr<Connection> connection) noexcept { pool_->give(std::move(connection)); }

std::unique_ptr<StoreTransaction> SqliteStore::begin(TxMode mode) {
    return make_sql_transaction(std::make_unique<SqliteSession>(*this, acquire(), mode));
}

}  // namespace portout
