#include <portout/errors.hpp>
#include <portout/service.hpp>
#include <portout/sqlite_store.hpp>

#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <thread>

namespace portout {
namespace {

using testing_support::TempDir;

constexpr Millis kStart = 1'790'000'000'000;  // a fixed moment in 2026
constexpr Millis kMinute = 60'000;

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
    void sql(const std::string& statement) {
        sqlite3* raw = nullptr;
        ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
        char* err = nullptr;
        const int rc = sqlite3_exec(raw, statement.c_str(), nullptr, nullptr, &err);
        std::string msg = err ? err : "";
        sqlite3_free(err);
        sqlite3_close(raw);
        ASSERT_EQ(rc, SQLITE_OK) << msg;
    }

    TempDir dir;
    std::string db = dir.file("store.db");
    std::string key_path = dir.file("store.key");
    std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(kStart);
};

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

TEST_F(ServiceTest, TenantsAreCreatedReadRenamedListedAndRemoved) {
    auto s = open();
    const auto t = s->create_tenant("Contoso.com", "Contoso", "us");
    EXPECT_EQ(t.tenant_id, "contoso.com");
    EXPECT_EQ(t.country, "US");
    EXPECT_EQ(t.created_at, kStart);
    EXPECT_FALSE(t.pin_is_set);
    EXPECT_THROW(s->create_tenant("contoso.com", "Again", "US"), ResourceExistsError);
    s->create_tenant("fabrikam", "Fabrikam", "CA");
    clock->advance_ms(kMinute);
    const auto renamed = s->update_tenant("contoso.com", "Contoso Ltd", std::nullopt);
    EXPECT_EQ(renamed.display_name, "Contoso Ltd");
    EXPECT_EQ(renamed.modified_at, kStart + kMinute);
    const auto page = s->list_tenants("", 1);
    ASSERT_EQ(page.size(), 1U);
    EXPECT_EQ(page[0].tenant_id, "contoso.com");
    EXPECT_EQ(s->list_tenants("contoso.com", 10).at(0).tenant_id, "fabrikam");
    s->remove_tenant("fabrikam");
    EXPECT_THROW(s->get_tenant("fabrikam"), ObjectNotFoundError);
    EXPECT_THROW(s->remove_tenant("fabrikam"), ObjectNotFoundError);
    AuditQuery q;
    q.tenant_ids = {"fabrikam"};
    const auto history = s->audit_events(q);
    ASSERT_EQ(history.size(), 2U);  // the removed tenant's history stays
    EXPECT_EQ(history[1].event_type, "TenantRemoved");
}

TEST_F(ServiceTest, PinIsSetChangedNeverClearedAndUsOnly) {
    auto s = open();
    s->create_tenant("contoso", "Contoso", "US");
    s->create_tenant("fabrikam", "Fabrikam", "GB");
    EXPECT_FALSE(s->pin_status("contoso").pin_is_set);
    auto st = s->set_pin("contoso", "602917");
    EXPECT_TRUE(st.pin_is_set);
    EXPECT_EQ(st.pin_set_at, kStart);
    EXPECT_EQ(st.last_modified_by, "admin@contoso.com");
    clock->advance_ms(kMinute);
    try {
        s->set_pin("contoso", "602917");
        FAIL() << "same PIN accepted";
    } catch (const PinPolicyError& e) {
        ASSERT_EQ(e.violations().size(), 1U);
        EXPECT_EQ(e.violations()[0].rule, PinRule::SameAsCurrent);
    }
    st = s->set_pin("contoso", "481605");
    EXPECT_EQ(st.pin_set_at, kStart);
    EXPECT_EQ(st.last_modified_at, kStart + kMinute);
    EXPECT_THROW(s->set_pin("contoso", ""), PinPolicyError);
    EXPECT_THROW(s->set_pin("contoso", "123456"), PinPolicyError);
    try {
        s->set_pin("fabrikam", "602917");
        FAIL() << "PIN set outside the US";
    } catch (const InvalidOperationError& e) {
        EXPECT_EQ(e.error_id(), "PinNotAvailableOutsideUS");
        EXPECT_EQ(e.target(), "fabrikam");
    }
    EXPECT_THROW(s->set_pin("nobody", "602917"), ObjectNotFoundError);
    EXPECT_TRUE(s->check_pin("contoso", "481605"));
    EXPECT_FALSE(s->check_pin("contoso", "602917"));
}

TEST_F(ServiceTest, EveryWrongAnswerLooksTheSame) {
    auto s = open();
    s->create_tenant("contoso", "Contoso", "US");
    s->create_tenant("nopin", "No PIN", "US");
    s->create_tenant("fabrikam", "Fabrikam", "GB");
    s->set_pin("contoso", "602917");
    EXPECT_FALSE(s->check_pin("contoso", "602918"));
    EXPECT_FALSE(s->check_pin("nopin", "602917"));
    EXPECT_FALSE(s->check_pin("unknown", "602917"));
    EXPECT_FALSE(s->check_pin("fabrikam", "602917"));
    EXPECT_EQ(s->pin_status("contoso").last_check_result, "WrongPin");
    EXPECT_EQ(s->pin_status("nopin").last_check_result, "PinNotSet");
    EXPECT_EQ(s->pin_status("fabrikam").last_check_result, "NotInUS");
    AuditQuery q;
    q.tenant_ids = {"unknown"};
    const auto events = s->audit_events(q);
    ASSERT_EQ(events.size(), 2U);
    EXPECT_EQ(events[0].reason, "UnknownTenant");
    EXPECT_EQ(events[1].outcome, "Failure");
}

TEST_F(ServiceTest, FiveWrongPinsLockForFifteenMinutesThenDouble) {
    auto s = open();
    s->create_tenant("contoso", "Contoso", "US");
    s->set_pin("contoso", "602917");
    for (int i = 1; i <= 4; ++i) {
        EXPECT_FALSE(s->check_pin("contoso", "000001"));
        EXPECT_EQ(s->pin_status("contoso").failed_attempt_count, i);
        EXPECT_FALSE(s->pin_status("contoso").locked_until);
    }
    EXPECT_FALSE(s->check_pin("contoso", "000001"));
    EXPECT_EQ(s->pin_status("contoso").locked_until, kStart + 15 * kMinute);
    EXPECT_FALSE(s->check_pin("contoso", "602917")) << "the right PIN while locked";
    EXPECT_EQ(s->pin_status("contoso").failed_attempt_count, 5);
    EXPECT_EQ(s->pin_status("contoso").last_check_result, "Locked");

    clock->advance_ms(15 * kMinute);  // the lock runs out: five more tries, then thirty minutes
    EXPECT_FALSE(s->pin_status("contoso").locked_until);
    for (int i = 0; i < 5; ++i) EXPECT_FALSE(s->check_pin("contoso", "000001"));
    EXPECT_EQ(s->pin_status("contoso").locked_until, kStart + 15 * kMinute + 30 * kMinute);
    clock->advance_ms(30 * kMinute);
    for (int i = 0; i < 5; ++i) EXPECT_FALSE(s->check_pin("contoso", "000001"));
    EXPECT_EQ(s->pin_status("contoso").locked_until, kStart + 45 * kMinute + 60 * kMinute);
    EXPECT_EQ(s->pin_status("contoso").lockout_count, 3);

    s->unlock_pin("contoso");
    EXPECT_EQ(s->pin_status("contoso").failed_attempt_count, 0);
    EXPECT_TRUE(s->check_pin("contoso", "602917"));
    AuditQuery q;
    q.event_types = {"PinLockedOut"};
    EXPECT_EQ(s->audit_events(q).size(), 3U);
}

// At a real profile the attempt's commit runs on a worker while the caller verifies the PIN
// against the record it read first: the answers, the counting and the one Argon2id computation
// per call are those of the test profile's one-after-the-other path.
TEST_F(ServiceTest, ChecksAtARealProfileCountVerifyAndRefuseAlike) {
    auto s = open(HashProfile::Owasp);
    s->create_tenant("contoso", "Contoso", "US");
    s->create_tenant("nopin", "No PIN", "US");
    s->create_tenant("fabrikam", "Fabrikam", "GB");
    s->set_pin("contoso", "602917");
    const auto one_hash = [](auto&& call) {
        const auto before = argon2_computations();
        const bool answer = call();
        EXPECT_EQ(argon2_computations() - before, 1U);
        return answer;
    };
    EXPECT_TRUE(one_hash([&] { return s->check_pin("contoso", "602917"); }));
    EXPECT_EQ(s->pin_status("contoso").last_check_result, "Accepted");
    for (int i = 1; i <= 4; ++i) {
        EXPECT_FALSE(one_hash([&] { return s->check_pin("contoso", "000001"); }));
        EXPECT_EQ(s->pin_status("contoso").failed_attempt_count, i);
    }
    EXPECT_FALSE(one_hash([&] { return s->check_pin("contoso", "000001"); }));
    EXPECT_TRUE(s->pin_status("contoso").locked_until);
    EXPECT_FALSE(one_hash([&] { return s->check_pin("contoso", "602917"); })) << "right PIN, locked";
    EXPECT_EQ(s->pin_status("contoso").last_check_result, "Locked");
    EXPECT_FALSE(one_hash([&] { return s->check_pin("nobody", "602917"); }));
    EXPECT_FALSE(one_hash([&] { return s->check_pin("nopin", "602917"); }));
    EXPECT_FALSE(one_hash([&] { return s->check_pin("fabrikam", "602917"); }));
    s->unlock_pin("contoso");
    s->set_pin("contoso", "481605");  // the record changes: the next check verifies the new one
    EXPECT_FALSE(one_hash([&] { return s->check_pin("contoso", "602917"); }));
    EXPECT_TRUE(one_hash([&] { return s->check_pin("contoso", "481605"); }));

    s->add_number("contoso", "+1 425 555 0100");
    EXPECT_EQ(s->submit_order("contoso", {"+14255550100"}, "000001", "Carrier A", std::nullopt).reason,
              "PinNotAccepted");
    const auto order = s->submit_order("contoso", {"+14255550100"}, "481605", "Carrier A", std::nullopt);
    EXPECT_EQ(order.status, "Submitted");
    s->cancel_order(order.order_id);
    s->set_freeze("contoso", true);
    const auto before = argon2_computations();
    EXPECT_EQ(s->submit_order("contoso", {"+14255550100"}, "481605", "Carrier A", std::nullopt).reason,
              "PortOutFrozen");
    EXPECT_EQ(argon2_computations(), before) << "a frozen tenant's PIN is not looked at";
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

TEST_F(ServiceTest, LockDoublingStopsAtTheCap) {
    auto s = open();
    s->create_tenant("contoso", "Contoso", "US");
    s->set_pin("contoso", "602917");
    PolicyChange c;
    c.max_failed_attempts = 1;
    c.lockout_ms = 10 * 60 * kMinute;  // ten hours
    s->set_policy(std::nullopt, c);
    EXPECT_FALSE(s->check_pin("contoso", "000001"));
    EXPECT_EQ(s->pin_status("contoso").locked_until, clock->now_ms() + 10 * 60 * kMinute);
    clock->advance_ms(10 * 60 * kMinute);
    EXPECT_FALSE(s->check_pin("contoso", "000001"));
    EXPECT_EQ(s->pin_status("contoso").locked_until, clock->now_ms() + 20 * 60 * kMinute);
    clock->advance_ms(20 * 60 * kMinute);
    EXPECT_FALSE(s->check_pin("contoso", "000001"));
    EXPECT_EQ(s->pin_status("contoso").locked_until, clock->now_ms() + 24 * 60 * kMinute);
}

TEST_F(ServiceTest, SuccessResetsTheCount) {
    auto s = open();
    s->create_tenant("contoso", "Contoso", "US");
    s->set_pin("contoso", "602917");
    for (int i = 0; i < 4; ++i) s->check_pin("contoso", "000001");
    EXPECT_TRUE(s->check_pin("contoso", "602917"));
    EXPECT_EQ(s->pin_status("contoso").failed_attempt_count, 0);
    EXPECT_EQ(s->pin_status("contoso").last_check_result, "Accepted");
}

TEST_F(ServiceTest, ThreadsSpendExactlyTheThreshold) {
    auto s = open();
    s->create_tenant("contoso", "Contoso", "US");
    s->set_pin("contoso", "602917");
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 25; ++i) s->check_pin("contoso", "000001");
        });
    }
    for (auto& t : threads) t.join();
    AuditQuery q;
    q.event_types = {"PinCheckAttempt"};
    q.limit = 1000;
    int counted = 0;
    for (const auto& e : s->audit_events(q)) counted += e.outcome == "Counted";
    EXPECT_EQ(counted, 5);
    EXPECT_TRUE(s->verify_audit().is_valid);
}

