// What only the PostgreSQL backend does: its connection strings, refusing a schema that is not
// a store's, migrating an older store, and its errors. Needs the throwaway server scripts/test
// starts (PORTOUT_TEST_POSTGRES); without it these tests are skipped, saying why.
#include <portout/errors.hpp>
#include <portout/postgres_store.hpp>

#include "store_backends.hpp"

#include <gtest/gtest.h>

#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace portout {
namespace {

using testing_support::Backend;
using testing_support::BackendStore;
using testing_support::postgres_admin;
using testing_support::postgres_server;

TEST(PostgresConnectionString, PasswordsAreNeverShown) {
    EXPECT_EQ(PostgresStore::redact("postgresql://portout:s3cret@db:5432/x"), "postgresql://portout:***@db:5432/x");
    EXPECT_EQ(PostgresStore::redact("postgresql://db/x?password=s3cret&sslmode=require"),
              "postgresql://db/x?password=***&sslmode=require");
    EXPECT_EQ(PostgresStore::redact("host=db password=s3cret dbname=x"), "host=db password=*** dbname=x");
    EXPECT_TRUE(PostgresStore::is_connection_string("postgres://db/x"));
    EXPECT_FALSE(PostgresStore::is_connection_string("/var/lib/portout/store.db"));
}

TEST(PostgresConnectionString, AnEmptyOneIsRefused) {
    try {
        PostgresStore::open("");
        FAIL() << "an empty connection string was accepted";
    } catch (const InvalidArgumentError& e) {
        EXPECT_EQ(e.error_id(), "InvalidConnectionString");
    }
}

class PostgresStoreTest : public testing::Test {
protected:
    void SetUp() override {
        if (!postgres_server()) GTEST_SKIP() << "PORTOUT_TEST_POSTGRES is not set: scripts/test starts a server";
        place_.emplace(Backend::Postgres);
    }
    // SQL in the store's own schema, as someone with the database would run it.
    void sql(const std::string& statements) {
        const auto& where = place_->location();
        const auto schema = where.substr(where.rfind("%3D") + 3);
        postgres_admin("SET search_path = " + schema + "; " + statements);
    }
    std::optional<BackendStore> place_;
};

TEST_F(PostgresStoreTest, ASchemaWithOtherTablesIsRefusedUntouched) {
    sql("CREATE TABLE invoices (id INTEGER PRIMARY KEY)");
    try {
        PostgresStore::open(place_->location());
        FAIL() << "a schema of another application was taken";
    } catch (const InvalidDataError& e) {
        EXPECT_EQ(e.error_id(), "NotAPortOutStore");
    }
    // Nothing was created beside the other table: opening again is refused the same way.
    EXPECT_THROW(PostgresStore::open(place_->location()), InvalidDataError);
}

TEST_F(PostgresStoreTest, ANewerSchemaIsRefused) {
    PostgresStore::open(place_->location());
    sql("UPDATE portout_schema SET version = 99");
    try {
        PostgresStore::open(place_->location());
        FAIL() << "a newer store was opened";
    } catch (const InvalidOperationError& e) {
        EXPECT_EQ(e.error_id(), "StoreSchemaTooNew");
    }
}

TEST_F(PostgresStoreTest, AVersionOneStoreIsMigratedWithItsData) {
    {
        auto store = PostgresStore::open(place_->location());
        auto tx = store->begin(TxMode::Write);
        TenantRecord t;
        t.tenant_id = "contoso.com";
        t.display_name = "Contoso";
        t.country = "US";
        t.pin_record = std::string("sealed\0", 7);
        tx->insert_tenant(t);
        tx->commit();
    }
    // Back to schema one, as a store of the first schema would be.
    sql("DROP TABLE phone_numbers, orders, order_numbers, notifications, notification_consumers, "
        "notification_acks, order_steps, principals, auth_throttle, subscriptions, deliveries, delivery_attempts, web_sessions; "
        "ALTER TABLE tenants DROP COLUMN frozen; DROP INDEX audit_events_state; "
        "ALTER TABLE audit_events DROP COLUMN state_mac; ALTER TABLE tenants DROP COLUMN account_number, "
        "DROP COLUMN service_zip, DROP COLUMN authorized_name, DROP COLUMN time_zone, DROP COLUMN carrier_attempts; "
        "ALTER TABLE policies DROP COLUMN tenant_max_failures, DROP COLUMN failure_window_ms, "
        "DROP COLUMN review_window_ms, DROP COLUMN review_deadline_action, DROP COLUMN min_foc_business_days, "
        "DROP COLUMN max_foc_days, DROP COLUMN cancel_cutoff_ms, DROP COLUMN holidays; "
        "UPDATE portout_schema SET version = 1");
    auto store = PostgresStore::open(place_->location());
    auto tx = store->begin(TxMode::Write);
    const auto t = tx->tenant("contoso.com");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->pin_record, std::string("sealed\0", 7));
    EXPECT_FALSE(t->frozen);
    EXPECT_EQ(t->account_number, "") << "given one by the service, once, when it opens the store";
    tx->insert_number({"+14255550100", "contoso.com", 1, "admin"});
    EXPECT_TRUE(tx->number("+14255550100"));
    tx->commit();
}

TEST_F(PostgresStoreTest, HostsOpeningAtOnceCreateTheStoreOnce) {
    std::vector<std::thread> hosts;
    std::mutex mutex;
    std::vector<std::string> failures;
    // Generous: under valgrind four SCRAM logins at once take seconds each.
    PostgresStore::Options options;
    options.connect_timeout_s = 60;
    for (int i = 0; i < 4; ++i) {
        hosts.emplace_back([&] {
            try {
                PostgresStore::open(place_->location(), options);
            } catch (const std::exception& e) {
                std::lock_guard lock(mutex);
                failures.emplace_back(e.what());
            }
        });
    }
    for (auto& h : hosts) h.join();
    EXPECT_TRUE(failures.empty()) << failures.front();
    auto store = PostgresStore::open(place_->location());
    auto tx = store->begin(TxMode::Read);
    EXPECT_FALSE(tx->tenant("anyone"));
}

TEST_F(PostgresStoreTest, AServerThatIsNotThereIsUnavailableNotAHang) {
    PostgresStore::Options options;
    options.connect_timeout_s = 2;
    try {
        PostgresStore::open("postgresql://portout:x@127.0.0.1:1/none", options);
        FAIL() << "a store opened on a closed port";
    } catch (const ResourceUnavailableError& e) {
        EXPECT_EQ(e.error_id(), "StoreUnavailable");
        EXPECT_EQ(std::string(e.what()).find("x@"), std::string::npos) << "the password was shown";
        EXPECT_EQ(e.target(), "postgresql://portout:***@127.0.0.1:1/none");
    }
}

TEST_F(PostgresStoreTest, AWrongPasswordIsALoginRefusal) {
    std::string url = postgres_server();
    const auto at = url.find('@');
    const auto colon = url.rfind(':', at);
    url.replace(colon + 1, at - colon - 1, "wrong-password");
    try {
        PostgresStore::open(url);
        FAIL() << "a wrong password was accepted";
    } catch (const ResourceUnavailableError& e) {
        EXPECT_EQ(e.error_id(), "StoreLoginRefused");
        EXPECT_EQ(std::string(e.what()).find("wrong-password"), std::string::npos);
        EXPECT_EQ(e.target().find("wrong-password"), std::string::npos);
    }
}

}  // namespace
}  // namespace portout
