// What the service's tests share: a session on a SQLite store in a folder of the test's own,
// sessions of other roles and scopes on it, a manual clock, plain SQL on the file, as someone
// with the file would run it, and the error id a call throws.
#pragma once

#include <portout/errors.hpp>
#include <portout/service.hpp>
#include <portout/sqlite_store.hpp>

#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <sqlite3.h>

#include <functional>
#include <memory>
#include <optional>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace portout::testing_support {

inline constexpr Millis kStart = 1'790'000'000'000;  // a fixed moment in 2026
inline constexpr Millis kMinute = 60'000;

// RFC 4648 base32 (upper case, no padding) decoded: a TOTP secret as an authenticator app reads it.
inline std::string base32_decode(std::string_view text) {
    std::string out;
    std::uint32_t buffer = 0;
    int bits = 0;
    for (const char c : text) {
        const auto v = c >= 'A' && c <= 'Z' ? c - 'A' : c - '2' + 26;
        buffer = (buffer << 5) | static_cast<std::uint32_t>(v);
        bits += 5;
        if (bits >= 8) {
            out += static_cast<char>((buffer >> (bits - 8)) & 0xFF);
            bits -= 8;
        }
    }
    return out;
}

// Plain SQL against a SQLite file, through a connection of its own.
inline void run_sql(const std::string& db, const std::string& statement) {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
    char* err = nullptr;
    const int rc = sqlite3_exec(raw, statement.c_str(), nullptr, nullptr, &err);
    std::string msg = err ? err : "";
    sqlite3_free(err);
    sqlite3_close(raw);
    ASSERT_EQ(rc, SQLITE_OK) << msg;
}

// The first column of the first row a query gives on a SQLite file, as text ("" for none).
inline std::string column_of(const std::string& db, const std::string& query) {
    sqlite3* raw = nullptr;
    std::string out;
    if (sqlite3_open_v2(db.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
        sqlite3_stmt* stmt = nullptr;
        if (sqlite3_prepare_v2(raw, query.c_str(), -1, &stmt, nullptr) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW &&
            sqlite3_column_text(stmt, 0)) {
            out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
        }
        sqlite3_finalize(stmt);
    }
    sqlite3_close(raw);
    return out;
}

// Every row of every table of a SQLite file, as text: equal means unchanged.
inline std::string digest_of(const std::string& db) {
    std::string out;
    sqlite3* raw = nullptr;
    if (sqlite3_open_v2(db.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) return out;
    std::vector<std::string> tables;
    sqlite3_exec(raw, "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name",
                 [](void* t, int, char** v, char**) {
                     static_cast<std::vector<std::string>*>(t)->emplace_back(v[0]);
                     return 0;
                 },
                 &tables, nullptr);
    for (const auto& t : tables) {
        sqlite3_exec(raw, ("SELECT * FROM \"" + t + "\" ORDER BY 1").c_str(),
                     [](void* o, int n, char** v, char**) {
                         auto& text = *static_cast<std::string*>(o);
                         for (int i = 0; i < n; ++i) text += (v[i] ? v[i] : "NULL") + std::string("|");
                         text += "\n";
                         return 0;
                     },
                     &out, nullptr);
    }
    sqlite3_close(raw);
    return out;
}

// The id of the portout error `call` throws; empty when it throws none.
inline std::string error_id_of(const std::function<void()>& call) {
    try {
        call();
    } catch (const Error& e) {
        return e.error_id();
    }
    return {};
}

class ServiceTest : public ::testing::Test {
protected:
    std::unique_ptr<PortOutService> open(std::optional<HashProfile> profile = HashProfile::Test,
                                         const std::string& key = "",
                                         const std::string& actor = "admin@contoso.com") {
        ServiceOptions o;
        o.profile = profile;
        o.allow_test_profile = true;
        // A manual clock is for stores made for tests; a store at a real profile keeps real time.
        if (!profile || *profile == HashProfile::Test) o.clock = clock;
        o.actor = actor;
        return PortOutService::open(SqliteStore::open(db), key.empty() ? key_path : key, o);
    }

    // A session as `role` (its actor "<Role>@example" unless named), limited to `scope`.
    std::unique_ptr<PortOutService> as(Role role, std::vector<std::string> scope = {}, int busy_timeout_ms = 30000,
                                       std::string actor = {}) {
        ServiceOptions o;
        o.profile = HashProfile::Test;
        o.allow_test_profile = true;
        o.clock = clock;
        o.actor = actor.empty() ? std::string(to_string(role)) + "@example" : std::move(actor);
        o.role = role;
        o.tenant_scope = std::move(scope);
        SqliteStore::Options store_options;
        store_options.busy_timeout_ms = busy_timeout_ms;
        return PortOutService::open(SqliteStore::open(db, store_options), key_path, o);
    }

    // Plain SQL against the file, as an attacker with the file would.
    void sql(const std::string& statement) { run_sql(db, statement); }
    // The first column of the first row a query gives, as text ("" for none or NULL).
    std::string column(const std::string& query) { return column_of(db, query); }

    TempDir dir;
    std::string db = dir.file("store.db");
    std::string key_path = dir.file("store.key");
    std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(kStart);
};

}  // namespace portout::testing_support