TEST_F(ServiceTest, PoliciesHaveStoreDefaultsAndTenantOverrides) {
    auto s = open();
    s->create_tenant("contoso", "Contoso", "US");
    const auto base = s->get_policy(std::nullopt);
    EXPECT_EQ(base.pin_policy.min_length(), 6);
    EXPECT_EQ(base.max_failed_attempts, 5);
    EXPECT_EQ(base.lockout_ms, 15 * kMinute);
    PolicyChange c;
    c.min_length = 8;
    const auto own = s->set_policy("contoso", c);
    EXPECT_EQ(own.pin_policy.min_length(), 8);
    EXPECT_EQ(own.overridden, std::vector<std::string>{"MinimumLength"});
    EXPECT_THROW(s->set_pin("contoso", "6029171"), PinPolicyError);
    PolicyChange d;
    d.max_length = 9;
    s->set_policy(std::nullopt, d);
    EXPECT_EQ(s->get_policy("contoso").pin_policy.max_length(), 9);  // inherited
    EXPECT_EQ(s->reset_policy("contoso").pin_policy.min_length(), 6);
    PolicyChange bad;
    bad.min_length = 10;  // above the maximum of nine
    EXPECT_THROW(s->set_policy(std::nullopt, bad), InvalidArgumentError);
    EXPECT_EQ(s->get_policy(std::nullopt).pin_policy.min_length(), 6) << "a refused change kept";
    PolicyChange attempts;
    attempts.max_failed_attempts = 0;
    EXPECT_THROW(s->set_policy(std::nullopt, attempts), InvalidArgumentError);
    EXPECT_THROW(s->get_policy("nobody"), ObjectNotFoundError);
}

