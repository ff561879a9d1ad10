#include <portout/postgres_store.hpp>

#include "store/pool.hpp"
#include "store/schema.hpp"
#include "store/sql_transaction.hpp"

#include <portout/crypto.hpp>
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

// PostgreSQL's names for what the schema needs; text compares byte by byte, as in SQLite.
constexpr sql::Dialect kDialect = {"BIGINT", "TEXT COLLATE \"C\"", "BYTEA", "BIGSERIAL PRIMARY KEY", ""};
static_assert(sql::kSchemaVersion == PostgresStore::kSchemaVersion);

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

// bytea in the text format: "\x" then two hex digits a byte.
std::string decode_bytea(std::string_view text) {
    if (!text.starts_with("\\x")) return std::string(text);
    if (auto bytes = from_hex(text.substr(2))) return std::move(*bytes);
    throw InvalidDataError("StoreCorrupt", "The server sent bytes that are not hex-encoded.");
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
        explicit Result(PGresult* r = nullptr) : r_(r) {}
        ~Result() { PQclear(r_); }
        Result(Result&& o) noexcept : r_(std::exchange(o.r_, nullptr)) {}
        Result& operator=(Result&& o) noexcept {
            if (this != &o) {
                PQclear(r_);
                r_ = std::exchange(o.r_, nullptr);
            }
            return *this;
        }
        Result(const Result&) = delete;
        Result& operator=(const Result&) = delete;
        const PGresult* raw() const { return r_; }
        explicit operator bool() const { return r_ != nullptr; }
        int rows() const { return PQntuples(r_); }
        bool is_null(int row, int col) const { return PQgetisnull(r_, row, col) != 0; }
        std::string text(int row, int col) const {
            return std::string(PQgetvalue(r_, row, col), static_cast<std::size_t>(PQgetlength(r_, row, col)));
        }
        std::int64_t integer(int row, int col) const {
            std::int64_t v = 0;
            const char* p = PQgetvalue(r_, row, col);
            std::from_chars(p, p + PQgetlength(r_, row, col), v);
            return v;
        }
        std::int64_t changed() const {
            const char* n = PQcmdTuples(r_);
            std::int64_t v = 0;
            if (n) std::from_chars(n, n + std::strlen(n), v);
            return v;
        }

    private:
        PGresult* r_;
    };

    // A statement and its whole result.
    Result run(const std::string& sql, const sql::Params& params = {}) {
        send(sql, params, false);
        Result last;
        std::optional<Failure> failure;
        while (Result r{PQgetResult(conn_)}) {
            if (auto f = failed(r)) {
                if (!failure) failure = std::move(f);
            } else {
                last = std::move(r);
            }
        }
        if (failure) raise(*failure);
        return last;
    }
    void exec(const std::string& sql) {
        Result r(PQexec(conn_, sql.c_str()));
        if (auto f = failed(r)) raise(*f);
    }

    // A statement whose rows are read one at a time (libpq's single-row mode), so that a large
    // table never sits whole in memory. Its results are taken with take() until it gives none.
    void stream(const std::string& sql, const sql::Params& params) { send(sql, params, true); }
    // The next result of a streamed statement: a row, or nothing once it is done (its errors
    // raised once every result is taken, so the connection is ready for the next statement).
    Result take_row() {
        while (Result r{PQgetResult(conn_)}) {
            if (PQresultStatus(r.raw()) == PGRES_SINGLE_TUPLE) return r;
            if (auto f = failed(r)) {
                drain();
                raise(*f);
            }
        }
        return Result();
    }
    void drain() {
        while (Result r{PQgetResult(conn_)}) {
        }
    }

