// What the service's tests share: a session on a SQLite store in a folder of the test's own,
// a manual clock, and plain SQL on the file, as someone with the file would run it.
#pragma once

#include <portout/service.hpp>
#include <portout/sqlite_store.hpp>

#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <sqlite3.h>

#include <memory>
#include <optional>
#include <string>

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

    // Plain SQL against the file, as an attacker with the file would.
    void sql(const std::string& statement) { run_sql(db, statement); }

    TempDir dir;
    std::string db = dir.file("store.db");
    std::string key_path = dir.file("store.key");
    std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(kStart);
};

}  // namespace portout::testing_support
