// What a SQL backend gives the one SQL layer: a connection inside a transaction that runs a
// statement with parameters and hands back its rows. Everything else a store does (the
// statements, the row mapping, the schema) is written once, in sql_transaction.cpp and
// schema.cpp; a backend keeps only connecting and pooling, placeholders, locking and the
// mapping of its errors.
//
// Statements are written with numbered placeholders, $1, $2, ... (PostgreSQL's form; SQLite's
// backend rewrites them to ?1, ?2, ...). A placeholder may appear more than once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace portout::sql {

// A statement's parameter. Text and blobs are views: the caller keeps them alive for the call.
struct Param {
    enum class Kind { Null, Integer, Text, Blob };
    Kind kind = Kind::Null;
    std::int64_t integer = 0;
    std::string_view bytes;

    static Param null() noexcept { return {}; }
    static Param of(std::int64_t v) noexcept { return {Kind::Integer, v, {}}; }
    static Param of(std::string_view v) noexcept { return {Kind::Text, 0, v}; }
    static Param blob(std::string_view v) noexcept { return {Kind::Blob, 0, v}; }
    template <class T>
    static Param of(const std::optional<T>& v) noexcept {
        return v ? of(static_cast<std::int64_t>(*v)) : null();
    }
    static Param text_or_null(const std::optional<std::string>& v) noexcept {
        return v ? of(std::string_view(*v)) : null();
    }
    static Param blob_or_null(const std::optional<std::string>& v) noexcept {
        return v ? blob(std::string_view(*v)) : null();
    }
};

using Params = std::vector<Param>;

// A statement's rows, read one after another; columns count from 0.
class Rows {
public:
    virtual ~Rows() = default;
    // True while a row is ready.
    virtual bool next() = 0;
    virtual bool is_null(int col) const = 0;
    virtual std::int64_t integer(int col) const = 0;
    virtual std::string text(int col) const = 0;
    virtual std::string blob(int col) const = 0;

    std::optional<std::int64_t> optional_integer(int col) const {
        if (is_null(col)) return std::nullopt;
        return integer(col);
    }
    std::optional<std::string> optional_text(int col) const {
        if (is_null(col)) return std::nullopt;
        return text(col);
    }
    std::optional<std::string> optional_blob(int col) const {
        if (is_null(col)) return std::nullopt;
        return blob(col);
    }
};

// Thrown by a backend when a uniqueness constraint refused a row; the SQL layer turns it into
// the store's own error (TenantExists, PhoneNumberInUse...). On PostgreSQL the transaction is
// then aborted, so a caller never goes on after it.
struct UniqueViolation {};

// One transaction of a backend, on a connection of its own. Destroyed without commit(), it
// rolls back; either way the connection goes back to the backend's pool.
class Session {
public:
    virtual ~Session() = default;
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    void commit() {
        if (finished_) return;  // committed already, or each statement commits by itself
        commit_now();
        finished_ = true;
    }
    // A statement that returns rows (a SELECT, or a write with RETURNING). Its rows are read,
    // or the Rows destroyed, before the session's next statement: a backend may stream them.
    virtual std::unique_ptr<Rows> query(const std::string& sql, const Params& params) = 0;
    // A statement without rows; returns how many rows it changed.
    virtual std::int64_t execute(const std::string& sql, const Params& params) = 0;
    // After rows were imported with their own ids: make new ids follow them.
    virtual void after_import() {}
    // The server's clock, in milliseconds since 1970; none for an embedded database.
    virtual std::optional<std::int64_t> server_time() { return std::nullopt; }
    // Where the store is, for messages.
    virtual const std::string& where() const = 0;

protected:
    // `autocommit`: no transaction, each statement is its own (TxMode::ReadOneStatement).
    explicit Session(bool autocommit) noexcept : finished_(autocommit) {}
    virtual void commit_now() = 0;
    // Nothing is left to roll back.
    bool finished() const noexcept { return finished_; }

private:
    bool finished_;
};

}  // namespace portout::sql