// The seed: a port-out PIN has 6 to 10 digits. A policy narrows that, never widens it: the
// reported case set 4..15 as a TelephonyAdmin, then a 4-digit PIN, which a carrier's order took.
TEST_F(ServiceTest, PoliciesStayWithinTheSeedsSixToTenDigits) {
    auto s = open();
    s->create_tenant("contoso", "Contoso", "US");
    s->set_pin("contoso", "602917");
    for (const auto& [min, max] : std::vector<std::pair<std::optional<int>, std::optional<int>>>{
             {4, std::nullopt}, {5, std::nullopt}, {std::nullopt, 11}, {std::nullopt, 15}, {4, 15}, {11, 12}}) {
        PolicyChange c;
        c.min_length = min;
        c.max_length = max;
        for (const std::optional<std::string>& scope : {std::optional<std::string>("contoso"),
                                                       std::optional<std::string>()}) {
            const auto before = s->audit_events({}).size();
            try {
                s->set_policy(scope, c);
                ADD_FAILURE() << "a policy of " << min.value_or(0) << ".." << max.value_or(0) << " was taken";
            } catch (const InvalidArgumentError& e) {
                EXPECT_EQ(e.error_id(), "PinLengthOutsideSeed");
                EXPECT_NE(std::string(e.what()).find("6 to 10 digits"), std::string::npos) << e.what();
            }
            EXPECT_EQ(s->audit_events({}).size(), before) << "a refused policy was recorded";
        }
    }
    EXPECT_EQ(s->get_policy("contoso").pin_policy.min_length(), 6);
    EXPECT_EQ(s->get_policy("contoso").pin_policy.max_length(), 10);
    PolicyChange narrow;
    narrow.min_length = 8;
    narrow.max_length = 10;
    EXPECT_EQ(s->set_policy("contoso", narrow).pin_policy.min_length(), 8);
    // A policy widened in the database itself is held to the seed all the same.
    s.reset();
    sql("UPDATE policies SET min_length = 4, max_length = 15");
    s = open();
    EXPECT_EQ(s->get_policy("contoso").pin_policy.min_length(), 6);
    EXPECT_EQ(s->get_policy("contoso").pin_policy.max_length(), 10);
    EXPECT_THROW(s->set_pin("contoso", "1357"), PinPolicyError);
    EXPECT_THROW(s->set_pin("contoso", "13572468024"), PinPolicyError);
}

