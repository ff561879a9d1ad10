// The audit chain on its own: what append writes, and what verify finds when the log is edited.
#include "service/audit_chain.hpp"

#include <portout/sqlite_store.hpp>

#include "service_fixture.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace portout {
namespace {

using testing_support::TempDir;

AuditRecord event(std::string type, std::string tenant = "contoso") {
    AuditRecord e;
    e.event_type = std::move(type);
    e.tenant_id = std::move(tenant);
    e.outcome = "Success";
    e.details = "x=1";
    return e;
}

class AuditChainTest : public ::testing::Test {
protected:
    void append(const AuditChain& chain, std::vector<AuditRecord> events, Millis now,
                const std::string& actor = "admin") {
        auto tx = store->begin(TxMode::Write);
        chain.append(*tx, events, actor, now);
        tx->commit();
        for (auto& e : events) written.push_back(std::move(e));
    }
    AuditVerification verify(const AuditChain& chain) {
        auto tx = store->begin(TxMode::Read);
        return chain.verify(*tx, {});
    }
    void sql(const std::string& statement) { testing_support::run_sql(db, statement); }

    TempDir dir;
    std::string db = dir.file("store.db");
    std::unique_ptr<SqliteStore> store = SqliteStore::open(db);
    AuditChain chain{Secret(std::string(32, 'k')), "store-1"};
    std::vector<AuditRecord> written;
};

TEST_F(AuditChainTest, AppendNumbersLinksStampsAndWritesTheHead) {
    append(chain, {event("TenantCreated"), event("PinSet")}, 5000);
    append(chain, {event("PinCheck")}, 4000, "carrier");  // the clock went back
    ASSERT_EQ(written.size(), 3U);
    for (std::size_t i = 0; i < written.size(); ++i) {
        EXPECT_EQ(written[i].event_id, static_cast<std::int64_t>(i + 1));
        if (i) {
            EXPECT_EQ(written[i].prev_mac, written[i - 1].mac);
        }
        EXPECT_EQ(written[i].mac.size(), AuditMac::kSize);
    }
    EXPECT_EQ(written[0].actor, "admin");
    EXPECT_EQ(written[2].actor, "carrier");
    EXPECT_EQ(written[2].occurred_at, 5000) << "time never runs backwards in the log";
    auto tx = store->begin(TxMode::Read);
    EXPECT_EQ(chain.head_event_id(*tx), 3);
    const auto v = chain.verify(*tx, {});
    EXPECT_TRUE(v.is_valid) << v.problem;
    EXPECT_EQ(v.event_count, 3);
}

TEST_F(AuditChainTest, ProgressIsReportedAsTheWalkGoes) {
    std::vector<AuditRecord> many;
    for (int i = 0; i < 12000; ++i) many.push_back(event("PinCheck"));
    append(chain, std::move(many), 1000);
    std::vector<std::int64_t> seen;
    auto tx = store->begin(TxMode::Read);
    EXPECT_TRUE(chain.verify(*tx, [&](const Progress& p) {
                         EXPECT_EQ(p.total, 12000) << "the head's count, known before the walk";
                         seen.push_back(p.done);
                     }).is_valid);
    ASSERT_EQ(seen.size(), 100U) << "every 120 events, not once a page";
    EXPECT_EQ(seen.front(), 120);
    EXPECT_EQ(seen.back(), 12000);
}

TEST_F(AuditChainTest, FindsAnEdit) {
    append(chain, {event("TenantCreated"), event("PinSet"), event("PinChanged")}, 1000);
    sql("UPDATE audit_events SET details = 'x=2' WHERE event_id = 2");
    const auto v = verify(chain);
    EXPECT_FALSE(v.is_valid);
    EXPECT_EQ(v.first_broken_event_id, 2);
    EXPECT_EQ(v.problem, "Edited");
}

TEST_F(AuditChainTest, FindsADeletionInTheMiddleAndAtTheEnd) {
    append(chain, {event("TenantCreated"), event("PinSet"), event("PinChanged")}, 1000);
    sql("DELETE FROM audit_events WHERE event_id = 3");
    auto v = verify(chain);
    EXPECT_FALSE(v.is_valid);
    EXPECT_EQ(v.problem, "Deleted");
    EXPECT_EQ(v.first_broken_event_id, 3);
    sql("DELETE FROM audit_events WHERE event_id = 1");
    v = verify(chain);
    EXPECT_EQ(v.problem, "Deleted");
    EXPECT_EQ(v.first_broken_event_id, 1);
}

TEST_F(AuditChainTest, AnotherKeyOrAnotherStoreVerifiesNothing) {
    append(chain, {event("TenantCreated"), event("PinSet")}, 1000);
    const AuditChain other_key{Secret(std::string(32, 'x')), "store-1"};
    const AuditChain other_store{Secret(std::string(32, 'k')), "store-2"};
    for (const auto* c : {&other_key, &other_store}) {
        const auto v = verify(*c);
        EXPECT_FALSE(v.is_valid);
        auto tx = store->begin(TxMode::Read);
        EXPECT_EQ(c->head_event_id(*tx), c == &other_key ? std::nullopt : std::optional<std::int64_t>(2));
    }
}

TEST_F(AuditChainTest, AHeadWrittenByAnotherKeyIsAltered) {
    append(chain, {event("TenantCreated"), event("PinSet")}, 1000);
    const AuditChain forger{Secret(std::string(32, 'f')), "store-1"};
    append(forger, {event("PinSet")}, 2000);  // a forged event and head after the real ones
    const auto v = verify(chain);
    EXPECT_FALSE(v.is_valid);
    EXPECT_EQ(v.problem, "HeadAltered");
    auto tx = store->begin(TxMode::Read);
    EXPECT_EQ(chain.head_event_id(*tx), std::nullopt);
}

}  // namespace
}  // namespace portout
