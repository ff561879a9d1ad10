// The service as a whole: opening a store (its key, its profile, its schema, foreign files),
// sessions side by side, the writer slot, and the worker threads across a fork. Each area has
// its own tests: test_tenants.cpp, test_pins.cpp, test_policies.cpp, test_numbers.cpp,
// test_orders.cpp, test_notifications.cpp, test_audit_log.cpp, test_key_rotation.cpp,
// test_copier.cpp; roles and scopes in test_roles.cpp.
#include <portout/errors.hpp>
#include <portout/service.hpp>
#include <portout/sqlite_store.hpp>

#include "service/audit_chain.hpp"
#include "service/key_ring.hpp"
#include "service_fixture.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

namespace portout {
namespace {

using testing_support::ServiceTest;
using testing_support::error_id_of;
using testing_support::kStart;
using testing_support::run_sql;

TEST_F(ServiceTest, CreatesStoreAndKeyWithOwnerOnlyModes) {
    auto s = open();
    struct stat st {};
    ASSERT_EQ(::stat(db.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600U);
    ASSERT_EQ(::stat(key_path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600U);
    EXPECT_EQ(s->key_id().size(), 16U);
    EXPECT_FALSE(s->store_id().empty());
    EXPECT_TRUE(s->verify_audit().is_valid);
}

// Write transactions of one process queue for the store's writer slot: a second one waits for
// the busy timeout and then gets StoreBusy; the slot is free again once the first commits, on
// whichever thread it commits.
TEST_F(ServiceTest, WritersOfOneProcessQueueForTheWriterSlot) {
    open();  // creates the store
    auto store = SqliteStore::open(db, SqliteStore::Options{.create = false, .busy_timeout_ms = 100});
    auto first = store->begin(TxMode::Write);
    store->begin(TxMode::Read);  // readers never wait for the slot
    try {
        store->begin(TxMode::Write);
        ADD_FAILURE() << "a second writer got in";
    } catch (const ResourceUnavailableError& e) {
        EXPECT_EQ(e.error_id(), "StoreBusy");
    }
    std::thread([&] { first->commit(); }).join();
    auto second = store->begin(TxMode::Write);
    second->commit();
}

// A process forked from one whose worker threads are running has none of them: the service it
// inherited must go away cleanly there, without joining threads that do not exist.
TEST_F(ServiceTest, AForkedChildDropsTheWorkersItInherited) {
    if (std::getenv("PORTOUT_MEMCHECK")) {
        GTEST_SKIP() << "under valgrind the child's inherited worker state is reported lost by design";
    }
    auto s = open(HashProfile::Owasp);
    s->create_tenant("contoso", "Contoso", "US");
    s->set_pin("contoso", "602917");
    EXPECT_TRUE(s->check_pin("contoso", "602917"));  // the worker threads exist now
    const pid_t child = ::fork();
    ASSERT_NE(child, -1);
    if (child == 0) {
        s.reset();
        ::_exit(0);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
    EXPECT_TRUE(s->check_pin("contoso", "602917"));
}

TEST_F(ServiceTest, KeysMustMatchAndAreNeverMadeAnewForExistingData) {
    { open(); }
    const auto other = dir.file("other.key");
    StoreKey::generate().save_new(other);
    try {
        open(HashProfile::Test, other);
        FAIL();
    } catch (const SecurityError& e) {
        EXPECT_EQ(e.error_id(), "KeyMismatch");
    }
    std::filesystem::remove(key_path);
    EXPECT_THROW(open(), ObjectNotFoundError);
    EXPECT_FALSE(std::filesystem::exists(key_path));
}

TEST_F(ServiceTest, TestProfileNeedsOptInAndATestStore) {
    ServiceOptions o;
    o.profile = HashProfile::Test;
    o.clock = clock;
    try {
        PortOutService::open(SqliteStore::open(db), key_path, o);
        FAIL();
    } catch (const InvalidArgumentError& e) {
        EXPECT_EQ(e.error_id(), "TestProfileNotAllowed");
    }
    auto production_db = dir.file("prod.db");
    ServiceOptions prod;
    prod.profile = HashProfile::Interactive;
    { PortOutService::open(SqliteStore::open(production_db), production_db + ".key", prod); }
    o.allow_test_profile = true;
    try {
        PortOutService::open(SqliteStore::open(production_db), production_db + ".key", o);
        FAIL();
    } catch (const SecurityError& e) {
        EXPECT_EQ(e.error_id(), "TestProfileRefused");
    }
}

// A Carrier opened a session with its own ManualClock, moved it past each lock, and found a
// PIN after 2,913 guesses. A clock of the caller's own is taken by a store made for tests only.
TEST_F(ServiceTest, AProductionStoreRefusesACallersClock) {
    const auto production_db = dir.file("prod.db");
    ServiceOptions prod;
    prod.profile = HashProfile::Owasp;
    { PortOutService::open(SqliteStore::open(production_db), production_db + ".key", prod)->create_tenant("contoso", "C", "US"); }
    const auto before = testing_support::digest_of(production_db);
    ServiceOptions carrier;
    carrier.role = Role::Carrier;
    carrier.clock = clock;
    EXPECT_EQ(testing_support::error_id_of([&] { PortOutService::open(SqliteStore::open(production_db), production_db + ".key", carrier); }),
              "ClockNotAllowed");
    EXPECT_EQ(testing_support::digest_of(production_db), before);
    carrier.clock.reset();
    EXPECT_EQ(PortOutService::open(SqliteStore::open(production_db), production_db + ".key", carrier)->role(),
              Role::Carrier);
}

// Any role could change the store's hash profile by opening a session with another one (a
// Carrier set `sensitive`: 2.9 s a check for everyone). Only a StoreAdmin may; the refusal is
// audited and the store keeps its profile.
TEST_F(ServiceTest, OnlyAStoreAdminMakesAnotherProfileTheStores) {
    const auto production_db = dir.file("prod.db");
    const auto key = production_db + ".key";
    ServiceOptions admin;
    admin.profile = HashProfile::Owasp;
    { PortOutService::open(SqliteStore::open(production_db), key, admin); }
    auto profile_of = [&] {
        return testing_support::column_of(production_db, "SELECT value FROM meta WHERE name = 'hash_profile'");
    };
    for (const auto role : {Role::Carrier, Role::TelephonyAdmin, Role::Auditor}) {
        ServiceOptions o;
        o.role = role;
        o.profile = HashProfile::Sensitive;
        EXPECT_EQ(testing_support::error_id_of([&] { PortOutService::open(SqliteStore::open(production_db), key, o); }), "AccessDenied")
            << to_string(role);
        EXPECT_EQ(profile_of(), "owasp");
        o.profile.reset();  // the store's own profile: fine
        EXPECT_NO_THROW(PortOutService::open(SqliteStore::open(production_db), key, o));
    }
    admin.profile = HashProfile::Interactive;
    auto s = PortOutService::open(SqliteStore::open(production_db), key, admin);
    EXPECT_EQ(profile_of(), "interactive");
    AuditQuery q;
    q.event_types = {"AccessDenied", "HashProfileChanged"};
    const auto events = s->audit_events(q);
    ASSERT_EQ(events.size(), 4U);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(events[static_cast<std::size_t>(i)].event_type, "AccessDenied");
    EXPECT_EQ(events[3].event_type, "HashProfileChanged");
}

TEST_F(ServiceTest, ForeignFilesAreRefusedAndLeftAlone) {
    const auto text = dir.file("notes.txt");
    {
        std::ofstream out(text);
        out << std::string(4096, 'x');
    }
    try {
        SqliteStore::open(text);
        FAIL();
    } catch (const InvalidDataError& e) {
        EXPECT_EQ(e.error_id(), "NotAPortOutStore");
    }
    const auto foreign = dir.file("foreign.db");
    sqlite3* raw = nullptr;
    sqlite3_open(foreign.c_str(), &raw);
    sqlite3_exec(raw, "CREATE TABLE t (x); INSERT INTO t VALUES (1)", nullptr, nullptr, nullptr);
    sqlite3_close(raw);
    const auto size = std::filesystem::file_size(foreign);
    EXPECT_THROW(SqliteStore::open(foreign), InvalidDataError);
    EXPECT_EQ(std::filesystem::file_size(foreign), size);
    EXPECT_FALSE(std::filesystem::exists(foreign + "-wal"));
}

TEST_F(ServiceTest, ANewerSchemaIsRefusedUntouched) {
    { open(); }
    sql("PRAGMA user_version = 99");
    try {
        SqliteStore::open(db);
        FAIL();
    } catch (const InvalidOperationError& e) {
        EXPECT_EQ(e.error_id(), "StoreSchemaTooNew");
    }
}

TEST_F(ServiceTest, MissingStoreWithoutCreateIsNotFound) {
    SqliteStore::Options o;
    o.create = false;
    EXPECT_THROW(SqliteStore::open(dir.file("absent.db"), o), ObjectNotFoundError);
    EXPECT_FALSE(std::filesystem::exists(dir.file("absent.db")));
}

TEST_F(ServiceTest, ASecondSessionOpensWhileTheFirstHoldsTheStore) {
    auto first = open();
    first->create_tenant("contoso", "Contoso", "US");
    auto second = open();
    EXPECT_EQ(second->store_id(), first->store_id());
    EXPECT_EQ(second->get_tenant("contoso").display_name, "Contoso");
}

// The audit chain of the store, written again without the events that anchor tenants' state (as
// a portout before version 3 wrote it), with the key, as only portout itself could.
void chain_without_anchors(const std::string& db, const std::string& key_path) {
    std::vector<AuditRecord> events;
    std::string store_id, sealed;
    {
        auto store = SqliteStore::open(db);
        auto tx = store->begin(TxMode::Read);
        store_id = tx->meta("store_id").value_or("");
        sealed = tx->meta(KeyRing::kMetaAuditKey).value_or("");
        events = tx->audit_events({});
    }
    run_sql(db, "DELETE FROM audit_events; DELETE FROM meta WHERE name = 'audit_head'");
    KeyRing keys(StoreKey::load(key_path), [](const std::string& p) { return StoreKey::load(p); }, db);
    const AuditChain chain(keys.open_audit_key(sealed, store_id), store_id);
    auto store = SqliteStore::open(db);
    auto tx = store->begin(TxMode::Write);
    for (auto& e : events) e.state_mac.clear();
    chain.append(*tx, events, "admin@contoso.com", kStart);
    tx->commit();
}

TEST_F(ServiceTest, AVersionOneStoreIsMigratedWithItsData) {
    {
        auto s = open();
        s->create_tenant("contoso", "Contoso", "US");
        s->set_pin("contoso", "602917");
    }
    // Take the file back to schema one, as an older portout left it.
    chain_without_anchors(db, key_path);
    sql("DROP TABLE phone_numbers; DROP TABLE orders; DROP TABLE order_numbers; "
        "DROP TABLE notifications; DROP TABLE notification_consumers; DROP TABLE notification_acks; "
        "ALTER TABLE tenants DROP COLUMN frozen; DROP INDEX audit_events_state; "
        "ALTER TABLE audit_events DROP COLUMN state_mac; DROP TABLE order_steps; DROP INDEX tenants_by_account; "
        "DROP TABLE principals; DROP TABLE auth_throttle; DROP TABLE subscriptions; DROP TABLE deliveries; "
        "DROP TABLE delivery_attempts; DROP TABLE web_sessions; "
        "ALTER TABLE tenants DROP COLUMN account_number; ALTER TABLE tenants DROP COLUMN service_zip; "
        "ALTER TABLE tenants DROP COLUMN authorized_name; ALTER TABLE tenants DROP COLUMN time_zone; "
        "ALTER TABLE tenants DROP COLUMN carrier_attempts; ALTER TABLE policies DROP COLUMN tenant_max_failures; "
        "ALTER TABLE policies DROP COLUMN failure_window_ms; ALTER TABLE policies DROP COLUMN review_window_ms; "
        "ALTER TABLE policies DROP COLUMN review_deadline_action; "
        "ALTER TABLE policies DROP COLUMN min_foc_business_days; ALTER TABLE policies DROP COLUMN max_foc_days; "
        "ALTER TABLE policies DROP COLUMN cancel_cutoff_ms; ALTER TABLE policies DROP COLUMN holidays; "
        "DELETE FROM meta WHERE name = 'account_numbers'; PRAGMA user_version = 1");
    auto s = open();
    // A tenant made before account numbers gets one at the upgrade, once, audited.
    const auto account = s->get_tenant("contoso").account_number;
    EXPECT_EQ(account.size(), 12U);
    EXPECT_EQ(column("SELECT count(*) FROM audit_events WHERE event_type = 'AccountNumbersAssigned'"), "1");
    EXPECT_TRUE(s->check_pin("contoso", "602917"));
    EXPECT_FALSE(s->get_tenant("contoso").port_out_frozen);
    s->add_number("contoso", "+1 425 555 0100");
    EXPECT_EQ(s->list_numbers("contoso", "", 10).size(), 1U);
    EXPECT_TRUE(s->verify_audit().is_valid);
    // The state found at the upgrade is anchored once (the default policy and the tenant), and
    // checked from then on.
    EXPECT_EQ(column("SELECT count(*) FROM audit_events WHERE event_type = 'SecurityStateAnchored'"), "2");
    s.reset();
    sql("UPDATE tenants SET failed_attempts = 0, frozen = 1 WHERE tenant_id = 'contoso'");
    s = open();
    EXPECT_EQ(column("SELECT count(*) FROM audit_events WHERE event_type = 'SecurityStateAnchored'"), "2")
        << "anchored once only";
    EXPECT_EQ(column("SELECT count(*) FROM audit_events WHERE event_type = 'AccountNumbersAssigned'"), "1");
    EXPECT_EQ(error_id_of([&] { s->get_tenant("contoso"); }), "StoreTampered");
}

}  // namespace
}  // namespace portout
