#include <portout/postgres_store.hpp>

#include <portout/errors.hpp>

#include <libpq-fe.h>

#include <array>
#include <charconv>
#include <cstring>
#include <utility>

namespace portout {

namespace {

// Keys of the advisory locks, with the schema's hash as the second half: one for every writer,
// one for migrations ("PORT", "PORM"). Stores in other schemas of the database do not contend.
constexpr long long kWriterLock = 0x504F5254;
constexpr long long kMigrationLock = 0x504F524D;

constexpr const char* kSchema = R"sql(
CREATE TABLE portout_schema (version INTEGER NOT NULL);
CREATE TABLE meta (
    name  TEXT PRIMARY KEY,
    value BYTEA NOT NULL
);
CREATE TABLE tenants (
    tenant_id         TEXT COLLATE "C" PRIMARY KEY,
    display_name      TEXT NOT NULL,
    country           TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    modified_at       BIGINT NOT NULL,
    modified_by       TEXT NOT NULL,
    pin_record        BYTEA,
    pin_key_id        TEXT NOT NULL DEFAULT '',
    pin_set_at        BIGINT,
    pin_changed_at    BIGINT,
    pin_changed_by    TEXT NOT NULL DEFAULT '',
    failed_attempts   INTEGER NOT NULL DEFAULT 0,
    locked_until      BIGINT,
    lock_level        INTEGER NOT NULL DEFAULT 0,
    last_check_at     BIGINT,
    last_check_result TEXT NOT NULL DEFAULT '',
    pin_version       BIGINT NOT NULL DEFAULT 0,
    frozen            INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE policies (
    scope               TEXT PRIMARY KEY,
    min_length          INTEGER,
    max_length          INTEGER,
    block_weak          INTEGER,
    blocklist           TEXT,
    max_failed_attempts INTEGER,
    lockout_ms          BIGINT,
    max_lockout_ms      BIGINT,
    modified_at         BIGINT NOT NULL,
    modified_by         TEXT NOT NULL
);
CREATE TABLE audit_events (
    event_id    BIGINT PRIMARY KEY,
    occurred_at BIGINT NOT NULL,
    event_type  TEXT NOT NULL,
    tenant_id   TEXT NOT NULL,
    actor       TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    reason      TEXT NOT NULL,
    details     TEXT NOT NULL,
    prev_mac    BYTEA NOT NULL,
    mac         BYTEA NOT NULL
);
CREATE INDEX audit_events_by_tenant ON audit_events (tenant_id, event_id);
CREATE INDEX audit_events_by_time ON audit_events (occurred_at);
CREATE TABLE phone_numbers (
    number    TEXT COLLATE "C" PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    added_at  BIGINT NOT NULL,
    added_by  TEXT NOT NULL
);
CREATE INDEX phone_numbers_by_tenant ON phone_numbers (tenant_id, number);
CREATE TABLE orders (
    seq             BIGSERIAL PRIMARY KEY,
    order_id        TEXT NOT NULL UNIQUE,
    tenant_id       TEXT NOT NULL,
    carrier         TEXT NOT NULL,
    submitted_by    TEXT NOT NULL,
    status          TEXT NOT NULL,
    reason          TEXT NOT NULL,
    internal_reason TEXT NOT NULL,
    requested_foc   BIGINT,
    foc             BIGINT,
    created_at      BIGINT NOT NULL,
    modified_at     BIGINT NOT NULL,
    modified_by     TEXT NOT NULL
);
CREATE INDEX orders_by_tenant ON orders (tenant_id, seq);
CREATE TABLE order_numbers (
    order_id TEXT NOT NULL,
    number   TEXT COLLATE "C" NOT NULL,
    problem  TEXT NOT NULL,
    open     INTEGER NOT NULL,
    PRIMARY KEY (order_id, number)
);
CREATE INDEX order_numbers_open ON order_numbers (number) WHERE open = 1;
CREATE TABLE notifications (
    notification_id BIGSERIAL PRIMARY KEY,
    occurred_at     BIGINT NOT NULL,
    kind            TEXT NOT NULL,
    tenant_id       TEXT NOT NULL,
    order_id        TEXT NOT NULL,
    summary         TEXT NOT NULL,
    details         TEXT NOT NULL
);
CREATE TABLE notification_consumers (
    consumer             TEXT PRIMARY KEY,
    acknowledged_through BIGINT NOT NULL
);
CREATE TABLE notification_acks (
    consumer        TEXT NOT NULL,
    notification_id BIGINT NOT NULL,
    PRIMARY KEY (consumer, notification_id)
);
INSERT INTO portout_schema (version) VALUES (2);
)sql";

std::string sqlstate_of(const PGresult* r) {
    const char* s = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    return s ? s : "";
}

[[noreturn]] void raise_pg(const std::string& state, const std::string& text, const std::string& where,
                           bool connection_lost) {
    if (connection_lost || state.starts_with("08") || state == "57P01" || state == "57P02" ||
        state == "57P03") {
        throw ResourceUnavailableError("StoreUnavailable",
                                       "The PostgreSQL server cannot be reached or went away: " + text,
                                       where);
    }
    if (state.starts_with("28")) {
        throw ResourceUnavailableError("StoreLoginRefused", "The PostgreSQL server refused the login: " + text,
                                       where);
    }
    if (state == "55P03" || state == "40001" || state == "40P01" || state == "57014") {
        throw ResourceUnavailableError("StoreBusy",
                                       "The store stayed busy with other writers past the wait limit: " + text,
                                       where);
    }
    if (state == "53100") throw ResourceUnavailableError("StoreFull", "The server's disk is full: " + text, where);
    if (state == "25006") {
        throw ResourceUnavailableError("StoreReadOnly", "The store cannot be written: " + text, where);
    }
    if (state.starts_with("XX")) throw InvalidDataError("StoreCorrupt", "The store is damaged: " + text, where);
    if (state.starts_with("22")) {
        // A value the server cannot take (text that is not UTF-8, a number out of range).
        throw InvalidArgumentError("InvalidValue", "A value was refused by the store: " + text, where);
    }
    throw ResourceUnavailableError("StoreUnavailable", "The store cannot be used: " + text, where);
}

std::string trim_message(const char* raw) {
    std::string text = raw ? raw : "";
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
}

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// bytea in the text format: "\x" then two hex digits a byte.
std::string decode_bytea(std::string_view text) {
    if (!text.starts_with("\\x")) return std::string(text);
    text.remove_prefix(2);
    std::string out;
    out.reserve(text.size() / 2);
    for (std::size_t i = 0; i + 1 < text.size(); i += 2) {
        out.push_back(static_cast<char>((hex_value(text[i]) << 4) | hex_value(text[i + 1])));
    }
    return out;
}

std::string placeholders(std::size_t n, int first) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) {
        if (i) out += ", ";
        out += "$" + std::to_string(first + static_cast<int>(i));
    }
    return out;
}

}  // namespace