private:
    struct Failure {
        std::string state;
        std::string text;
        bool lost = false;
    };

    void send(const std::string& sql, const sql::Params& params, bool single_row) {
        // Every value as a string of its own (libpq reads text up to its NUL), reserved up front
        // so that the pointers into them stay valid; bytes go in binary, the rest as text.
        std::vector<std::string> storage;
        storage.reserve(params.size());
        std::vector<const char*> values;
        std::vector<int> lengths;
        std::vector<int> formats;
        for (const auto& p : params) {
            if (p.kind == sql::Param::Kind::Null) {
                values.push_back(nullptr);
            } else {
                storage.push_back(p.kind == sql::Param::Kind::Integer ? std::to_string(p.integer)
                                                                      : std::string(p.bytes));
                values.push_back(storage.back().c_str());
            }
            lengths.push_back(p.kind == sql::Param::Kind::Null ? 0 : static_cast<int>(storage.back().size()));
            formats.push_back(p.kind == sql::Param::Kind::Blob ? 1 : 0);
        }
        if (!PQsendQueryParams(conn_, sql.c_str(), static_cast<int>(params.size()), nullptr, values.data(),
                               lengths.data(), formats.data(), 0)) {
            broken_ = PQstatus(conn_) != CONNECTION_OK;
            raise_pg("", trim_message(PQerrorMessage(conn_)), where_, broken_);
        }
        if (single_row) PQsetSingleRowMode(conn_);
    }

    std::optional<Failure> failed(const Result& r) {
        const PGresult* raw = r.raw();
        const auto status = raw ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
        if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_SINGLE_TUPLE) {
            return std::nullopt;
        }
        const bool lost = PQstatus(conn_) != CONNECTION_OK;
        if (lost) broken_ = true;
        return Failure{sqlstate_of(raw), trim_message(raw ? PQresultErrorMessage(raw) : PQerrorMessage(conn_)),
                       lost};
    }
    [[noreturn]] void raise(const Failure& f) {
        if (f.state == "23505") throw sql::UniqueViolation{};
        raise_pg(f.state, f.text, where_, f.lost);
    }

    PGconn* conn_ = nullptr;
    std::string where_;
    bool broken_ = false;
};

using Result = PostgresStore::Connection::Result;

// A statement's rows, streamed: each row is its own result.
class PostgresRows final : public sql::Rows {
public:
    PostgresRows(PostgresStore::Connection& c, const std::string& sql, const sql::Params& params) : c_(c) {
        c_.stream(sql, params);
    }
    ~PostgresRows() override {
        if (!done_) c_.drain();
    }
    PostgresRows(const PostgresRows&) = delete;
    PostgresRows& operator=(const PostgresRows&) = delete;

    bool next() override {
        if (done_) return false;
        row_ = c_.take_row();
        done_ = !row_;
        return !done_;
    }
    bool is_null(int col) const override { return row_.is_null(0, col); }
    std::int64_t integer(int col) const override { return row_.integer(0, col); }
    std::string text(int col) const override { return row_.text(0, col); }
    std::string blob(int col) const override { return decode_bytea(row_.text(0, col)); }

private:
    PostgresStore::Connection& c_;
    Result row_;
    bool done_ = false;
};

class PostgresSession final : public sql::Session {
public:
    PostgresSession(PostgresStore& store, std::unique_ptr<PostgresStore::Connection> c, TxMode mode)
        : sql::Session(mode == TxMode::ReadOneStatement), store_(store), c_(std::move(c)) {
        if (mode == TxMode::ReadOneStatement) return;  // autocommit: the statement alone
        try {
            if (mode == TxMode::Write || mode == TxMode::WriteUnsynced) {
                // One writer at a time across every host, as SQLite's write lock does in one file.
                c_->exec("BEGIN ISOLATION LEVEL READ COMMITTED");
                // PostgreSQL's asynchronous commit: the server answers before its WAL is flushed.
                if (mode == TxMode::WriteUnsynced) c_->exec("SET LOCAL synchronous_commit = off");
                c_->run("SELECT pg_advisory_xact_lock($1::int, hashtext(current_schema()))",
                        {sql::Param::of(std::int64_t{kWriterLock})});
            } else {
                c_->exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
            }
        } catch (...) {
            end();
            throw;
        }
    }
    ~PostgresSession() override { end(); }

