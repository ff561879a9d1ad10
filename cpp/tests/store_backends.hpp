// The store backends a contract test runs on: an embedded SQLite file in a folder of its own,
// and PostgreSQL in a schema of its own on the throwaway server scripts/test starts (named by
// PORTOUT_TEST_POSTGRES; without it, the PostgreSQL cases are skipped, saying why).
#pragma once

#include <portout/postgres_store.hpp>
#include <portout/sqlite_store.hpp>

#include "temp_dir.hpp"

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <unistd.h>

namespace portout::testing_support {

enum class Backend { Sqlite, Postgres };

inline const char* to_string(Backend backend) { return backend == Backend::Sqlite ? "Sqlite" : "Postgres"; }

// How GoogleTest names a backend in a test's name and its messages.
inline std::string backend_name(const testing::TestParamInfo<Backend>& info) { return to_string(info.param); }
inline void PrintTo(Backend backend, std::ostream* os) { *os << to_string(backend); }

inline const char* postgres_server() {
    const char* url = std::getenv("PORTOUT_TEST_POSTGRES");
    return url && *url ? url : nullptr;
}

// Runs SQL on the test server as its owner would (not through portout).
inline void postgres_admin(const std::string& sql) {
    PGconn* c = PQconnectdb(postgres_server());
    ASSERT_EQ(PQstatus(c), CONNECTION_OK) << PQerrorMessage(c);
    PGresult* r = PQexec(c, ("SET client_min_messages = warning; " + sql).c_str());
    const auto status = PQresultStatus(r);
    EXPECT_TRUE(status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) << PQresultErrorMessage(r);
    PQclear(r);
    PQfinish(c);
}

// One empty store of a backend, removed with the test.
class BackendStore {
public:
    explicit BackendStore(Backend backend) : backend_(backend) {
        if (backend == Backend::Sqlite) {
            location_ = dir_.file("store.db");
            return;
        }
        static std::atomic<int> counter{0};
        schema_ = "contract_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
        postgres_admin("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE; CREATE SCHEMA " + schema_);
        location_ = std::string(postgres_server()) + "?options=-csearch_path%3D" + schema_;
    }
    ~BackendStore() {
        if (!schema_.empty()) postgres_admin("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
    }
    BackendStore(const BackendStore&) = delete;
    BackendStore& operator=(const BackendStore&) = delete;

    std::unique_ptr<Store> open() const {
        if (backend_ == Backend::Sqlite) return SqliteStore::open(location_);
        return PostgresStore::open(location_);
    }
    const std::string& location() const { return location_; }

private:
    Backend backend_;
    TempDir dir_;
    std::string schema_;
    std::string location_;
};

// A test on every backend: GTEST_SKIP for PostgreSQL when no server is named.
class BackendTest : public testing::TestWithParam<Backend> {
protected:
    void SetUp() override {
        if (GetParam() == Backend::Postgres && !postgres_server()) {
            GTEST_SKIP() << "PORTOUT_TEST_POSTGRES is not set: scripts/test starts a PostgreSQL server and sets it";
        }
        place_.emplace(GetParam());
        store_ = place_->open();
    }
    void TearDown() override {
        store_.reset();
        place_.reset();
    }

    std::optional<BackendStore> place_;
    std::unique_ptr<Store> store_;
};

}  // namespace portout::testing_support