// One libpq connection. Used by one thread at a time; dropped, not pooled, once broken.
class PostgresStore::Connection {
public:
    Connection(const std::string& conninfo, const Options& options, std::string where)
        : where_(std::move(where)) {
        const std::string timeout = std::to_string(options.connect_timeout_s);
        // Defaults first: what the connection string itself says overrides them.
        const char* keys[] = {"connect_timeout", "keepalives", "keepalives_idle", "keepalives_interval",
                              "keepalives_count", "tcp_user_timeout", "application_name", "dbname",
                              nullptr};
        const char* values[] = {timeout.c_str(), "1", "5", "2", "3", "15000", "portout",
                                conninfo.c_str(), nullptr};
        conn_ = PQconnectdbParams(keys, values, 1);
        if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
            const std::string text = trim_message(conn_ ? PQerrorMessage(conn_) : "out of memory");
            const bool refused = text.find("authentication") != std::string::npos ||
                                 text.find("password") != std::string::npos ||
                                 text.find("role \"") != std::string::npos;
            PQfinish(conn_);
            conn_ = nullptr;
            raise_pg(refused ? "28000" : "08001", text, where_, !refused);
        }
        exec("SET lock_timeout = " + std::to_string(options.lock_timeout_ms) + "; SET client_min_messages = warning");
    }
    ~Connection() { PQfinish(conn_); }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    bool healthy() const { return conn_ && PQstatus(conn_) == CONNECTION_OK && !broken_; }
    const std::string& where() const noexcept { return where_; }

    // A result that frees itself.
    class Result {
    public:
        explicit Result(PGresult* r) : r_(r) {}
        ~Result() { PQclear(r_); }
        Result(Result&& o) noexcept : r_(std::exchange(o.r_, nullptr)) {}
        Result(const Result&) = delete;
        Result& operator=(const Result&) = delete;
        const PGresult* raw() const { return r_; }
        int rows() const { return PQntuples(r_); }
        bool is_null(int row, int col) const { return PQgetisnull(r_, row, col) != 0; }
        std::string text(int row, int col) const {
            return std::string(PQgetvalue(r_, row, col), static_cast<std::size_t>(PQgetlength(r_, row, col)));
        }
        std::string bytes(int row, int col) const { return decode_bytea(text(row, col)); }
        std::int64_t integer(int row, int col) const {
            std::int64_t v = 0;
            const char* p = PQgetvalue(r_, row, col);
            std::from_chars(p, p + PQgetlength(r_, row, col), v);
            return v;
        }
        std::optional<std::int64_t> optional_integer(int row, int col) const {
            if (is_null(row, col)) return std::nullopt;
            return integer(row, col);
        }
        std::optional<std::string> optional_text(int row, int col) const {
            if (is_null(row, col)) return std::nullopt;
            return text(row, col);
        }
        std::optional<std::string> optional_bytes(int row, int col) const {
            if (is_null(row, col)) return std::nullopt;
            return bytes(row, col);
        }

    private:
        PGresult* r_;
    };

    // A parameter: text, bytes (sent binary) or NULL.
    struct Param {
        std::optional<std::string> value;
        bool binary = false;
        static Param text(std::string_view v) { return {std::string(v), false}; }
        static Param bytes(std::string_view v) { return {std::string(v), true}; }
        static Param integer(std::int64_t v) { return {std::to_string(v), false}; }
        template <class T>
        static Param optional(const std::optional<T>& v) {
            if (!v) return {std::nullopt, false};
            return integer(static_cast<std::int64_t>(*v));
        }
        static Param null() { return {std::nullopt, false}; }
    };

    Result run(const std::string& sql, const std::vector<Param>& params = {}) {
        std::vector<const char*> values;
        std::vector<int> lengths;
        std::vector<int> formats;
        for (const auto& p : params) {
            values.push_back(p.value ? p.value->data() : nullptr);
            lengths.push_back(p.value ? static_cast<int>(p.value->size()) : 0);
            formats.push_back(p.binary ? 1 : 0);
        }
        Result r(PQexecParams(conn_, sql.c_str(), static_cast<int>(params.size()), nullptr, values.data(),
                              lengths.data(), formats.data(), 0));
        check(r, sql);
        return r;
    }
    void exec(const std::string& sql) {
        Result r(PQexec(conn_, sql.c_str()));
        check(r, sql);
    }
    // False when a unique constraint refused the statement (the transaction is then aborted).
    bool run_unless_duplicate(const std::string& sql, const std::vector<Param>& params) {
        try {
            run(sql, params);
            return true;
        } catch (const DuplicateKey&) {
            return false;
        }
    }

    struct DuplicateKey {};

