// The embedded store: one SQLite file in WAL mode, durable commits, BEGIN IMMEDIATE for every
// read-modify-write, a pool of connections so threads never share one.
#pragma once

#include <portout/store.hpp>

#include <memory>
#include <mutex>
#include <semaphore>
#include <string>
#include <vector>

struct sqlite3;

namespace portout {

namespace sql {
template <class Connection>
class Pool;
}  // namespace sql

class SqliteStore final : public Store {
public:
    static constexpr int kSchemaVersion = 7;
    // "PORT": marks the file as ours in SQLite's header (PRAGMA application_id).
    static constexpr int kApplicationId = 0x504F5254;

    struct Options {
        bool create = true;            // create the file (mode 0600) when it does not exist
        int busy_timeout_ms = 30000;   // how long a writer waits for another before StoreBusy
    };

    // Opens or creates the store. A file that is not a SQLite database, a SQLite database that
    // is not a portout store, or a store of a newer schema is refused and left untouched.
    static std::unique_ptr<SqliteStore> open(const std::string& path, const Options& options);
    static std::unique_ptr<SqliteStore> open(const std::string& path) { return open(path, Options{}); }

    ~SqliteStore() override;
    SqliteStore(const SqliteStore&) = delete;
    SqliteStore& operator=(const SqliteStore&) = delete;

    std::unique_ptr<StoreTransaction> begin(TxMode mode) override;
    const std::string& location() const override { return path_; }

    // True when this call created the file or found it empty (a store not yet initialised).
    bool created() const noexcept { return created_; }

    bool holds_file(const std::string& path) const override { return file_in_use(path); }

    // True when `path` is the database, -wal or -shm file of any SQLite store open in this
    // process. Only stat(2) is used: no descriptor is opened.
    static bool file_in_use(const std::string& path);

    class Connection;
    struct SharedFile;

private:
    SqliteStore(std::string path, Options options);
    std::unique_ptr<Connection> acquire();
    static void configure(Connection& c);
    void release(std::unique_ptr<Connection> connection) noexcept;
    friend class SqliteSession;

    std::string path_;
    Options options_;
    bool created_ = false;
    // What every store of this process on the same file shares: the writer slot (one write
    // transaction of the process at a time on that file), and the file's registration.
    std::shared_ptr<SharedFile> file_;
    std::unique_ptr<sql::Pool<Connection>> pool_;  // idle connections
};

}  // namespace portout
