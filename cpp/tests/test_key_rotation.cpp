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
    EXPECT_THROW(s->rotate_key(first, 10, [](const RotationProgress&) { throw std::runtime_error("killed"); }),
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

}  // namespace
}  // namespace portout