private:
    void check(const Result& r, const std::string&) {
        const PGresult* raw = r.raw();
        const auto status = raw ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
        if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return;
        const std::string state = sqlstate_of(raw);
        const bool lost = PQstatus(conn_) != CONNECTION_OK;
        if (lost) broken_ = true;
        if (state == "23505") throw DuplicateKey{};
        raise_pg(state, trim_message(PQresultErrorMessage(raw)), where_, lost);
    }

    PGconn* conn_ = nullptr;
    std::string where_;
    bool broken_ = false;
};

using Param = PostgresStore::Connection::Param;
using Result = PostgresStore::Connection::Result;

namespace {

constexpr const char* kTenantColumns =
    "tenant_id, display_name, country, created_at, modified_at, modified_by, pin_record, "
    "pin_key_id, pin_set_at, pin_changed_at, pin_changed_by, failed_attempts, locked_until, "
    "lock_level, last_check_at, last_check_result, pin_version, frozen";

TenantRecord read_tenant(const Result& r, int i) {
    TenantRecord t;
    t.tenant_id = r.text(i, 0);
    t.display_name = r.text(i, 1);
    t.country = r.text(i, 2);
    t.created_at = r.integer(i, 3);
    t.modified_at = r.integer(i, 4);
    t.modified_by = r.text(i, 5);
    t.pin_record = r.optional_bytes(i, 6);
    t.pin_key_id = r.text(i, 7);
    t.pin_set_at = r.optional_integer(i, 8);
    t.pin_changed_at = r.optional_integer(i, 9);
    t.pin_changed_by = r.text(i, 10);
    t.failed_attempts = static_cast<int>(r.integer(i, 11));
    t.locked_until = r.optional_integer(i, 12);
    t.lock_level = static_cast<int>(r.integer(i, 13));
    t.last_check_at = r.optional_integer(i, 14);
    t.last_check_result = r.text(i, 15);
    t.pin_version = r.integer(i, 16);
    t.frozen = r.integer(i, 17) != 0;
    return t;
}

std::vector<Param> tenant_params(const TenantRecord& t) {
    return {Param::text(t.tenant_id),
            Param::text(t.display_name),
            Param::text(t.country),
            Param::integer(t.created_at),
            Param::integer(t.modified_at),
            Param::text(t.modified_by),
            t.pin_record ? Param::bytes(*t.pin_record) : Param::null(),
            Param::text(t.pin_key_id),
            Param::optional(t.pin_set_at),
            Param::optional(t.pin_changed_at),
            Param::text(t.pin_changed_by),
            Param::integer(t.failed_attempts),
            Param::optional(t.locked_until),
            Param::integer(t.lock_level),
            Param::optional(t.last_check_at),
            Param::text(t.last_check_result),
            Param::integer(t.pin_version),
            Param::integer(t.frozen ? 1 : 0)};
}

constexpr const char* kAuditColumns =
    "event_id, occurred_at, event_type, tenant_id, actor, outcome, reason, details, prev_mac, mac";

AuditRecord read_audit(const Result& r, int i) {
    return {{r.integer(i, 0), r.integer(i, 1), r.text(i, 2), r.text(i, 3), r.text(i, 4),
             r.text(i, 5), r.text(i, 6), r.text(i, 7)},
            r.bytes(i, 8),
            r.bytes(i, 9)};
}

constexpr const char* kOrderColumns =
    "seq, order_id, tenant_id, carrier, submitted_by, status, reason, internal_reason, "
    "requested_foc, foc, created_at, modified_at, modified_by";

OrderRecord read_order(const Result& r, int i) {
    OrderRecord o;
    o.seq = r.integer(i, 0);
    o.order_id = r.text(i, 1);
    o.tenant_id = r.text(i, 2);
    o.carrier = r.text(i, 3);
    o.submitted_by = r.text(i, 4);
    o.status = r.text(i, 5);
    o.reason = r.text(i, 6);
    o.internal_reason = r.text(i, 7);
    o.requested_foc = r.optional_integer(i, 8);
    o.foc = r.optional_integer(i, 9);
    o.created_at = r.integer(i, 10);
    o.modified_at = r.integer(i, 11);
    o.modified_by = r.text(i, 12);
    return o;
}

}  // namespace