    void commit_now() override { c_->exec("COMMIT"); }
    std::unique_ptr<sql::Rows> query(const std::string& sql, const sql::Params& params) override {
        return std::make_unique<PostgresRows>(*c_, sql, params);
    }
    std::int64_t execute(const std::string& sql, const sql::Params& params) override {
        return c_->run(sql, params).changed();
    }
    void after_import() override {
        c_->exec("SELECT setval(pg_get_serial_sequence('orders', 'seq'), coalesce(max(seq), 0) + 1, false) "
                 "FROM orders");
        c_->exec("SELECT setval(pg_get_serial_sequence('notifications', 'notification_id'), "
                 "coalesce(max(notification_id), 0) + 1, false) FROM notifications");
    }
    std::optional<std::int64_t> server_time() override {
        return c_->run("SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint").integer(0, 0);
    }
    const std::string& where() const override { return c_->where(); }

private:
    // Rolls back what was not committed and gives the connection back.
    void end() noexcept {
        if (!c_) return;
        if (!finished() && c_->healthy()) {
            try {
                c_->exec("ROLLBACK");
            } catch (...) {
                // The connection went away: the server rolled back.
            }
        }
        store_.release(std::move(c_));
    }

    PostgresStore& store_;
    std::unique_ptr<PostgresStore::Connection> c_;
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
    : conninfo_(std::move(conninfo)), shown_(redact(conninfo_)), options_(options),
      pool_(std::make_unique<sql::Pool<Connection>>()) {}

PostgresStore::~PostgresStore() = default;

std::unique_ptr<PostgresStore> PostgresStore::open(const std::string& connection_string, const Options& options) {
    if (connection_string.empty()) {
        throw InvalidArgumentError("InvalidConnectionString", "The connection string is empty.");
    }
    std::unique_ptr<PostgresStore> store(new PostgresStore(connection_string, options));
    auto c = store->acquire();
    // Hosts starting at once: one migrates, the others wait for it and find it done.
    c->run("SELECT pg_advisory_lock($1::int, hashtext(current_schema()))", {sql::Param::of(std::int64_t{kMigrationLock})});
    try {
        auto has = [&](const char* table) {
            return !c->run("SELECT to_regclass($1) IS NOT NULL", {sql::Param::of(std::string_view(table))}).text(0, 0).starts_with("f");
        };
        std::int64_t version = 0;
        if (has("portout_schema")) {
            version = c->run("SELECT max(version) FROM portout_schema").integer(0, 0);
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
        }
        if (version < kSchemaVersion) {
            c->exec("BEGIN");
            try {
                if (version == 0) c->exec("CREATE TABLE portout_schema (version INTEGER NOT NULL)");
                for (; version < kSchemaVersion; ++version) {
                    c->exec(sql::migration(kDialect, static_cast<int>(version) + 1));
                }
                c->exec("DELETE FROM portout_schema; INSERT INTO portout_schema (version) VALUES (" +
                        std::to_string(kSchemaVersion) + "); COMMIT");
            } catch (...) {
                try {
                    c->exec("ROLLBACK");
                } catch (...) {
                    // The server rolled back already.
                }
                throw;
            }
        }
        c->run("SELECT pg_advisory_unlock($1::int, hashtext(current_schema()))", {sql::Param::of(std::int64_t{kMigrationLock})});
    } catch (...) {
        if (c->healthy()) {
            try {
                c->run("SELECT pg_advisory_unlock($1::int, hashtext(current_schema()))",
                       {sql::Param::of(std::int64_t{kMigrationLock})});
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
    if (auto c = pool_->take([](const Connection& c) { return c.healthy(); })) return c;
    return std::make_unique<Connection>(conninfo_, options_, shown_);
}

void PostgresStore::release(std::unique_ptr<Connection> connection) noexcept {
    if (connection && connection->healthy()) pool_->give(std::move(connection));
}

std::unique_ptr<StoreTransaction> PostgresStore::begin(TxMode mode) {
    return make_sql_transaction(std::make_unique<PostgresSession>(*this, acquire(), mode));
}

}  // namespace portout
