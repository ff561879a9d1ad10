#include <portout/sqlite_store.hpp>

#include <portout/errors.hpp>

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

constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE meta (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
) WITHOUT ROWID;
CREATE TABLE tenants (
    tenant_id         TEXT PRIMARY KEY,
    display_name      TEXT NOT NULL,
    country           TEXT NOT NULL,
    created_at        INTEGER NOT NULL,
    modified_at       INTEGER NOT NULL,
    modified_by       TEXT NOT NULL,
    pin_record        BLOB,
    pin_key_id        TEXT NOT NULL DEFAULT '',
    pin_set_at        INTEGER,
    pin_changed_at    INTEGER,
    pin_changed_by    TEXT NOT NULL DEFAULT '',
    failed_attempts   INTEGER NOT NULL DEFAULT 0,
    locked_until      INTEGER,
    lock_level        INTEGER NOT NULL DEFAULT 0,
    last_check_at     INTEGER,
    last_check_result TEXT NOT NULL DEFAULT '',
    pin_version       INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE policies (
    scope               TEXT PRIMARY KEY,
    min_length          INTEGER,
    max_length          INTEGER,
    block_weak          INTEGER,
    blocklist           TEXT,
    max_failed_attempts INTEGER,
    lockout_ms          INTEGER,
    max_lockout_ms      INTEGER,
    modified_at         INTEGER NOT NULL,
    modified_by         TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE audit_events (
    event_id    INTEGER PRIMARY KEY,
    occurred_at INTEGER NOT NULL,
    event_type  TEXT NOT NULL,
    tenant_id   TEXT NOT NULL,
    actor       TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    reason      TEXT NOT NULL,
    details     TEXT NOT NULL,
    prev_mac    BLOB NOT NULL,
    mac         BLOB NOT NULL
);
CREATE INDEX audit_events_by_tenant ON audit_events (tenant_id, event_id);
CREATE INDEX audit_events_by_time ON audit_events (occurred_at);
)sql";

// Version 2: the number inventory, port-out orders, the freeze and the notification outbox.
constexpr const char* kSchemaV2 = R"sql(
ALTER TABLE tenants ADD COLUMN frozen INTEGER NOT NULL DEFAULT 0;
CREATE TABLE phone_numbers (
    number    TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    added_at  INTEGER NOT NULL,
    added_by  TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX phone_numbers_by_tenant ON phone_numbers (tenant_id, number);
CREATE TABLE orders (
    seq             INTEGER PRIMARY KEY,
    order_id        TEXT NOT NULL UNIQUE,
    tenant_id       TEXT NOT NULL,
    carrier         TEXT NOT NULL,
    submitted_by    TEXT NOT NULL,
    status          TEXT NOT NULL,
    reason          TEXT NOT NULL,
    internal_reason TEXT NOT NULL,
    requested_foc   INTEGER,
    foc             INTEGER,
    created_at      INTEGER NOT NULL,
    modified_at     INTEGER NOT NULL,
    modified_by     TEXT NOT NULL
);
CREATE INDEX orders_by_tenant ON orders (tenant_id, seq);
CREATE TABLE order_numbers (
    order_id TEXT NOT NULL,
    number   TEXT NOT NULL,
    problem  TEXT NOT NULL,
    open     INTEGER NOT NULL,
    PRIMARY KEY (order_id, number)
) WITHOUT ROWID;
CREATE INDEX order_numbers_open ON order_numbers (number) WHERE open = 1;
CREATE TABLE notifications (
    notification_id INTEGER PRIMARY KEY,
    occurred_at     INTEGER NOT NULL,
    kind            TEXT NOT NULL,
    tenant_id       TEXT NOT NULL,
    order_id        TEXT NOT NULL,
    summary         TEXT NOT NULL,
    details         TEXT NOT NULL
);
CREATE TABLE notification_consumers (
    consumer             TEXT PRIMARY KEY,
    acknowledged_through INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE notification_acks (
    consumer        TEXT NOT NULL,
    notification_id INTEGER NOT NULL,
    PRIMARY KEY (consumer, notification_id)
) WITHOUT ROWID;
)sql";

// Migrations from version N-1 to N, in order; index 0 creates version 1.
constexpr std::array<const char*, 2> kMigrations = {kSchemaV1, kSchemaV2};
static_assert(kMigrations.size() == SqliteStore::kSchemaVersion);

// "?, ?, ?" for an IN list; numbered from `first` when it is given.
std::string placeholders(std::size_t n, int first = 0) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) {
        if (i) out += ", ";
        out += first ? "?" + std::to_string(first + static_cast<int>(i)) : std::string("?");
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

        Query& bind(int i, std::string_view v) {
            check(sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
            return *this;
        }
        Query& bind_blob(int i, std::string_view v) {
            check(sqlite3_bind_blob(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
            return *this;
        }
        Query& bind(int i, std::int64_t v) {
            check(sqlite3_bind_int64(stmt_, i, v));
            return *this;
        }
        template <class T>
        Query& bind(int i, const std::optional<T>& v) {
            if (v) return bind(i, static_cast<std::int64_t>(*v));
            check(sqlite3_bind_null(stmt_, i));
            return *this;
        }
        Query& bind_optional_blob(int i, const std::optional<std::string>& v) {
            if (v) return bind_blob(i, *v);
            check(sqlite3_bind_null(stmt_, i));
            return *this;
        }
        Query& bind_optional_text(int i, const std::optional<std::string>& v) {
            if (v) return bind(i, std::string_view(*v));
            check(sqlite3_bind_null(stmt_, i));
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
        std::optional<std::int64_t> optional_integer(int col) const {
            if (is_null(col)) return std::nullopt;
            return integer(col);
        }
        std::optional<std::string> optional_text(int col) const {
            if (is_null(col)) return std::nullopt;
            return text(col);
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
        const int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
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

namespace {

constexpr const char* kTenantColumns =
    "tenant_id, display_name, country, created_at, modified_at, modified_by, pin_record, "
    "pin_key_id, pin_set_at, pin_changed_at, pin_changed_by, failed_attempts, locked_until, "
    "lock_level, last_check_at, last_check_result, pin_version, frozen";

TenantRecord read_tenant(const Query& q) {
    TenantRecord t;
    t.tenant_id = q.text(0);
    t.display_name = q.text(1);
    t.country = q.text(2);
    t.created_at = q.integer(3);
    t.modified_at = q.integer(4);
    t.modified_by = q.text(5);
    t.pin_record = q.optional_text(6);
    t.pin_key_id = q.text(7);
    t.pin_set_at = q.optional_integer(8);
    t.pin_changed_at = q.optional_integer(9);
    t.pin_changed_by = q.text(10);
    t.failed_attempts = static_cast<int>(q.integer(11));
    t.locked_until = q.optional_integer(12);
    t.lock_level = static_cast<int>(q.integer(13));
    t.last_check_at = q.optional_integer(14);
    t.last_check_result = q.text(15);
    t.pin_version = q.integer(16);
    t.frozen = q.integer(17) != 0;
    return t;
}

void bind_tenant(Query& q, const TenantRecord& t) {
    q.bind(1, std::string_view(t.tenant_id))
        .bind(2, std::string_view(t.display_name))
        .bind(3, std::string_view(t.country))
        .bind(4, t.created_at)
        .bind(5, t.modified_at)
        .bind(6, std::string_view(t.modified_by))
        .bind_optional_blob(7, t.pin_record)
        .bind(8, std::string_view(t.pin_key_id))
        .bind(9, t.pin_set_at)
        .bind(10, t.pin_changed_at)
        .bind(11, std::string_view(t.pin_changed_by))
        .bind(12, static_cast<std::int64_t>(t.failed_attempts))
        .bind(13, t.locked_until)
        .bind(14, static_cast<std::int64_t>(t.lock_level))
        .bind(15, t.last_check_at)
        .bind(16, std::string_view(t.last_check_result))
        .bind(17, t.pin_version)
        .bind(18, static_cast<std::int64_t>(t.frozen ? 1 : 0));
}

AuditRecord read_audit(const Query& q) {
    AuditRecord e;
    e.event_id = q.integer(0);
    e.occurred_at = q.integer(1);
    e.event_type = q.text(2);
    e.tenant_id = q.text(3);
    e.actor = q.text(4);
    e.outcome = q.text(5);
    e.reason = q.text(6);
    e.details = q.text(7);
    e.prev_mac = q.text(8);
    e.mac = q.text(9);
    return e;
}

constexpr const char* kAuditColumns =
    "event_id, occurred_at, event_type, tenant_id, actor, outcome, reason, details, prev_mac, mac";

}  // namespace

class SqliteTransaction final : public StoreTransaction {
public:
    SqliteTransaction(SqliteStore& store, std::unique_ptr<SqliteStore::Connection> c, TxMode mode)
        : store_(store), c_(std::move(c)), unsynced_(mode == TxMode::WriteUnsynced),
          done_(mode == TxMode::ReadOneStatement) {
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
    ~SqliteTransaction() override {
        if (!done_) {
            try {
                c_->run_cached("ROLLBACK");
            } catch (...) {
                // SQLite may have rolled back already (after an I/O error); nothing to undo.
            }
        }
        release();
    }

    void commit() override {
        if (done_) return;  // a single statement, committed by itself
        c_->run_cached("COMMIT");
        done_ = true;
        release_writer();
    }

    std::optional<std::string> meta(std::string_view name) override {
        Query q(*c_, "SELECT value FROM meta WHERE name = ?");
        q.bind(1, name);
        if (!q.step()) return std::nullopt;
        return q.text(0);
    }
    void set_meta(std::string_view name, std::string_view value) override {
        Query q(*c_, "INSERT INTO meta (name, value) VALUES (?, ?) "
                     "ON CONFLICT (name) DO UPDATE SET value = excluded.value");
        q.bind(1, name).bind_blob(2, value).run();
    }
    void delete_meta(std::string_view name) override {
        Query q(*c_, "DELETE FROM meta WHERE name = ?");
        q.bind(1, name).run();
    }

    std::optional<TenantRecord> tenant(std::string_view tenant_id) override {
        static const std::string sql =
            std::string("SELECT ") + kTenantColumns + " FROM tenants WHERE tenant_id = ?";
        Query q(*c_, sql);
        q.bind(1, tenant_id);
        if (!q.step()) return std::nullopt;
        return read_tenant(q);
    }
    void insert_tenant(const TenantRecord& t) override {
        static const std::string sql = std::string("INSERT INTO tenants (") + kTenantColumns +
                                       ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
        Query q(*c_, sql);
        bind_tenant(q, t);
        if (!q.run_unless_duplicate()) {
            throw ResourceExistsError("TenantExists", "A tenant with this id exists already.",
                                      t.tenant_id);
        }
    }
    void update_tenant(const TenantRecord& t) override {
        Query q(*c_,
                "UPDATE tenants SET display_name = ?2, country = ?3, created_at = ?4, "
                "modified_at = ?5, modified_by = ?6, pin_record = ?7, pin_key_id = ?8, "
                "pin_set_at = ?9, pin_changed_at = ?10, pin_changed_by = ?11, "
                "failed_attempts = ?12, locked_until = ?13, lock_level = ?14, "
                "last_check_at = ?15, last_check_result = ?16, pin_version = ?17, frozen = ?18 "
                "WHERE tenant_id = ?1");
        bind_tenant(q, t);
        q.run();
    }
    void delete_tenant(std::string_view tenant_id) override {
        Query q(*c_, "DELETE FROM tenants WHERE tenant_id = ?");
        q.bind(1, tenant_id).run();
    }
    TenantLeftovers remove_tenant_data(std::string_view tenant_id) override {
        auto run = [&](const char* sql) {
            Query q(*c_, sql);
            q.bind(1, tenant_id).run();
            return c_->changes();
        };
        TenantLeftovers out;
        out.numbers = run("DELETE FROM phone_numbers WHERE tenant_id = ?");
        run("DELETE FROM order_numbers WHERE order_id IN (SELECT order_id FROM orders WHERE tenant_id = ?)");
        out.orders = run("DELETE FROM orders WHERE tenant_id = ?");
        out.notifications = run("UPDATE notifications SET tenant_id = '' WHERE tenant_id = ?");
        return out;
    }
    std::vector<TenantRecord> tenants_after(std::string_view after_id, std::size_t limit) override {
        static const std::string sql = std::string("SELECT ") + kTenantColumns +
                                       " FROM tenants WHERE tenant_id > ? ORDER BY tenant_id LIMIT ?";
        Query q(*c_, sql);
        q.bind(1, after_id).bind(2, static_cast<std::int64_t>(limit));
        std::vector<TenantRecord> out;
        while (q.step()) out.push_back(read_tenant(q));
        return out;
    }
    std::vector<TenantRecord> pin_records_not_under(std::string_view key_id, std::string_view after_id,
                                                    std::size_t limit) override {
        Query q(*c_, std::string("SELECT ") + kTenantColumns +
                         " FROM tenants WHERE tenant_id > ? AND pin_record IS NOT NULL AND "
                         "pin_key_id <> ? ORDER BY tenant_id LIMIT ?");
        q.bind(1, after_id).bind(2, key_id).bind(3, static_cast<std::int64_t>(limit));
        std::vector<TenantRecord> out;
        while (q.step()) out.push_back(read_tenant(q));
        return out;
    }
    std::int64_t count_pin_records_not_under(std::string_view key_id) override {
        Query q(*c_, "SELECT count(*) FROM tenants WHERE pin_record IS NOT NULL AND pin_key_id <> ?");
        q.bind(1, key_id);
        return q.step() ? q.integer(0) : 0;
    }

    std::optional<PolicyRecord> policy(std::string_view scope) override {
        Query q(*c_, "SELECT scope, min_length, max_length, block_weak, blocklist, "
                     "max_failed_attempts, lockout_ms, max_lockout_ms, modified_at, modified_by "
                     "FROM policies WHERE scope = ?");
        q.bind(1, scope);
        if (!q.step()) return std::nullopt;
        PolicyRecord p;
        p.scope = q.text(0);
        if (auto v = q.optional_integer(1)) p.min_length = static_cast<int>(*v);
        if (auto v = q.optional_integer(2)) p.max_length = static_cast<int>(*v);
        if (auto v = q.optional_integer(3)) p.block_weak = *v != 0;
        if (auto v = q.optional_text(4)) p.blocklist = decode_list(*v);
        if (auto v = q.optional_integer(5)) p.max_failed_attempts = static_cast<int>(*v);
        p.lockout_ms = q.optional_integer(6);
        p.max_lockout_ms = q.optional_integer(7);
        p.modified_at = q.integer(8);
        p.modified_by = q.text(9);
        return p;
    }
    void put_policy(const PolicyRecord& p) override {
        Query q(*c_, "INSERT INTO policies (scope, min_length, max_length, block_weak, blocklist, "
                     "max_failed_attempts, lockout_ms, max_lockout_ms, modified_at, modified_by) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (scope) DO UPDATE SET "
                     "min_length = excluded.min_length, max_length = excluded.max_length, "
                     "block_weak = excluded.block_weak, blocklist = excluded.blocklist, "
                     "max_failed_attempts = excluded.max_failed_attempts, "
                     "lockout_ms = excluded.lockout_ms, max_lockout_ms = excluded.max_lockout_ms, "
                     "modified_at = excluded.modified_at, modified_by = excluded.modified_by");
        std::optional<std::string> blocklist;
        if (p.blocklist) blocklist = encode_list(*p.blocklist);
        q.bind(1, std::string_view(p.scope))
            .bind(2, p.min_length)
            .bind(3, p.max_length)
            .bind(4, p.block_weak ? std::optional<std::int64_t>(*p.block_weak ? 1 : 0) : std::nullopt)
            .bind_optional_text(5, blocklist)
            .bind(6, p.max_failed_attempts)
            .bind(7, p.lockout_ms)
            .bind(8, p.max_lockout_ms)
            .bind(9, p.modified_at)
            .bind(10, std::string_view(p.modified_by))
            .run();
    }
    void delete_policy(std::string_view scope) override {
        Query q(*c_, "DELETE FROM policies WHERE scope = ?");
        q.bind(1, scope).run();
    }

    std::optional<NumberRecord> number(std::string_view e164) override {
        Query q(*c_, "SELECT number, tenant_id, added_at, added_by FROM phone_numbers WHERE number = ?");
        q.bind(1, e164);
        if (!q.step()) return std::nullopt;
        return NumberRecord{q.text(0), q.text(1), q.integer(2), q.text(3)};
    }
    void insert_number(const NumberRecord& n) override {
        Query q(*c_, "INSERT INTO phone_numbers (number, tenant_id, added_at, added_by) VALUES (?, ?, ?, ?)");
        q.bind(1, std::string_view(n.number))
            .bind(2, std::string_view(n.tenant_id))
            .bind(3, n.added_at)
            .bind(4, std::string_view(n.added_by));
        if (!q.run_unless_duplicate()) {
            throw ResourceExistsError("PhoneNumberInUse", "The number is in an inventory already.", n.number);
        }
    }
    void delete_number(std::string_view e164) override {
        Query q(*c_, "DELETE FROM phone_numbers WHERE number = ?");
        q.bind(1, e164).run();
    }
    std::vector<NumberRecord> numbers(const std::vector<std::string>& tenant_ids, std::string_view after,
                                      std::size_t limit) override {
        std::string sql = "SELECT number, tenant_id, added_at, added_by FROM phone_numbers WHERE number > ?";
        if (!tenant_ids.empty()) sql += " AND tenant_id IN (" + placeholders(tenant_ids.size()) + ")";
        sql += " ORDER BY number LIMIT ?";
        Query q(*c_, sql);
        int i = 1;
        q.bind(i++, after);
        for (const auto& id : tenant_ids) q.bind(i++, std::string_view(id));
        q.bind(i, static_cast<std::int64_t>(limit));
        std::vector<NumberRecord> out;
        while (q.step()) out.push_back({q.text(0), q.text(1), q.integer(2), q.text(3)});
        return out;
    }

    void insert_order(OrderRecord& o, const std::vector<OrderNumber>& numbers) override {
        {
            Query q(*c_, "INSERT INTO orders (order_id, tenant_id, carrier, submitted_by, status, "
                         "reason, internal_reason, requested_foc, foc, created_at, modified_at, "
                         "modified_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
            q.bind(1, std::string_view(o.order_id))
                .bind(2, std::string_view(o.tenant_id))
                .bind(3, std::string_view(o.carrier))
                .bind(4, std::string_view(o.submitted_by))
                .bind(5, std::string_view(o.status))
                .bind(6, std::string_view(o.reason))
                .bind(7, std::string_view(o.internal_reason))
                .bind(8, o.requested_foc)
                .bind(9, o.foc)
                .bind(10, o.created_at)
                .bind(11, o.modified_at)
                .bind(12, std::string_view(o.modified_by))
                .run();
        }
        o.seq = c_->last_insert_rowid();
        const bool open = o.status == "Submitted" || o.status == "Confirmed";
        for (const auto& n : numbers) {
            Query q(*c_, "INSERT INTO order_numbers (order_id, number, problem, open) VALUES (?, ?, ?, ?)");
            q.bind(1, std::string_view(o.order_id))
                .bind(2, std::string_view(n.number))
                .bind(3, std::string_view(n.problem))
                .bind(4, static_cast<std::int64_t>(open ? 1 : 0))
                .run();
        }
    }
    std::optional<OrderRecord> order(std::string_view order_id) override {
        OrderQuery query;
        query.order_id = std::string(order_id);
        query.limit = 1;
        auto found = orders(query);
        if (found.empty()) return std::nullopt;
        return std::move(found.front());
    }
    void update_order(const OrderRecord& o) override {
        Query q(*c_, "UPDATE orders SET status = ?2, reason = ?3, internal_reason = ?4, foc = ?5, "
                     "modified_at = ?6, modified_by = ?7 WHERE order_id = ?1");
        q.bind(1, std::string_view(o.order_id))
            .bind(2, std::string_view(o.status))
            .bind(3, std::string_view(o.reason))
            .bind(4, std::string_view(o.internal_reason))
            .bind(5, o.foc)
            .bind(6, o.modified_at)
            .bind(7, std::string_view(o.modified_by))
            .run();
    }
    void close_order_numbers(std::string_view order_id) override {
        Query q(*c_, "UPDATE order_numbers SET open = 0 WHERE order_id = ?");
        q.bind(1, order_id).run();
    }
    std::vector<OrderRecord> orders(const OrderQuery& query) override {
        std::string sql =
            "SELECT seq, order_id, tenant_id, carrier, submitted_by, status, reason, internal_reason, "
            "requested_foc, foc, created_at, modified_at, modified_by FROM orders WHERE seq > ?";
        if (query.order_id) sql += " AND order_id = ?";
        if (!query.tenant_ids.empty()) sql += " AND tenant_id IN (" + placeholders(query.tenant_ids.size()) + ")";
        if (query.status) sql += " AND status = ?";
        if (query.carrier) sql += " AND carrier = ?";
        if (query.submitted_by) sql += " AND submitted_by = ?";
        sql += " ORDER BY seq LIMIT ?";
        Query q(*c_, sql);
        int i = 1;
        q.bind(i++, query.after_seq);
        if (query.order_id) q.bind(i++, std::string_view(*query.order_id));
        for (const auto& id : query.tenant_ids) q.bind(i++, std::string_view(id));
        if (query.status) q.bind(i++, std::string_view(*query.status));
        if (query.carrier) q.bind(i++, std::string_view(*query.carrier));
        if (query.submitted_by) q.bind(i++, std::string_view(*query.submitted_by));
        q.bind(i, static_cast<std::int64_t>(query.limit));
        std::vector<OrderRecord> out;
        while (q.step()) {
            OrderRecord o;
            o.seq = q.integer(0);
            o.order_id = q.text(1);
            o.tenant_id = q.text(2);
            o.carrier = q.text(3);
            o.submitted_by = q.text(4);
            o.status = q.text(5);
            o.reason = q.text(6);
            o.internal_reason = q.text(7);
            o.requested_foc = q.optional_integer(8);
            o.foc = q.optional_integer(9);
            o.created_at = q.integer(10);
            o.modified_at = q.integer(11);
            o.modified_by = q.text(12);
            out.push_back(std::move(o));
        }
        return out;
    }
    std::vector<OrderNumber> order_numbers(std::string_view order_id) override {
        Query q(*c_, "SELECT number, problem FROM order_numbers WHERE order_id = ? ORDER BY number");
        q.bind(1, order_id);
        std::vector<OrderNumber> out;
        while (q.step()) out.push_back({q.text(0), q.text(1)});
        return out;
    }
    std::optional<std::string> open_order_holding(std::string_view e164) override {
        Query q(*c_, "SELECT order_id FROM order_numbers WHERE number = ? AND open = 1 LIMIT 1");
        q.bind(1, e164);
        if (!q.step()) return std::nullopt;
        return q.text(0);
    }

    std::int64_t insert_notification(NotificationRecord& n) override {
        Query q(*c_, "INSERT INTO notifications (occurred_at, kind, tenant_id, order_id, summary, details) "
                     "VALUES (?, ?, ?, ?, ?, ?)");
        q.bind(1, n.occurred_at)
            .bind(2, std::string_view(n.kind))
            .bind(3, std::string_view(n.tenant_id))
            .bind(4, std::string_view(n.order_id))
            .bind(5, std::string_view(n.summary))
            .bind(6, std::string_view(n.details))
            .run();
        n.notification_id = c_->last_insert_rowid();
        return n.notification_id;
    }
    std::vector<NotificationRecord> unacknowledged(std::string_view consumer,
                                                   const std::vector<std::string>& tenant_ids,
                                                   std::size_t limit) override {
        std::string sql =
            "SELECT n.notification_id, n.occurred_at, n.kind, n.tenant_id, n.order_id, n.summary, "
            "n.details FROM notifications n WHERE n.notification_id > coalesce((SELECT "
            "acknowledged_through FROM notification_consumers WHERE consumer = ?1), 0) AND NOT "
            "EXISTS (SELECT 1 FROM notification_acks a WHERE a.consumer = ?1 AND "
            "a.notification_id = n.notification_id)";
        if (!tenant_ids.empty()) sql += " AND n.tenant_id IN (" + placeholders(tenant_ids.size(), 2) + ")";
        sql += " ORDER BY n.notification_id LIMIT ?" + std::to_string(tenant_ids.size() + 2);
        Query q(*c_, sql);
        q.bind(1, consumer);
        int i = 2;
        for (const auto& id : tenant_ids) q.bind(i++, std::string_view(id));
        q.bind(i, static_cast<std::int64_t>(limit));
        std::vector<NotificationRecord> out;
        while (q.step()) {
            out.push_back({q.integer(0), q.integer(1), q.text(2), q.text(3), q.text(4), q.text(5), q.text(6)});
        }
        return out;
    }
    std::int64_t acknowledge(std::string_view consumer, const std::vector<std::string>& tenant_ids,
                             const std::vector<std::int64_t>& ids) override {
        std::int64_t through = 0;
        {
            Query q(*c_, "SELECT acknowledged_through FROM notification_consumers WHERE consumer = ?");
            q.bind(1, consumer);
            if (q.step()) through = q.integer(0);
        }
        const std::string in_scope =
            tenant_ids.empty() ? std::string() : " AND tenant_id IN (" + placeholders(tenant_ids.size(), 2) + ")";
        auto bind_scope = [&](Query& q) {
            int i = 2;
            for (const auto& t : tenant_ids) q.bind(i++, std::string_view(t));
        };
        std::int64_t added = 0;
        for (const auto id : ids) {
            if (id <= through) continue;
            Query exists(*c_, "SELECT 1 FROM notifications WHERE notification_id = ?1" + in_scope);
            exists.bind(1, id);
            bind_scope(exists);
            if (!exists.step()) continue;
            Query q(*c_, "INSERT OR IGNORE INTO notification_acks (consumer, notification_id) VALUES (?, ?)");
            q.bind(1, consumer).bind(2, id).run();
            added += c_->changes();
        }
        // Move the consumer's mark over every notification it may see that it has acknowledged
        // since, unbroken (ids it may not see, or never made, are no gap).
        while (true) {
            std::int64_t next = 0;
            {
                Query q(*c_, "SELECT min(notification_id) FROM notifications WHERE notification_id > ?1" + in_scope);
                q.bind(1, through);
                bind_scope(q);
                if (!q.step() || q.is_null(0)) break;
                next = q.integer(0);
            }
            Query q(*c_, "SELECT 1 FROM notification_acks WHERE consumer = ? AND notification_id = ?");
            q.bind(1, consumer).bind(2, next);
            if (!q.step()) break;
            through = next;
        }
        {
            Query q(*c_, "INSERT INTO notification_consumers (consumer, acknowledged_through) VALUES (?, ?) "
                         "ON CONFLICT (consumer) DO UPDATE SET acknowledged_through = excluded.acknowledged_through");
            q.bind(1, consumer).bind(2, through).run();
        }
        {
            Query q(*c_, "DELETE FROM notification_acks WHERE consumer = ? AND notification_id <= ?");
            q.bind(1, consumer).bind(2, through).run();
        }
        return added;
    }

    void export_rows(const TableSpec& table,
                     const std::function<void(const std::vector<Field>&)>& sink) override {
        Query q(*c_, "SELECT " + column_list(table) + " FROM " + std::string(table.name) + " ORDER BY 1");
        std::vector<Field> row(table.columns.size());
        while (q.step()) {
            for (std::size_t i = 0; i < row.size(); ++i) {
                const int col = static_cast<int>(i);
                if (q.is_null(col)) {
                    row[i] = {Field::Kind::Null, {}};
                } else if (table.columns[i].second == Field::Kind::Integer) {
                    row[i] = {Field::Kind::Integer, std::to_string(q.integer(col))};
                } else {
                    row[i] = {table.columns[i].second, q.text(col)};
                }
            }
            sink(row);
        }
    }
    void import_row(const TableSpec& table, const std::vector<Field>& row) override {
        std::string marks;
        for (std::size_t i = 0; i < row.size(); ++i) marks += i ? ", ?" : "?";
        Query q(*c_, "INSERT INTO " + std::string(table.name) + " (" + column_list(table) + ") VALUES (" +
                         marks + ")");
        for (std::size_t i = 0; i < row.size(); ++i) {
            const int at = static_cast<int>(i) + 1;
            switch (row[i].kind) {
                case Field::Kind::Null: q.bind(at, std::optional<std::int64_t>()); break;
                case Field::Kind::Integer: q.bind(at, static_cast<std::int64_t>(std::stoll(row[i].value))); break;
                case Field::Kind::Text: q.bind(at, std::string_view(row[i].value)); break;
                case Field::Kind::Blob: q.bind_blob(at, row[i].value); break;
            }
        }
        q.run();
    }

    std::optional<AuditRecord> last_audit_event() override {
        Query q(*c_, std::string("SELECT ") + kAuditColumns +
                         " FROM audit_events ORDER BY event_id DESC LIMIT 1");
        if (!q.step()) return std::nullopt;
        return read_audit(q);
    }
    void insert_audit_event(const AuditRecord& e) override {
        Query q(*c_, std::string("INSERT INTO audit_events (") + kAuditColumns +
                         ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        q.bind(1, e.event_id)
            .bind(2, e.occurred_at)
            .bind(3, std::string_view(e.event_type))
            .bind(4, std::string_view(e.tenant_id))
            .bind(5, std::string_view(e.actor))
            .bind(6, std::string_view(e.outcome))
            .bind(7, std::string_view(e.reason))
            .bind(8, std::string_view(e.details))
            .bind_blob(9, e.prev_mac)
            .bind_blob(10, e.mac);
        if (!q.run_unless_duplicate()) {
            throw InvalidDataError("AuditSequenceConflict",
                                   "An audit event with this number exists already.", c_->where());
        }
    }
    std::vector<AuditRecord> audit_events(const AuditQuery& query) override {
        std::string sql = std::string("SELECT ") + kAuditColumns + " FROM audit_events WHERE event_id > ?";
        if (!query.tenant_ids.empty()) sql += " AND tenant_id IN (" + placeholders(query.tenant_ids.size()) + ")";
        if (query.since) sql += " AND occurred_at >= ?";
        if (query.until) sql += " AND occurred_at < ?";
        if (!query.event_types.empty()) {
            sql += " AND event_type IN (";
            for (std::size_t i = 0; i < query.event_types.size(); ++i) sql += i ? ", ?" : "?";
            sql += ")";
        }
        sql += " ORDER BY event_id LIMIT ?";
        Query q(*c_, sql);
        int i = 1;
        q.bind(i++, query.after_event_id);
        for (const auto& id : query.tenant_ids) q.bind(i++, std::string_view(id));
        if (query.since) q.bind(i++, *query.since);
        if (query.until) q.bind(i++, *query.until);
        for (const auto& type : query.event_types) q.bind(i++, std::string_view(type));
        q.bind(i, static_cast<std::int64_t>(query.limit));
        std::vector<AuditRecord> out;
        while (q.step()) out.push_back(read_audit(q));
        return out;
    }

private:
    SqliteStore& store_;
    std::unique_ptr<SqliteStore::Connection> c_;
    bool writer_ = false;  // holds the store's writer slot
    bool unsynced_ = false;
    bool done_ = false;

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
    : path_(std::move(path)), options_(options) {}

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
        if (!fs::exists(path, ec)) {
            if (!options.create) {
                throw ObjectNotFoundError("StoreNotFound", "No store exists at this path.", path);
            }
            create_file(path);
        } else if (fs::is_directory(path, ec)) {
            throw InvalidArgumentError("InvalidStorePath", "The store path names a folder.", path);
        }
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
                        c->exec(kMigrations[static_cast<std::size_t>(version)]);
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
    {
        std::lock_guard lock(pool_mutex_);
        if (!idle_.empty()) {
            auto c = std::move(idle_.back());
            idle_.pop_back();
            return c;
        }
    }
    auto c = std::make_unique<Connection>(path_, SQLITE_OPEN_READWRITE, options_.busy_timeout_ms);
    configure(*c);
    return c;
}

void SqliteStore::configure(Connection& c) {
    // Security state must survive power loss; deleted records must not linger in free pages.
    c.exec("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON; "
           "PRAGMA trusted_schema = OFF");
}

void SqliteStore::release(std::unique_ptr<Connection> connection) noexcept {
    std::lock_guard lock(pool_mutex_);
    if (idle_.size() >= 8) return;  // the connection closes here
    try {
        idle_.push_back(std::move(connection));
    } catch (...) {
        // Out of memory for the pool: the connection is closed instead.
    }
}

std::unique_ptr<StoreTransaction> SqliteStore::begin(TxMode mode) {
    return std::make_unique<SqliteTransaction>(*this, acquire(), mode);
}

}  // namespace portout