TEST_F(ServiceTest, AuditChainDetectsEditsDeletionsInsertionsAndSwaps) {
    {
        auto s = open();
        s->create_tenant("contoso", "Contoso", "US");
        s->set_pin("contoso", "602917");
        s->check_pin("contoso", "000001");
        s->check_pin("contoso", "602917");
        const auto v = s->verify_audit();
        EXPECT_TRUE(v.is_valid);
        EXPECT_EQ(v.event_count, 7);
    }
    const std::string backup = dir.file("backup.db");
    std::filesystem::copy_file(db, backup);
    auto restore = [&] {
        std::filesystem::copy_file(backup, db, std::filesystem::copy_options::overwrite_existing);
        std::filesystem::remove(db + "-wal");
        std::filesystem::remove(db + "-shm");
    };
    struct Tamper {
        std::string sql;
        std::int64_t first_broken;
        std::string problem;
    };
    for (const auto& t : std::vector<Tamper>{
             {"UPDATE audit_events SET outcome = 'Success' WHERE event_id = 4", 4, "Edited"},
             {"UPDATE audit_events SET occurred_at = occurred_at + 1 WHERE event_id = 3", 3, "Edited"},
             {"DELETE FROM audit_events WHERE event_id = 3", 3, "Deleted"},
             {"DELETE FROM audit_events WHERE event_id = 7", 7, "Deleted"},
             {"DELETE FROM audit_events WHERE event_id = 3; UPDATE audit_events SET event_id = event_id - 1 WHERE event_id > 3",
              3, "Deleted"},
             {"UPDATE audit_events SET event_id = -event_id WHERE event_id IN (3, 4); "
              "UPDATE audit_events SET event_id = 4 WHERE event_id = -3; "
              "UPDATE audit_events SET event_id = 3 WHERE event_id = -4",
              3, "Reordered"},
             {"INSERT INTO audit_events SELECT 8, occurred_at, event_type, tenant_id, actor, outcome, "
              "reason, details, prev_mac, mac FROM audit_events WHERE event_id = 5",
              8, "Inserted"},
             {"UPDATE meta SET value = zeroblob(72) WHERE name = 'audit_head'", 0, "HeadAltered"},
         }) {
        restore();
        sql(t.sql);
        auto s = open();
        const auto v = s->verify_audit();
        EXPECT_FALSE(v.is_valid) << t.sql;
        EXPECT_EQ(v.problem, t.problem) << t.sql;
        if (t.first_broken) {
            EXPECT_EQ(v.first_broken_event_id, t.first_broken) << t.sql;
        }
    }
}

