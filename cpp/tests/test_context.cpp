// The context on its own: what every operation does first (the refusal, recorded exactly once,
// in the caller's write transaction or in one of its own) and last (its audit event, stamped
// with the session's actor and the clock's time).
#include "service/context.hpp"

#include <portout/errors.hpp>
#include <portout/sqlite_store.hpp>
#include "service/access.hpp"
#include "service/audit_chain.hpp"
#include "service/check_cost.hpp"
#include "service/key_ring.hpp"
#include "service/worker_pool.hpp"

#include "service_fixture.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace portout {
namespace {

using testing_support::kStart;
using testing_support::TempDir;

class ContextTest : public ::testing::Test {
protected:
    ServiceContext context(const Access& access) {
        return ServiceContext{*store, clock, actor, access, hasher, cost, keys, audit, workers, store_id, true, via, principal};
    }
    std::vector<AuditRecord> events() {
        auto tx = store->begin(TxMode::Read);
        return tx->audit_events({});
    }

    TempDir dir;
    std::unique_ptr<SqliteStore> store = SqliteStore::open(dir.file("store.db"));
    ManualClock clock{kStart};
    std::string actor = "someone@example";
    PinHasher hasher{HashProfile::Test};
    KeyRing keys{StoreKey::generate(), [](const std::string& path) { return StoreKey::load(path); },
                 store->location()};
    std::string store_id = "store-1";
    std::string via;
    std::optional<Principal> principal;
    AuditChain audit{Secret(std::string(32, 'k')), store_id};
    WorkerPool workers;
    CheckCost cost{HashProfile::Test, workers};
};

TEST_F(ContextTest, AnAllowedOperationWritesNothing) {
    const Access access(Role::TelephonyAdmin, {"contoso"});
    const auto ctx = context(access);
    EXPECT_NO_THROW(ctx.authorize(Operation::SetPin, "contoso"));
    EXPECT_NO_THROW(ctx.authorize(Operation::ReadTenant));
    EXPECT_TRUE(events().empty());
    EXPECT_EQ(ctx.role(), Role::TelephonyAdmin);
    EXPECT_EQ(ctx.tenant_scope(), std::vector<std::string>{"contoso"});
    EXPECT_TRUE(ctx.in_scope("contoso"));
    EXPECT_FALSE(ctx.in_scope("fabrikam"));
}

TEST_F(ContextTest, ARefusalIsRecordedOnceInATransactionOfItsOwn) {
    const Access access(Role::Auditor, {});
    const auto ctx = context(access);
    try {
        ctx.authorize(Operation::SetPin, "contoso");
        ADD_FAILURE() << "an Auditor set a PIN";
    } catch (const PermissionDeniedError& e) {
        EXPECT_EQ(e.error_id(), "AccessDenied");
        EXPECT_EQ(e.target(), "contoso");
    }
    const auto written = events();
    ASSERT_EQ(written.size(), 1U);
    EXPECT_EQ(written[0].event_type, "AccessDenied");
    EXPECT_EQ(written[0].tenant_id, "contoso");
    EXPECT_EQ(written[0].actor, actor);
    EXPECT_EQ(written[0].outcome, "Denied");
    EXPECT_EQ(written[0].reason, "SetPin");
    EXPECT_EQ(written[0].details, "role=Auditor");
}

// The caller's write transaction holds the writer slot: the refusal is recorded and committed
// there, and nothing waits for a second writer.
TEST_F(ContextTest, ARefusalInsideTheCallersWriteTransactionIsRecordedThere) {
    const Access access(Role::TelephonyAdmin, {"contoso"});
    const auto ctx = context(access);
    auto tx = store->begin(TxMode::Write);
    EXPECT_THROW(ctx.authorize(Operation::CancelOrder, "fabrikam", tx.get()), PermissionDeniedError);
    tx.reset();
    const auto written = events();
    ASSERT_EQ(written.size(), 1U);
    EXPECT_EQ(written[0].reason, "CancelOrder");
    auto next = store->begin(TxMode::Write);  // the writer slot is free
    next->commit();
}

TEST_F(ContextTest, AuditEventsCarryTheActorAndTheClocksTime) {
    const Access access(Role::StoreAdmin, {});
    const auto ctx = context(access);
    clock.advance_ms(1234);
    auto tx = store->begin(TxMode::Write);
    ctx.append_audit(*tx, "TenantCreated", "contoso", "Success", "", "country=US");
    std::vector<AuditRecord> more(2);
    more[0].event_type = "First";
    more[1].event_type = "Second";
    ctx.append_audit_events(*tx, more);
    tx->commit();
    const auto written = events();
    ASSERT_EQ(written.size(), 3U);
    EXPECT_EQ(written[0].occurred_at, kStart + 1234);
    EXPECT_EQ(written[0].actor, actor);
    EXPECT_EQ(written[0].details, "country=US");
    EXPECT_EQ(written[2].event_type, "Second");
    auto read = store->begin(TxMode::Read);
    EXPECT_TRUE(audit.verify(*read, {}).is_valid);
}

}  // namespace
}  // namespace portout