class PostgresTransaction final : public StoreTransaction {
public:
    PostgresTransaction(PostgresStore& store, std::unique_ptr<PostgresStore::Connection> c, TxMode mode)
        : store_(store), c_(std::move(c)), done_(mode == TxMode::ReadOneStatement) {
        if (mode == TxMode::ReadOneStatement) return;  // autocommit: the statement alone
        if (mode == TxMode::Write || mode == TxMode::WriteUnsynced) {
            // One writer at a time across every host, as SQLite's write lock does in one file.
            c_->exec("BEGIN ISOLATION LEVEL READ COMMITTED");
            // PostgreSQL's asynchronous commit: the server answers before its WAL is flushed.
            if (mode == TxMode::WriteUnsynced) c_->exec("SET LOCAL synchronous_commit = off");
            c_->run("SELECT pg_advisory_xact_lock($1::int, hashtext(current_schema()))",
                    {Param::integer(kWriterLock)});
        } else {
            c_->exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
        }
    }
    ~PostgresTransaction() override {
        if (!done_ && c_->healthy()) {
            try {
                c_->exec("ROLLBACK");
            } catch (...) {
                // The connection went away: the server rolled back.
            }
        }
        store_.release(std::move(c_));
    }

    void commit() override {
        if (done_) return;  // a single statement, committed by itself
        c_->exec("COMMIT");
        done_ = true;
    }

    std::optional<std::string> meta(std::string_view name) override {
        auto r = c_->run("SELECT value FROM meta WHERE name = $1", {Param::text(name)});
        if (r.rows() == 0) return std::nullopt;
        return r.bytes(0, 0);
    }
    void set_meta(std::string_view name, std::string_view value) override {
        c_->run("INSERT INTO meta (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = "
                "excluded.value",
                {Param::text(name), Param::bytes(value)});
    }
    void delete_meta(std::string_view name) override {
        c_->run("DELETE FROM meta WHERE name = $1", {Param::text(name)});
    }

    std::optional<TenantRecord> tenant(std::string_view tenant_id) override {
        auto r = c_->run(std::string("SELECT ") + kTenantColumns + " FROM tenants WHERE tenant_id = $1",
                         {Param::text(tenant_id)});
        if (r.rows() == 0) return std::nullopt;
        return read_tenant(r, 0);
    }
    void insert_tenant(const TenantRecord& t) override {
        if (!c_->run_unless_duplicate(std::string("INSERT INTO tenants (") + kTenantColumns + ") VALUES (" +
                                          placeholders(18, 1) + ")",
                                      tenant_params(t))) {
            throw ResourceExistsError("TenantExists", "A tenant with this id exists already.", t.tenant_id);
        }
    }
    void update_tenant(const TenantRecord& t) override {
        c_->run("UPDATE tenants SET display_name = $2, country = $3, created_at = $4, modified_at = $5, "
                "modified_by = $6, pin_record = $7, pin_key_id = $8, pin_set_at = $9, pin_changed_at = $10, "
                "pin_changed_by = $11, failed_attempts = $12, locked_until = $13, lock_level = $14, "
                "last_check_at = $15, last_check_result = $16, pin_version = $17, frozen = $18 "
                "WHERE tenant_id = $1",
                tenant_params(t));
    }
    void delete_tenant(std::string_view tenant_id) override {
        c_->run("DELETE FROM tenants WHERE tenant_id = $1", {Param::text(tenant_id)});
    }
    TenantLeftovers remove_tenant_data(std::string_view tenant_id) override {
        auto run = [&](const std::string& statement) {
            return c_->run("WITH done AS (" + statement + " RETURNING 1) SELECT count(*) FROM done",
                           {Param::text(tenant_id)}).integer(0, 0);
        };
        TenantLeftovers out;
        out.numbers = run("DELETE FROM phone_numbers WHERE tenant_id = $1");
        run("DELETE FROM order_numbers WHERE order_id IN (SELECT order_id FROM orders WHERE tenant_id = $1)");
        out.orders = run("DELETE FROM orders WHERE tenant_id = $1");
        out.notifications = run("UPDATE notifications SET tenant_id = '' WHERE tenant_id = $1");
        return out;
    }
    std::vector<TenantRecord> tenants_after(std::string_view after, std::size_t limit) override {
        auto r = c_->run(std::string("SELECT ") + kTenantColumns +
                             " FROM tenants WHERE tenant_id > $1 ORDER BY tenant_id LIMIT $2",
                         {Param::text(after), Param::integer(static_cast<std::int64_t>(limit))});
        std::vector<TenantRecord> out;
        for (int i = 0; i < r.rows(); ++i) out.push_back(read_tenant(r, i));
        return out;
    }
    std::vector<TenantRecord> pin_records_not_under(std::string_view key_id, std::string_view after,
                                                    std::size_t limit) override {
        auto r = c_->run(std::string("SELECT ") + kTenantColumns +
                             " FROM tenants WHERE tenant_id > $1 AND pin_record IS NOT NULL AND "
                             "pin_key_id <> $2 ORDER BY tenant_id LIMIT $3",
                         {Param::text(after), Param::text(key_id), Param::integer(static_cast<std::int64_t>(limit))});
        std::vector<TenantRecord> out;
        for (int i = 0; i < r.rows(); ++i) out.push_back(read_tenant(r, i));
        return out;
    }
    std::int64_t count_pin_records_not_under(std::string_view key_id) override {
        auto r = c_->run("SELECT count(*) FROM tenants WHERE pin_record IS NOT NULL AND pin_key_id <> $1",
                         {Param::text(key_id)});
        return r.integer(0, 0);
    }