TEST_F(ServiceTest, StoredBytesHoldNeitherPinNorItsHash) {
    {
        auto s = open(HashProfile::Test);
        s->create_tenant("contoso", "Contoso", "US");
        s->set_pin("contoso", "602917");
        s->check_pin("contoso", "602917");
        s->check_pin("contoso", "602918");
    }
    for (const auto& name : {db, db + "-wal"}) {
        if (!std::filesystem::exists(name)) continue;
        std::ifstream in(name, std::ios::binary);
        const std::string bytes{std::istreambuf_iterator<char>(in), {}};
        EXPECT_EQ(bytes.find("602917"), std::string::npos) << name;
        EXPECT_EQ(bytes.find("602918"), std::string::npos) << name;
        EXPECT_EQ(bytes.find("argon2id"), std::string::npos) << name;
    }
}

TEST_F(ServiceTest, APinRecordMovedToAnotherTenantDoesNotOpen) {
    {
        auto s = open();
        s->create_tenant("contoso", "Contoso", "US");
        s->create_tenant("fabrikam", "Fabrikam", "US");
        s->set_pin("contoso", "602917");
        s->set_pin("fabrikam", "481605");
    }
    sql("UPDATE tenants SET pin_record = (SELECT pin_record FROM tenants WHERE tenant_id = 'contoso') "
        "WHERE tenant_id = 'fabrikam'");
    auto s = open();
    EXPECT_THROW(s->check_pin("fabrikam", "602917"), InvalidDataError);
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
    prod.clock = clock;
    { PortOutService::open(SqliteStore::open(production_db), production_db + ".key", prod); }
    o.allow_test_profile = true;
    try {
        PortOutService::open(SqliteStore::open(production_db), production_db + ".key", o);
        FAIL();
    } catch (const SecurityError& e) {
        EXPECT_EQ(e.error_id(), "TestProfileRefused");
    }
}

