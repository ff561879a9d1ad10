#include <portout/open_store.hpp>

#include <portout/errors.hpp>
#include <portout/postgres_store.hpp>
#include <portout/sqlite_store.hpp>

#include <cstdlib>
#include <filesystem>

namespace portout {

std::string default_store_path() {
    if (const char* env = std::getenv("PORTOUT_STORE"); env && *env) return env;
    std::filesystem::path base;
    if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg && xdg[0] == '/') {
        base = xdg;
    } else if (const char* home = std::getenv("HOME"); home && *home) {
        base = std::filesystem::path(home) / ".local" / "share";
    } else {
        throw InvalidArgumentError("NoDefaultStorePath",
                                   "Neither XDG_DATA_HOME nor HOME is set: give the store's path.");
    }
    return (base / "portout" / "store.db").string();
}

std::string default_key_path(const std::string& store_path) {
    if (const char* env = std::getenv("PORTOUT_KEY_FILE"); env && *env) return env;
    if (PostgresStore::is_connection_string(store_path)) {
        // A shared store has no folder of its own to keep the key beside.
        throw InvalidArgumentError("KeyFileRequired",
                                   "A PostgreSQL store needs its key file named (-KeyFile or "
                                   "PORTOUT_KEY_FILE); the key is never kept in the database.");
    }
    return store_path + ".key";
}

std::unique_ptr<Store> open_store(const std::string& location, bool create, int busy_timeout_ms) {
    if (PostgresStore::is_connection_string(location)) {
        PostgresStore::Options o;
        o.lock_timeout_ms = busy_timeout_ms;
        return PostgresStore::open(location, o);
    }
    SqliteStore::Options o;
    o.create = create;
    o.busy_timeout_ms = busy_timeout_ms;
    return SqliteStore::open(location, o);
}

}  // namespace portout