    std::optional<PolicyRecord> policy(std::string_view scope) override {
        auto r = c_->run("SELECT scope, min_length, max_length, block_weak, blocklist, max_failed_attempts, "
                         "lockout_ms, max_lockout_ms, modified_at, modified_by FROM policies WHERE scope = $1",
                         {Param::text(scope)});
        if (r.rows() == 0) return std::nullopt;
        PolicyRecord p;
        p.scope = r.text(0, 0);
        if (auto v = r.optional_integer(0, 1)) p.min_length = static_cast<int>(*v);
        if (auto v = r.optional_integer(0, 2)) p.max_length = static_cast<int>(*v);
        if (auto v = r.optional_integer(0, 3)) p.block_weak = *v != 0;
        if (auto v = r.optional_text(0, 4)) p.blocklist = decode_list(*v);
        if (auto v = r.optional_integer(0, 5)) p.max_failed_attempts = static_cast<int>(*v);
        p.lockout_ms = r.optional_integer(0, 6);
        p.max_lockout_ms = r.optional_integer(0, 7);
        p.modified_at = r.integer(0, 8);
        p.modified_by = r.text(0, 9);
        return p;
    }
    void put_policy(const PolicyRecord& p) override {
        c_->run("INSERT INTO policies (scope, min_length, max_length, block_weak, blocklist, max_failed_attempts, "
                "lockout_ms, max_lockout_ms, modified_at, modified_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
                "$9, $10) ON CONFLICT (scope) DO UPDATE SET min_length = excluded.min_length, max_length = "
                "excluded.max_length, block_weak = excluded.block_weak, blocklist = excluded.blocklist, "
                "max_failed_attempts = excluded.max_failed_attempts, lockout_ms = excluded.lockout_ms, "
                "max_lockout_ms = excluded.max_lockout_ms, modified_at = excluded.modified_at, modified_by = "
                "excluded.modified_by",
                {Param::text(p.scope), Param::optional(p.min_length), Param::optional(p.max_length),
                 p.block_weak ? Param::integer(*p.block_weak ? 1 : 0) : Param::null(),
                 p.blocklist ? Param::text(encode_list(*p.blocklist)) : Param::null(),
                 Param::optional(p.max_failed_attempts), Param::optional(p.lockout_ms),
                 Param::optional(p.max_lockout_ms), Param::integer(p.modified_at), Param::text(p.modified_by)});
    }
    void delete_policy(std::string_view scope) override {
        c_->run("DELETE FROM policies WHERE scope = $1", {Param::text(scope)});
    }

    std::optional<NumberRecord> number(std::string_view e164) override {
        auto r = c_->run("SELECT number, tenant_id, added_at, added_by FROM phone_numbers WHERE number = $1",
                         {Param::text(e164)});
        if (r.rows() == 0) return std::nullopt;
        return NumberRecord{r.text(0, 0), r.text(0, 1), r.integer(0, 2), r.text(0, 3)};
    }
    void insert_number(const NumberRecord& n) override {
        if (!c_->run_unless_duplicate(
                "INSERT INTO phone_numbers (number, tenant_id, added_at, added_by) VALUES ($1, $2, $3, $4)",
                {Param::text(n.number), Param::text(n.tenant_id), Param::integer(n.added_at),
                 Param::text(n.added_by)})) {
            throw ResourceExistsError("PhoneNumberInUse", "The number is in an inventory already.", n.number);
        }
    }
    void delete_number(std::string_view e164) override {
        c_->run("DELETE FROM phone_numbers WHERE number = $1", {Param::text(e164)});
    }
    std::vector<NumberRecord> numbers(const std::vector<std::string>& tenant_ids, std::string_view after,
                                      std::size_t limit) override {
        std::vector<Param> params = {Param::text(after)};
        std::string sql = "SELECT number, tenant_id, added_at, added_by FROM phone_numbers WHERE number > $1";
        if (!tenant_ids.empty()) {
            sql += " AND tenant_id IN (" + placeholders(tenant_ids.size(), 2) + ")";
            for (const auto& id : tenant_ids) params.push_back(Param::text(id));
        }
        params.push_back(Param::integer(static_cast<std::int64_t>(limit)));
        sql += " ORDER BY number LIMIT $" + std::to_string(params.size());
        auto r = c_->run(sql, params);
        std::vector<NumberRecord> out;
        for (int i = 0; i < r.rows(); ++i) out.push_back({r.text(i, 0), r.text(i, 1), r.integer(i, 2), r.text(i, 3)});
        return out;
    }