TEST_F(ServiceTest, WeakerHashesAreUpgradedOnSuccess) {
    {
        auto s = open(HashProfile::Test);
        s->create_tenant("contoso", "Contoso", "US");
        s->set_pin("contoso", "602917");
    }
    auto s = open(HashProfile::Interactive);
    EXPECT_TRUE(s->check_pin("contoso", "602917"));
    AuditQuery q;
    q.event_types = {"PinCheck"};
    const auto events = s->audit_events(q);
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(events.back().details, "rehashed=interactive");
    EXPECT_TRUE(s->check_pin("contoso", "602917"));
    EXPECT_EQ(s->audit_events(q).back().details, "");
}

TEST_F(ServiceTest, KeyRotationResealsEverythingAndCanResume) {
    const auto new_key = dir.file("new.key");
    {
        auto s = open();
        for (int i = 0; i < 25; ++i) {
            const auto id = "tenant" + std::to_string(i);
            s->create_tenant(id, "Tenant", "US");
            s->set_pin(id, "6029" + std::to_string(10 + i));
        }
        int batches = 0;
        // A crash in the middle: the progress hook throws after two batches.
        EXPECT_THROW(s->rotate_key(new_key, 10,
                                   [&](const RotationProgress&) {
                                       if (++batches == 2) throw std::runtime_error("killed");
                                   }),
                     std::runtime_error);
    }
    // Reopened with the old key: records already moved still open, through the pending key.
    auto s = open();
    EXPECT_TRUE(s->check_pin("tenant0", "602910"));
    EXPECT_TRUE(s->check_pin("tenant24", "602934"));
    const auto report = s->rotate_key(new_key, 10);
    EXPECT_TRUE(report.resumed);
    EXPECT_EQ(report.records_rotated, 5);
    EXPECT_NE(report.new_key_id, report.old_key_id);
    EXPECT_EQ(s->key_id(), report.new_key_id);
    EXPECT_TRUE(s->verify_audit().is_valid);
    s.reset();
    EXPECT_THROW(open(), SecurityError);  // the old key no longer opens the store
    auto again = open(HashProfile::Test, new_key);
    for (int i = 0; i < 25; ++i) {
        EXPECT_TRUE(again->check_pin("tenant" + std::to_string(i), "6029" + std::to_string(10 + i)));
    }
    EXPECT_TRUE(again->verify_audit().is_valid);
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

}  // namespace
}  // namespace portout

namespace portout {
namespace {

TEST_F(ServiceTest, ASecondSessionOpensWhileTheFirstHoldsTheStore) {
    auto first = open();
    first->create_tenant("contoso", "Contoso", "US");
    auto second = open();
    EXPECT_EQ(second->store_id(), first->store_id());
    EXPECT_EQ(second->get_tenant("contoso").display_name, "Contoso");
}

}  // namespace
}  // namespace portout

