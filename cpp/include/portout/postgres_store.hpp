// The shared store: PostgreSQL through libpq, for many hosts at once. Writers are serialised by
// a transaction-scoped advisory lock, as SQLite serialises them by its write lock, so attempt
// counters, order validation, number ownership and the audit chain's order are exact across
// hosts.
#pragma once

#include <portout/store.hpp>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace portout {

namespace sql {
template <class Connection>
class Pool;
}  // namespace sql

class PostgresStore final : public Store {
public:
    static constexpr int kSchemaVersion = 7;

    struct Options {
        int connect_timeout_s = 5;    // a server that does not answer fails within this
        int lock_timeout_ms = 30000;  // how long a writer waits for another before StoreBusy
    };

    // Connects (to the schema first on the search_path) and creates or migrates the tables,
    // under a session advisory lock so that hosts starting at once migrate once. A schema that
    // holds other tables, or a newer portout schema, is refused and left untouched.
    static std::unique_ptr<PostgresStore> open(const std::string& connection_string, const Options& options);
    static std::unique_ptr<PostgresStore> open(const std::string& connection_string) {
        return open(connection_string, Options{});
    }

    ~PostgresStore() override;
    PostgresStore(const PostgresStore&) = delete;
    PostgresStore& operator=(const PostgresStore&) = delete;

    std::unique_ptr<StoreTransaction> begin(TxMode mode) override;
    // The connection string with any password replaced by ***.
    const std::string& location() const override { return shown_; }

    // True when the text is a PostgreSQL connection URI (postgresql:// or postgres://).
    static bool is_connection_string(std::string_view text) noexcept;
    static std::string redact(std::string_view connection_string);

    class Connection;

private:
    PostgresStore(std::string conninfo, Options options);
    std::unique_ptr<Connection> acquire();
    void release(std::unique_ptr<Connection> connection) noexcept;
    friend class PostgresSession;

    std::string conninfo_;
    std::string shown_;
    Options options_;
    std::unique_ptr<sql::Pool<Connection>> pool_;  // idle connections
};

}  // namespace portout
