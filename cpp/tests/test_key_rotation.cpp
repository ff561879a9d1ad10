// Key files and key rotation: a key is never read from the store's own files; a rotation
// re-seals every PIN record in batches, resumes after a crash, switches the store over at once,
// and keeps the audit chain whole across it.
#include "service/key_rotation.hpp"

#include <portout/errors.hpp>
#include <portout/service.hpp>
#include <portout/sqlite_store.hpp>

#include "service_fixture.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace portout {
namespace {

using testing_support::error_id_of;
using testing_support::ServiceTest;

TEST_F(ServiceTest, KeyRotationResealsEverythingAndCanResume) {
    const auto new_key = dir.file("new.key");
    {
        auto s = open();
        for (int i = 0; i < 25; ++i) {
            const auto id = "tenant" + std::to_string(i);
            s->create_tenant(id, "Tenant", "US");
            s->set_pin(id, "6029" + std::to_string(10 + i));
        }
        std::vector<Progress> seen;
        // A crash in the middle: the progress hook throws in the third batch, after two
        // batches of 10 committed.
        EXPECT_THROW(s->rotate_key(new_key, 10,
                                   [&](const Progress& p) {
                                       seen.push_back(p);
                                       if (p.done > 20) throw std::runtime_error("killed");
                                   }),
                     std::runtime_error);
        ASSERT_EQ(seen.size(), 21U) << "25 records: a report for each (a hundredth is less than one)";
        EXPECT_EQ(seen.front().done, 1);
        EXPECT_EQ(seen.front().total, 25);
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

TEST_F(ServiceTest, AKeyIsNeverReadFromTheStoresOwnFiles) {
    auto s = open();
    auto store = SqliteStore::open(db);
    EXPECT_EQ(error_id_of([&] { load_key(*store, db); }), "KeyFileIsStoreFile");
    EXPECT_EQ(error_id_of([&] { load_or_create_key(*store, db); }), "KeyFileIsStoreFile");
    EXPECT_EQ(error_id_of([&] { s->rotate_key(db); }), "KeyFileIsStoreFile");
    EXPECT_EQ(load_key(*store, key_path).key_id(), s->key_id());
    const auto made = dir.file("made.key");
    const auto id = load_or_create_key(*store, made).key_id();
    struct stat st {};
    ASSERT_EQ(::stat(made.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600U);
    EXPECT_EQ(load_or_create_key(*store, made).key_id(), id) << "made once, then read";
    EXPECT_EQ(error_id_of([&] { load_key(*store, dir.file("missing.key")); }), "KeyFileNotFound");
}

TEST_F(ServiceTest, ARotationIsRefusedToTheSameKeyOrBesideAnUnfinishedOne) {
    auto s = open();
    s->create_tenant("contoso", "Contoso", "US");
    s->set_pin("contoso", "602917");
    EXPECT_EQ(error_id_of([&] { s->rotate_key(key_path); }), "SameKey");
    EXPECT_EQ(error_id_of([&] { s->rotate_key(""); }), "InvalidKeyPath");
    const auto first = dir.file("first.key");
    EXPECT_THROW(s->rotate_key(first, 10, [](const Progress&) { throw std::runtime_error("killed"); }),
                 std::runtime_error);
    EXPECT_EQ(error_id_of([&] { s->rotate_key(dir.file("second.key")); }), "RotationInProgress");
    const auto report = s->rotate_key(first);
    EXPECT_TRUE(report.resumed);
    EXPECT_EQ(s->key_id(), report.new_key_id);
    AuditQuery q;
    q.event_types = {"KeyRotationStarted", "KeyRotationResumed", "KeyRotationCompleted"};
    std::vector<std::string> types;
    for (const auto& e : s->audit_events(q)) types.push_back(e.event_type);
    EXPECT_EQ(types, (std::vector<std::string>{"KeyRotationStarted", "KeyRotationResumed", "KeyRotationCompleted"}));
    EXPECT_TRUE(s->check_pin("contoso", "602917"));
    EXPECT_TRUE(s->verify_audit().is_valid);
}

// The attack of issue 14: someone who can write the database but has no key file names a key of
// their own as a rotation's new key. Before, the next session sealed every new PIN under it and
// the PIN fell to an offline search. Now the key is never loaded, the entries are removed, the
// finding is audited, and new PINs go under the store's key.
TEST_F(ServiceTest, AKeyNamedByTheDatabaseIsNeverUsed) {
    {
        auto s = open();
        s->create_tenant("contoso", "Contoso", "US");
        s->create_tenant("fabrikam", "Fabrikam", "US");
    }
    auto attacker = StoreKey::generate();
    const auto attacker_path = dir.file("attacker.key");
    attacker.save_new(attacker_path);
    sql("INSERT INTO meta (name, value) VALUES ('pending_key_id', '" + attacker.key_id() +
        "'), ('pending_key_path', '" + attacker_path + "')");
    auto s = open();
    s->set_pin("contoso", "602917");
    EXPECT_EQ(column("SELECT pin_key_id FROM tenants WHERE tenant_id = 'contoso'"), s->key_id());
    EXPECT_EQ(column("SELECT count(*) FROM meta WHERE name LIKE 'pending_key%'"), "0");
    AuditQuery q;
    q.event_types = {"StoreTampered"};
    const auto found = s->audit_events(q);
    ASSERT_EQ(found.size(), 1U);
    EXPECT_EQ(found[0].reason, "UnauthenticatedKeyState");
    EXPECT_TRUE(s->verify_audit().is_valid);
    EXPECT_TRUE(s->check_pin("contoso", "602917"));

    // Today's form of the record, forged: not obeyed either.
    sql("INSERT INTO meta (name, value) VALUES ('rotation', '" + attacker.key_id() + "\n" + attacker_path + "')");
    EXPECT_EQ(error_id_of([&] { s->set_pin("fabrikam", "602918"); }), "StoreTampered");
    EXPECT_EQ(column("SELECT pin_record IS NULL FROM tenants WHERE tenant_id = 'fabrikam'"), "1");
    auto again = open();
    again->set_pin("fabrikam", "602918");
    EXPECT_EQ(column("SELECT pin_key_id FROM tenants WHERE tenant_id = 'fabrikam'"), again->key_id());
    EXPECT_EQ(again->audit_events(q).size(), 2U);
    EXPECT_EQ(again->audit_events(q).back().reason, "RotationRecordNotAuthentic");
}

// A genuine rotation record still works across sessions: a session opened mid-rotation loads
// the new key from the file the operator named, and seals under it.
TEST_F(ServiceTest, ASessionOpenedMidRotationUsesTheKeyTheOperatorNamed) {
    const auto new_key = dir.file("new.key");
    {
        auto s = open();
        for (int i = 0; i < 3; ++i) s->create_tenant("t" + std::to_string(i), "T", "US");
        s->set_pin("t0", "602917");
        s->set_pin("t1", "602917");
        EXPECT_THROW(s->rotate_key(new_key, 1, [](const Progress&) { throw std::runtime_error("killed"); }),
                     std::runtime_error);
    }
    auto s = open();
    s->set_pin("t2", "602917");
    const auto new_id = StoreKey::load(new_key).key_id();
    EXPECT_EQ(column("SELECT pin_key_id FROM tenants WHERE tenant_id = 't2'"), new_id);
    EXPECT_TRUE(s->check_pin("t2", "602917"));
    const auto report = s->rotate_key(new_key, 10, {});
    EXPECT_TRUE(report.resumed);
    EXPECT_EQ(column("SELECT count(*) FROM meta WHERE name = 'rotation'"), "0");
    EXPECT_TRUE(open(HashProfile::Test, new_key)->check_pin("t0", "602917"));
}

// A carrier's session opened before a key rotation got KeyUnavailable only for tenants with a
// PIN (their records had moved to a key it did not hold), and a plain "no" for the others: an
// oracle for which tenants have a PIN. It now says KeyRotated for every tenant alike, before
// anything is counted.
TEST_F(ServiceTest, ASessionFromBeforeARotationSaysSoForEveryTenantAlike) {
    auto admin = open();
    admin->create_tenant("contoso", "Contoso", "US");
    admin->create_tenant("nopin", "No PIN", "US");
    admin->set_pin("contoso", "602917");
    admin->add_number("contoso", "+1 425 555 0100");
    auto before = open();
    auto carrier = as(Role::Carrier);
    admin->rotate_key(dir.file("new.key"), 10, {});
    AuditQuery q;
    q.event_types = {"PinCheckAttempt"};
    const auto attempts = admin->audit_events(q).size();
    for (const char* tenant : {"contoso", "nopin", "nobody"}) {
        EXPECT_EQ(error_id_of([&] { before->check_pin(tenant, "602917"); }), "KeyRotated") << tenant;
        EXPECT_EQ(error_id_of([&] { carrier->submit_order(tenant, {"+14255550100"}, "602917", "Carrier A", std::nullopt); }),
                  "KeyRotated")
            << tenant;
    }
    EXPECT_EQ(admin->audit_events(q).size(), attempts) << "nothing was counted";
    EXPECT_EQ(admin->pin_status("contoso").failed_attempt_count, 0);
}

}  // namespace
}  // namespace portout