    void insert_order(OrderRecord& o, const std::vector<OrderNumber>& numbers) override {
        auto r = c_->run("INSERT INTO orders (order_id, tenant_id, carrier, submitted_by, status, reason, "
                         "internal_reason, requested_foc, foc, created_at, modified_at, modified_by) VALUES "
                         "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING seq",
                         {Param::text(o.order_id), Param::text(o.tenant_id), Param::text(o.carrier),
                          Param::text(o.submitted_by), Param::text(o.status), Param::text(o.reason),
                          Param::text(o.internal_reason), Param::optional(o.requested_foc),
                          Param::optional(o.foc), Param::integer(o.created_at), Param::integer(o.modified_at),
                          Param::text(o.modified_by)});
        o.seq = r.integer(0, 0);
        const bool open = o.status == "Submitted" || o.status == "Confirmed";
        for (const auto& n : numbers) {
            c_->run("INSERT INTO order_numbers (order_id, number, problem, open) VALUES ($1, $2, $3, $4)",
                    {Param::text(o.order_id), Param::text(n.number), Param::text(n.problem),
                     Param::integer(open ? 1 : 0)});
        }
    }
    std::optional<OrderRecord> order(std::string_view order_id) override {
        auto r = c_->run(std::string("SELECT ") + kOrderColumns + " FROM orders WHERE order_id = $1",
                         {Param::text(order_id)});
        if (r.rows() == 0) return std::nullopt;
        return read_order(r, 0);
    }
    void update_order(const OrderRecord& o) override {
        c_->run("UPDATE orders SET status = $2, reason = $3, internal_reason = $4, foc = $5, modified_at = $6, "
                "modified_by = $7 WHERE order_id = $1",
                {Param::text(o.order_id), Param::text(o.status), Param::text(o.reason),
                 Param::text(o.internal_reason), Param::optional(o.foc), Param::integer(o.modified_at),
                 Param::text(o.modified_by)});
    }
    void close_order_numbers(std::string_view order_id) override {
        c_->run("UPDATE order_numbers SET open = 0 WHERE order_id = $1", {Param::text(order_id)});
    }
    std::vector<OrderRecord> orders(const OrderQuery& query) override {
        std::vector<Param> params = {Param::integer(query.after_seq)};
        std::string sql = std::string("SELECT ") + kOrderColumns + " FROM orders WHERE seq > $1";
        auto add = [&](const char* clause, Param p) {
            params.push_back(std::move(p));
            sql += std::string(" AND ") + clause + " = $" + std::to_string(params.size());
        };
        if (query.order_id) add("order_id", Param::text(*query.order_id));
        if (!query.tenant_ids.empty()) {
            sql += " AND tenant_id IN (" + placeholders(query.tenant_ids.size(), static_cast<int>(params.size()) + 1) + ")";
            for (const auto& id : query.tenant_ids) params.push_back(Param::text(id));
        }
        if (query.status) add("status", Param::text(*query.status));
        if (query.carrier) add("carrier", Param::text(*query.carrier));
        if (query.submitted_by) add("submitted_by", Param::text(*query.submitted_by));
        params.push_back(Param::integer(static_cast<std::int64_t>(query.limit)));
        sql += " ORDER BY seq LIMIT $" + std::to_string(params.size());
        auto r = c_->run(sql, params);
        std::vector<OrderRecord> out;
        for (int i = 0; i < r.rows(); ++i) out.push_back(read_order(r, i));
        return out;
    }
    std::vector<OrderNumber> order_numbers(std::string_view order_id) override {
        auto r = c_->run("SELECT number, problem FROM order_numbers WHERE order_id = $1 ORDER BY number",
                         {Param::text(order_id)});
        std::vector<OrderNumber> out;
        for (int i = 0; i < r.rows(); ++i) out.push_back({r.text(i, 0), r.text(i, 1)});
        return out;
    }
    std::optional<std::string> open_order_holding(std::string_view e164) override {
        auto r = c_->run("SELECT order_id FROM order_numbers WHERE number = $1 AND open = 1 LIMIT 1",
                         {Param::text(e164)});
        if (r.rows() == 0) return std::nullopt;
        return r.text(0, 0);
    }

    std::int64_t insert_notification(NotificationRecord& n) override {
        auto r = c_->run("INSERT INTO notifications (occurred_at, kind, tenant_id, order_id, summary, details) "
                         "VALUES ($1, $2, $3, $4, $5, $6) RETURNING notification_id",
                         {Param::integer(n.occurred_at), Param::text(n.kind), Param::text(n.tenant_id),
                          Param::text(n.order_id), Param::text(n.summary), Param::text(n.details)});
        n.notification_id = r.integer(0, 0);
        return n.notification_id;
    }
    std::vector<NotificationRecord> unacknowledged(std::string_view consumer,
                                                   const std::vector<std::string>& tenant_ids,
                                                   std::size_t limit) override {
        std::vector<Param> params = {Param::text(consumer)};
        std::string sql =
            "SELECT n.notification_id, n.occurred_at, n.kind, n.tenant_id, n.order_id, n.summary, n.details "
            "FROM notifications n WHERE n.notification_id > coalesce((SELECT acknowledged_through FROM "
            "notification_consumers WHERE consumer = $1), 0) AND NOT EXISTS (SELECT 1 FROM notification_acks a "
            "WHERE a.consumer = $1 AND a.notification_id = n.notification_id)";
        if (!tenant_ids.empty()) {
            sql += " AND n.tenant_id IN (" + placeholders(tenant_ids.size(), 2) + ")";
            for (const auto& id : tenant_ids) params.push_back(Param::text(id));
        }
        params.push_back(Param::integer(static_cast<std::int64_t>(limit)));
        sql += " ORDER BY n.notification_id LIMIT $" + std::to_string(params.size());
        auto r = c_->run(sql, params);
        std::vector<NotificationRecord> out;
        for (int i = 0; i < r.rows(); ++i) {
            out.push_back({r.integer(i, 0), r.integer(i, 1), r.text(i, 2), r.text(i, 3), r.text(i, 4),
                           r.text(i, 5), r.text(i, 6)});
        }
        return out;
    }
    std::int64_t acknowledge(std::string_view consumer, const std::vector<std::string>& tenant_ids,
                             const std::vector<std::int64_t>& ids) override {
        std::int64_t through = 0;
        {
            auto r = c_->run("SELECT acknowledged_through FROM notification_consumers WHERE consumer = $1",
                             {Param::text(consumer)});
            if (r.rows()) through = r.integer(0, 0);
        }
        // $1 the consumer, $2 an id, $3... the tenants.
        const std::string in_scope =
            tenant_ids.empty() ? std::string() : " AND tenant_id IN (" + placeholders(tenant_ids.size(), 3) + ")";
        auto params = [&](std::int64_t id) {
            std::vector<Param> p = {Param::text(consumer), Param::integer(id)};
            for (const auto& t : tenant_ids) p.push_back(Param::text(t));
            return p;
        };
        std::int64_t added = 0;
        for (const auto id : ids) {
            if (id <= through) continue;
            auto r = c_->run("INSERT INTO notification_acks (consumer, notification_id) SELECT $1, $2 WHERE EXISTS "
                             "(SELECT 1 FROM notifications WHERE notification_id = $2" + in_scope +
                                 ") ON CONFLICT DO NOTHING RETURNING 1",
                             params(id));
            added += r.rows();
        }
        // Move the consumer's mark over every notification it may see that it has acknowledged
        // since, unbroken (ids it may not see, or a sequence skipped, are no gap).
        while (true) {
            auto r = c_->run("SELECT n.notification_id, EXISTS (SELECT 1 FROM notification_acks a WHERE "
                             "a.consumer = $1 AND a.notification_id = n.notification_id) FROM notifications n "
                             "WHERE n.notification_id > $2" + in_scope + " ORDER BY n.notification_id LIMIT 1",
                             params(through));
            if (r.rows() == 0 || r.text(0, 1) != "t") break;
            through = r.integer(0, 0);
        }
        c_->run("INSERT INTO notification_consumers (consumer, acknowledged_through) VALUES ($1, $2) ON CONFLICT "
                "(consumer) DO UPDATE SET acknowledged_through = excluded.acknowledged_through",
                {Param::text(consumer), Param::integer(through)});
        c_->run("DELETE FROM notification_acks WHERE consumer = $1 AND notification_id <= $2",
                {Param::text(consumer), Param::integer(through)});
        return added;
    }

