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
#include <string>
#include <utility>
#include <vector>

namespace portout::testing_support {

inline constexpr Millis kStart = 1'790'000'000'000;  // a fixed moment in 2026
inline constexpr Millis kMinute = 60'000;

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
        o.clock = clock;
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

    TempDir dir;
    std::string db = dir.file("store.db");
    std::string key_path = dir.file("store.key");
    std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(kStart);
};

}  // namespace portout::testing_support
