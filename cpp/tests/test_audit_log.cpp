// The audit log, through the service: queries by tenant, type, time and position, a tenant's
// history from its latest creation, a scoped session's own tenants; and the chain verified,
// each kind of tampering named with the first broken event.
#include <portout/errors.hpp>
#include <portout/service.hpp>

#include "service_fixture.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

namespace portout {
namespace {

using testing_support::error_id_of;
using testing_support::kMinute;
using testing_support::kStart;
using testing_support::ServiceTest;

std::vector<std::string> types_of(const std::vector<AuditEvent>& events) {
    std::vector<std::string> out;
    for (const auto& e : events) out.push_back(e.event_type);
    return out;
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
              "reason, details, prev_mac, mac, state_mac FROM audit_events WHERE event_id = 5",
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

TEST_F(ServiceTest, QueriesSelectByTenantTypeTimeAndPosition) {
    auto s = open();
    s->create_tenant("contoso", "Contoso", "US");
    clock->advance_ms(kMinute);
    s->create_tenant("fabrikam", "Fabrikam", "US");
    clock->advance_ms(kMinute);
    s->set_pin("contoso", "602917");
    const auto all = s->audit_events({});
    EXPECT_EQ(types_of(all), (std::vector<std::string>{"StoreCreated", "TenantCreated", "TenantCreated", "PinSet"}));
    AuditQuery q;
    q.tenant_ids = {"Contoso"};
    EXPECT_EQ(types_of(s->audit_events(q)), (std::vector<std::string>{"TenantCreated", "PinSet"}));
    q = {};
    q.event_types = {"TenantCreated"};
    q.since = kStart + kMinute;
    const auto since = s->audit_events(q);
    ASSERT_EQ(since.size(), 1U);
    EXPECT_EQ(since[0].tenant_id, "fabrikam");
    q = {};
    q.until = kStart + kMinute;
    EXPECT_EQ(s->audit_events(q).size(), 2U);
    q = {};
    q.after_event_id = all[1].event_id;
    q.limit = 1;
    const auto page = s->audit_events(q);
    ASSERT_EQ(page.size(), 1U);
    EXPECT_EQ(page[0].event_id, all[2].event_id);
    q.limit = 0;
    EXPECT_EQ(s->audit_events(q).size(), 1U) << "a limit of at least one";
}

TEST_F(ServiceTest, ARecreatedTenantsHistoryStartsAtItsLatestCreation) {
    auto s = open();
    s->create_tenant("contoso", "Contoso", "US");
    s->set_pin("contoso", "602917");
    s->remove_tenant("contoso");
    AuditQuery q;
    q.tenant_ids = {"contoso"};
    EXPECT_EQ(types_of(s->audit_events(q)), (std::vector<std::string>{"TenantCreated", "PinSet", "TenantRemoved"}))
        << "a removed tenant's history stays";
    s->create_tenant("contoso", "Contoso again", "US");
    s->create_tenant("fabrikam", "Fabrikam", "US");
    EXPECT_EQ(types_of(s->audit_events(q)), std::vector<std::string>{"TenantCreated"});
    q.tenant_ids = {"fabrikam", "contoso"};
    const auto both = s->audit_events(q);
    ASSERT_EQ(both.size(), 2U);
    EXPECT_EQ(both[0].tenant_id, "contoso");
    EXPECT_EQ(both[1].tenant_id, "fabrikam");
    EXPECT_EQ(s->audit_events({}).size(), 6U) << "the store-wide log keeps the whole story";
}

TEST_F(ServiceTest, TheLogReadsNewestFirstAPageAtATime) {
    auto s = open();
    s->create_tenant("contoso", "Contoso", "US");
    s->set_pin("contoso", "602917");
    s->remove_tenant("contoso");
    s->create_tenant("contoso", "Contoso again", "US");
    s->set_pin("contoso", "602918");
    s->create_tenant("fabrikam", "Fabrikam", "US");
    AuditQuery q;
    q.newest_first = true;
    q.limit = 2;
    const auto first = s->audit_events(q);
    ASSERT_EQ(first.size(), 2U);
    EXPECT_EQ(first[0].tenant_id, "fabrikam");
    EXPECT_GT(first[0].event_id, first[1].event_id);
    q.after_event_id = first[1].event_id;
    const auto second = s->audit_events(q);
    ASSERT_EQ(second.size(), 2U);
    EXPECT_LT(second[0].event_id, first[1].event_id);
    // A tenant created again: newest first, its history stops at its latest creation.
    q = {};
    q.newest_first = true;
    q.tenant_ids = {"contoso", "fabrikam"};
    EXPECT_EQ(types_of(s->audit_events(q)), (std::vector<std::string>{"TenantCreated", "PinSet", "TenantCreated"}));
}

TEST_F(ServiceTest, AScopedSessionReadsItsOwnTenantsEvents) {
    {
        auto s = open();
        s->create_tenant("contoso", "Contoso", "US");
        s->create_tenant("fabrikam", "Fabrikam", "US");
    }
    auto auditor = as(Role::Auditor, {"fabrikam"});
    const auto events = auditor->audit_events({});
    ASSERT_EQ(events.size(), 1U);
    EXPECT_EQ(events[0].tenant_id, "fabrikam");
    AuditQuery q;
    q.tenant_ids = {"contoso"};
    EXPECT_EQ(error_id_of([&] { auditor->audit_events(q); }), "AccessDenied");
    EXPECT_EQ(error_id_of([&] { as(Role::Carrier)->audit_events({}); }), "AccessDenied");
}

TEST_F(ServiceTest, VerificationReportsItsProgressAndCount) {
    auto s = open();
    for (int i = 0; i < 30; ++i) s->create_tenant("tenant" + std::to_string(i), "Tenant", "US");
    std::int64_t last = 0;
    int calls = 0;
    const auto v = s->verify_audit([&](const Progress& p) {
        EXPECT_GE(p.done, last);
        last = p.done;
        ++calls;
    });
    EXPECT_TRUE(v.is_valid);
    EXPECT_EQ(v.event_count, 31);
    EXPECT_GT(calls, 0);
    EXPECT_EQ(last, 31);
    EXPECT_EQ(error_id_of([&] { as(Role::TelephonyAdmin)->verify_audit(); }), "AccessDenied");
}

// A scoped Auditor's verification reported the whole store's chain: its count, and the id of a
// broken event of any tenant. It now reports within its scope.
TEST_F(ServiceTest, AScopedVerificationReportsItsOwnTenantsOnly) {
    {
        auto s = open();
        s->create_tenant("contoso", "Contoso", "US");
        s->create_tenant("fabrikam", "Fabrikam", "US");
        s->set_pin("contoso", "602917");
        s->set_pin("fabrikam", "602917");
        s->set_pin("fabrikam", "602918");
    }
    const auto own = column("SELECT count(*) FROM audit_events WHERE tenant_id = 'contoso'");
    auto auditor = as(Role::Auditor, {"contoso"});
    auto v = auditor->verify_audit();
    EXPECT_TRUE(v.is_valid);
    EXPECT_EQ(std::to_string(v.event_count), own);
    EXPECT_NE(std::to_string(open()->verify_audit().event_count), own);

    // A break in another tenant's event: the chain is invalid, but the event is not named.
    const auto theirs = column("SELECT max(event_id) FROM audit_events WHERE tenant_id = 'fabrikam'");
    sql("UPDATE audit_events SET outcome = 'Failure' WHERE event_id = " + theirs);
    v = as(Role::Auditor, {"contoso"})->verify_audit();
    EXPECT_FALSE(v.is_valid);
    EXPECT_EQ(v.problem, "Edited");
    EXPECT_FALSE(v.first_broken_event_id);
    EXPECT_EQ(std::to_string(*open()->verify_audit().first_broken_event_id), theirs);
}

}  // namespace
}  // namespace portout