    void export_rows(const TableSpec& table,
                     const std::function<void(const std::vector<Field>&)>& sink) override {
        // Through a cursor, in pages, so that a large table never sits whole in memory.
        c_->exec("DECLARE portout_export NO SCROLL CURSOR FOR SELECT " + column_list(table) + " FROM " +
                 std::string(table.name) + " ORDER BY 1");
        std::vector<Field> row(table.columns.size());
        while (true) {
            auto r = c_->run("FETCH FORWARD 5000 FROM portout_export");
            if (r.rows() == 0) break;
            for (int i = 0; i < r.rows(); ++i) {
                for (std::size_t c = 0; c < row.size(); ++c) {
                    const int col = static_cast<int>(c);
                    const auto kind = table.columns[c].second;
                    if (r.is_null(i, col)) {
                        row[c] = {Field::Kind::Null, {}};
                    } else {
                        row[c] = {kind, kind == Field::Kind::Blob ? r.bytes(i, col) : r.text(i, col)};
                    }
                }
                sink(row);
            }
        }
        c_->exec("CLOSE portout_export");
    }
    void import_row(const TableSpec& table, const std::vector<Field>& row) override {
        std::vector<Param> params;
        for (const auto& f : row) {
            switch (f.kind) {
                case Field::Kind::Null: params.push_back(Param::null()); break;
                case Field::Kind::Blob: params.push_back(Param::bytes(f.value)); break;
                default: params.push_back(Param::text(f.value)); break;
            }
        }
        c_->run("INSERT INTO " + std::string(table.name) + " (" + column_list(table) + ") VALUES (" +
                    placeholders(row.size(), 1) + ")",
                params);
    }
    void after_import() override {
        c_->exec("SELECT setval(pg_get_serial_sequence('orders', 'seq'), coalesce(max(seq), 0) + 1, false) "
                 "FROM orders");
        c_->exec("SELECT setval(pg_get_serial_sequence('notifications', 'notification_id'), "
                 "coalesce(max(notification_id), 0) + 1, false) FROM notifications");
    }

    std::optional<AuditRecord> last_audit_event() override {
        auto r = c_->run(std::string("SELECT ") + kAuditColumns + " FROM audit_events ORDER BY event_id DESC LIMIT 1");
        if (r.rows() == 0) return std::nullopt;
        return read_audit(r, 0);
    }
    void insert_audit_event(const AuditRecord& e) override {
        if (!c_->run_unless_duplicate(
                std::string("INSERT INTO audit_events (") + kAuditColumns +
                    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                {Param::integer(e.event_id), Param::integer(e.occurred_at), Param::text(e.event_type),
                 Param::text(e.tenant_id), Param::text(e.actor), Param::text(e.outcome), Param::text(e.reason),
                 Param::text(e.details), Param::bytes(e.prev_mac), Param::bytes(e.mac)})) {
            throw InvalidDataError("AuditSequenceConflict", "An audit event with this number exists already.",
                                   c_->where());
        }
    }
    std::vector<AuditRecord> audit_events(const AuditQuery& query) override {
        std::vector<Param> params = {Param::integer(query.after_event_id)};
        std::string sql = std::string("SELECT ") + kAuditColumns + " FROM audit_events WHERE event_id > $1";
        if (!query.tenant_ids.empty()) {
            sql += " AND tenant_id IN (" + placeholders(query.tenant_ids.size(), 2) + ")";
            for (const auto& id : query.tenant_ids) params.push_back(Param::text(id));
        }
        if (query.since) {
            params.push_back(Param::integer(*query.since));
            sql += " AND occurred_at >= $" + std::to_string(params.size());
        }
        if (query.until) {
            params.push_back(Param::integer(*query.until));
            sql += " AND occurred_at < $" + std::to_string(params.size());
        }
        if (!query.event_types.empty()) {
            sql += " AND event_type IN (" +
                   placeholders(query.event_types.size(), static_cast<int>(params.size()) + 1) + ")";
            for (const auto& t : query.event_types) params.push_back(Param::text(t));
        }
        params.push_back(Param::integer(static_cast<std::int64_t>(query.limit)));
        sql += " ORDER BY event_id LIMIT $" + std::to_string(params.size());
        auto r = c_->run(sql, params);
        std::vector<AuditRecord> out;
        for (int i = 0; i < r.rows(); ++i) out.push_back(read_audit(r, i));
        return out;
    }

private:
    PostgresStore& store_;
    std::unique_ptr<PostgresStore::Connection> c_;
    bool done_ = false;
};