namespace portout {
namespace {

class RoleTest : public ServiceTest {
protected:
    std::unique_ptr<PortOutService> as(Role role, std::vector<std::string> scope = {},
                                       int busy_timeout_ms = 30000) {
        ServiceOptions o;
        o.profile = HashProfile::Test;
        o.allow_test_profile = true;
        o.clock = clock;
        o.actor = std::string(to_string(role)) + "@example";
        o.role = role;
        o.tenant_scope = std::move(scope);
        SqliteStore::Options store_options;
        store_options.busy_timeout_ms = busy_timeout_ms;
        return PortOutService::open(SqliteStore::open(db, store_options), key_path, o);
    }
    void SetUp() override {
        auto admin = open();
        admin->create_tenant("contoso", "Contoso", "US");
        admin->create_tenant("fabrikam", "Fabrikam", "US");
        admin->set_pin("contoso", "602917");
        admin->set_pin("fabrikam", "602917");
    }
    static bool allowed(const std::function<void()>& call) {
        try {
            call();
            return true;
        } catch (const PermissionDeniedError& e) {
            EXPECT_EQ(e.error_id(), "AccessDenied");
            return false;
        }
    }
};

TEST_F(RoleTest, EachRoleDoesWhatItMayAndNothingElse) {
    struct Call {
        const char* name;
        std::function<void(PortOutService&)> run;
    };
    const std::vector<Call> calls = {
        {"CreateTenant", [](PortOutService& s) { s.create_tenant("northwind", "Northwind", "US"); }},
        {"ReadTenant", [](PortOutService& s) { s.get_tenant("contoso"); }},
        {"UpdateTenant", [](PortOutService& s) { s.update_tenant("contoso", "Contoso 2", std::nullopt); }},
        {"SetPin", [](PortOutService& s) { s.set_pin("contoso", "481605"); }},
        {"ReadPinStatus", [](PortOutService& s) { s.pin_status("contoso"); }},
        {"CheckPin", [](PortOutService& s) { s.check_pin("contoso", "000001"); }},
        {"UnlockPin", [](PortOutService& s) { s.unlock_pin("contoso"); }},
        {"ReadPolicy", [](PortOutService& s) { s.get_policy("contoso"); }},
        {"SetPolicy", [](PortOutService& s) { PolicyChange c; c.min_length = 7; s.set_policy("contoso", c); }},
        {"SetDefaultPolicy", [](PortOutService& s) { PolicyChange c; c.min_length = 6; s.set_policy(std::nullopt, c); }},
        {"TestPolicy", [](PortOutService& s) { s.test_pin_policy("contoso", "602917"); }},
        {"ReadAudit", [](PortOutService& s) { s.audit_events({}); }},
        {"VerifyAudit", [](PortOutService& s) { s.verify_audit(); }},
        {"RotateKey", [](PortOutService& s) { s.rotate_key(s.store().location() + ".rotated.key"); }},
        {"RemoveTenant", [](PortOutService& s) { s.remove_tenant("fabrikam"); }},
    };
    const std::map<Role, std::set<std::string>> expected = {
        {Role::StoreAdmin, {"CreateTenant", "ReadTenant", "UpdateTenant", "SetPin", "ReadPinStatus",
                            "CheckPin", "UnlockPin", "ReadPolicy", "SetPolicy", "SetDefaultPolicy",
                            "TestPolicy", "ReadAudit", "VerifyAudit", "RotateKey", "RemoveTenant"}},
        {Role::TelephonyAdmin, {"ReadTenant", "SetPin", "ReadPinStatus", "CheckPin", "ReadPolicy",
                                "SetPolicy", "TestPolicy", "ReadAudit"}},
        {Role::Auditor, {"ReadTenant", "ReadPinStatus", "ReadPolicy", "TestPolicy", "ReadAudit", "VerifyAudit"}},
        {Role::Carrier, {}},
    };
    for (auto role : {Role::Carrier, Role::Auditor, Role::TelephonyAdmin}) {
        for (const auto& call : calls) {
            auto s = as(role);
            const bool ok = allowed([&] { call.run(*s); });
            EXPECT_EQ(ok, expected.at(role).contains(call.name)) << to_string(role) << " " << call.name;
        }
    }
}

TEST_F(RoleTest, ScopeKeepsATelephonyAdminToItsTenants) {
    auto s = as(Role::TelephonyAdmin, {"Contoso"});
    EXPECT_NO_THROW(s->set_pin("contoso", "481605"));
    EXPECT_FALSE(allowed([&] { s->set_pin("fabrikam", "481605"); }));
    EXPECT_FALSE(allowed([&] { s->pin_status("fabrikam"); }));
    EXPECT_FALSE(allowed([&] { s->check_pin("nobody", "602917"); }));
    const auto tenants = s->list_tenants("", 100);
    ASSERT_EQ(tenants.size(), 1U);
    EXPECT_EQ(tenants[0].tenant_id, "contoso");
    for (const auto& e : s->audit_events({})) EXPECT_EQ(e.tenant_id, "contoso");
    auto admin = open();
    EXPECT_TRUE(admin->check_pin("fabrikam", "602917")) << "the denied change changed nothing";
    AuditQuery q;
    q.event_types = {"AccessDenied"};
    const auto denied = admin->audit_events(q);
    ASSERT_EQ(denied.size(), 3U);
    EXPECT_EQ(denied[0].actor, "TelephonyAdmin@example");
    EXPECT_EQ(denied[0].reason, "SetPin");
    EXPECT_EQ(denied[0].tenant_id, "fabrikam");
}

// The reported hang: the refusal was recorded in a second write transaction beside the
// caller's, which waited for the caller's own writer slot until the busy timeout (30 s), then
// answered StoreBusy, and the refusal was never recorded. Now: AccessDenied at once, recorded
// once, and the store free for the next writer.
TEST_F(RoleTest, AScopedAdminsRefusedOrderChangeAnswersAtOnceAndIsAuditedOnce) {
    auto admin = open();
    admin->add_number("fabrikam", "+1 425 555 0100");
    const auto order = admin->submit_order("fabrikam", {"+14255550100"}, "602917", "Carrier A", std::nullopt);
    ASSERT_EQ(order.status, "Submitted");
    // A short busy timeout: the old code answered StoreBusy after it.
    auto telephony = as(Role::TelephonyAdmin, {"contoso"}, 2000);
    auto store_admin = as(Role::StoreAdmin, {"contoso"}, 2000);
    struct Attempt {
        PortOutService* session;
        std::string reason;
        std::function<void(PortOutService&)> call;
    };
    const std::vector<Attempt> attempts = {
        {telephony.get(), "CancelOrder", [&](PortOutService& s) { s.cancel_order(order.order_id); }},
        {store_admin.get(), "CancelOrder", [&](PortOutService& s) { s.cancel_order(order.order_id); }},
        {store_admin.get(), "ManageOrder",
         [&](PortOutService& s) { s.confirm_order(order.order_id, kStart + 3 * 24 * 60 * kMinute); }},
        {store_admin.get(), "ManageOrder", [&](PortOutService& s) { s.complete_order(order.order_id); }},
    };
    for (const auto& a : attempts) {
        AuditQuery q;
        q.event_types = {"AccessDenied"};
        const auto before = admin->audit_events(q).size();
        try {
            a.call(*a.session);
            ADD_FAILURE() << a.reason << " of another tenant's order was allowed";
        } catch (const PermissionDeniedError& e) {
            EXPECT_EQ(e.error_id(), "AccessDenied") << a.reason;
        }
        const auto denied = admin->audit_events(q);
        ASSERT_EQ(denied.size(), before + 1) << a.reason << ": the refusal is recorded exactly once";
        EXPECT_EQ(denied.back().tenant_id, "fabrikam");
        EXPECT_EQ(denied.back().actor, a.session->actor());
        EXPECT_EQ(denied.back().reason, a.reason);
        // The session's own writes go on.
        EXPECT_NO_THROW(a.session->set_pin("contoso", "48160" + std::to_string(before)));
    }
    EXPECT_EQ(admin->get_order(order.order_id).status, "Submitted") << "the refused change changed the order";
    EXPECT_TRUE(admin->verify_audit().is_valid);
}

TEST_F(RoleTest, ScopedAdminsCannotMakeStoreWideChanges) {
    auto s = as(Role::StoreAdmin, {"contoso"});
    EXPECT_NO_THROW(s->unlock_pin("contoso"));
    EXPECT_FALSE(allowed([&] { PolicyChange c; c.min_length = 8; s->set_policy(std::nullopt, c); }));
    EXPECT_FALSE(allowed([&] { s->create_tenant("northwind", "Northwind", "US"); }));
    EXPECT_FALSE(allowed([&] { s->rotate_key(dir.file("x.key")); }));
}

}  // namespace
}  // namespace portout

namespace portout {
namespace {

TEST_F(ServiceTest, AVersionOneStoreIsMigratedWithItsData) {
    {
        auto s = open();
        s->create_tenant("contoso", "Contoso", "US");
        s->set_pin("contoso", "602917");
    }
    // Take the file back to schema one, as an older portout left it.
    sql("DROP TABLE phone_numbers; DROP TABLE orders; DROP TABLE order_numbers; "
        "DROP TABLE notifications; DROP TABLE notification_consumers; DROP TABLE notification_acks; "
        "ALTER TABLE tenants DROP COLUMN frozen; PRAGMA user_version = 1");
    auto s = open();
    EXPECT_TRUE(s->check_pin("contoso", "602917"));
    EXPECT_FALSE(s->get_tenant("contoso").port_out_frozen);
    s->add_number("contoso", "+1 425 555 0100");
    EXPECT_EQ(s->list_numbers("contoso", "", 10).size(), 1U);
    EXPECT_TRUE(s->verify_audit().is_valid);
}

}  // namespace
}  // namespace portout