bool PostgresStore::is_connection_string(std::string_view text) noexcept {
    return text.starts_with("postgresql://") || text.starts_with("postgres://");
}

std::string PostgresStore::redact(std::string_view s) {
    std::string out(s);
    // postgresql://user:secret@host -> postgresql://user:***@host
    if (is_connection_string(out)) {
        const auto scheme = out.find("://") + 3;
        const auto at = out.find('@', scheme);
        const auto colon = out.find(':', scheme);
        if (at != std::string::npos && colon != std::string::npos && colon < at) {
            out.replace(colon + 1, at - colon - 1, "***");
        }
    }
    // password=secret in the query or in key=value form
    for (std::size_t p = out.find("password="); p != std::string::npos; p = out.find("password=", p + 1)) {
        const auto start = p + 9;
        auto end = out.find_first_of("& ", start);
        if (end == std::string::npos) end = out.size();
        out.replace(start, end - start, "***");
    }
    return out;
}

PostgresStore::PostgresStore(std::string conninfo, Options options)
    : conninfo_(std::move(conninfo)), shown_(redact(conninfo_)), options_(options) {}

PostgresStore::~PostgresStore() = default;

std::unique_ptr<PostgresStore> PostgresStore::open(const std::string& connection_string, const Options& options) {
    if (connection_string.empty()) {
        throw InvalidArgumentError("InvalidConnectionString", "The connection string is empty.");
    }
    std::unique_ptr<PostgresStore> store(new PostgresStore(connection_string, options));
    auto c = store->acquire();
    // Hosts starting at once: one migrates, the others wait for it and find it done.
    c->run("SELECT pg_advisory_lock($1::int, hashtext(current_schema()))", {Param::integer(kMigrationLock)});
    try {
        auto has = [&](const char* table) {
            return !c->run("SELECT to_regclass($1) IS NOT NULL", {Param::text(table)}).text(0, 0).starts_with("f");
        };
        if (has("portout_schema")) {
            const auto version = c->run("SELECT max(version) FROM portout_schema").integer(0, 0);
            if (version > kSchemaVersion) {
                throw InvalidOperationError("StoreSchemaTooNew",
                                            "The store was written by a newer portout (schema " +
                                                std::to_string(version) + "; this one knows up to " +
                                                std::to_string(kSchemaVersion) + "). Upgrade portout.",
                                            store->location());
            }
        } else {
            const auto tables = c->run("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()");
            if (tables.integer(0, 0) != 0) {
                throw InvalidDataError("NotAPortOutStore",
                                       "The schema holds tables but no portout store; give a schema of its own "
                                       "(options=-csearch_path=...) or an empty database.",
                                       store->location());
            }
            c->exec("BEGIN");
            try {
                c->exec(kSchema);
                c->exec("COMMIT");
            } catch (...) {
                try {
                    c->exec("ROLLBACK");
                } catch (...) {
                    // The server rolled back already.
                }
                throw;
            }
        }
        c->run("SELECT pg_advisory_unlock($1::int, hashtext(current_schema()))", {Param::integer(kMigrationLock)});
    } catch (...) {
        if (c->healthy()) {
            try {
                c->run("SELECT pg_advisory_unlock($1::int, hashtext(current_schema()))",
                       {Param::integer(kMigrationLock)});
            } catch (...) {
                // Released with the session anyway.
            }
        }
        throw;
    }
    store->release(std::move(c));
    return store;
}

std::unique_ptr<PostgresStore::Connection> PostgresStore::acquire() {
    {
        std::lock_guard lock(pool_mutex_);
        while (!idle_.empty()) {
            auto c = std::move(idle_.back());
            idle_.pop_back();
            if (c->healthy()) return c;
        }
    }
    return std::make_unique<Connection>(conninfo_, options_, shown_);
}

void PostgresStore::release(std::unique_ptr<Connection> connection) noexcept {
    std::lock_guard lock(pool_mutex_);
    if (!connection || !connection->healthy() || idle_.size() >= 8) return;
    try {
        idle_.push_back(std::move(connection));
    } catch (...) {
        // Out of memory for the pool: the connection is closed instead.
    }
}

std::unique_ptr<StoreTransaction> PostgresStore::begin(TxMode mode) {
    return std::make_unique<PostgresTransaction>(*this, acquire(), mode);
}

}  // namespace portout
