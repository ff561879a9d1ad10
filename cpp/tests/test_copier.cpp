// Copying a store, through the service: everything moves in one transaction into an empty store,
// which opens with the same key, its PINs checking and its audit chain whole; a full or the same
// store is refused; the destination is not opened for a session that may not copy.
#include <portout/errors.hpp>
#include <portout/service.hpp>
#include <portout/sqlite_store.hpp>

#include "service_fixture.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace portout {
namespace {

using testing_support::error_id_of;
using testing_support::kStart;
using testing_support::ServiceTest;

class CopyTest : public ServiceTest {
protected:
    void SetUp() override {
        s = open();
        s->create_tenant("contoso", "Contoso", "US");
        s->create_tenant("fabrikam", "Fabrikam", "GB");
        s->set_pin("contoso", "602917");
        s->add_number("contoso", "+1 425 555 0100");
        order_id = s->submit_order("contoso", {"+14255550100"}, "602917", "Carrier A", kStart).order_id;
    }
    std::unique_ptr<PortOutService> open_copy() {
        ServiceOptions o;
        o.profile = HashProfile::Test;
        o.allow_test_profile = true;
        o.clock = clock;
        o.actor = "admin@contoso.com";
        return PortOutService::open(SqliteStore::open(copy_db), key_path, o);
    }

    std::unique_ptr<PortOutService> s;
    std::string order_id;
    std::string copy_db = dir.file("copy.db");
};

TEST_F(CopyTest, TheCopyHoldsEverythingAndOpensWithTheSameKey) {
    std::vector<Progress> reported;
    const auto report = s->copy_to([&] { return SqliteStore::open(copy_db); },
                                   [&](const Progress& p) { reported.push_back(p); });
    EXPECT_EQ(report.destination, copy_db);
    std::map<std::string, std::int64_t> rows(report.rows.begin(), report.rows.end());
    EXPECT_EQ(rows.at("tenants"), 2);
    EXPECT_EQ(rows.at("phone_numbers"), 1);
    EXPECT_EQ(rows.at("orders"), 1);
    std::int64_t rows_copied = 0;
    for (const auto& [table, count] : report.rows) rows_copied += count;
    ASSERT_FALSE(reported.empty());
    EXPECT_EQ(reported.back().done, rows_copied) << "every row copied is counted";
    EXPECT_EQ(reported.back().total, rows_copied) << "of a total known before the copy";
    EXPECT_GE(reported.size(), static_cast<std::size_t>(std::min<std::int64_t>(rows_copied, 100)))
        << "a report at every hundredth";
    std::set<std::string> stages;
    for (const auto& p : reported) stages.insert(p.stage);
    EXPECT_TRUE(stages.count("tenants") && stages.count("audit_events")) << "the table being copied is named";

    auto copy = open_copy();
    EXPECT_EQ(copy->store_id(), s->store_id());
    EXPECT_EQ(copy->key_id(), s->key_id());
    EXPECT_TRUE(copy->check_pin("contoso", "602917")) << "the PIN record moved sealed and opens";
    EXPECT_EQ(copy->get_order(order_id).status, "PendingReview");
    EXPECT_EQ(copy->get_tenant("fabrikam").country, "GB");
    EXPECT_TRUE(copy->verify_audit().is_valid);
    EXPECT_EQ(copy->receive_notifications("pager", 100).size(), s->receive_notifications("pager", 100).size());

    AuditQuery q;
    q.event_types = {"StoreCopied"};
    const auto copied = s->audit_events(q);
    ASSERT_EQ(copied.size(), 1U);
    EXPECT_EQ(copied[0].details.rfind("to=" + copy_db + " ", 0), 0U) << copied[0].details;
    EXPECT_TRUE(copy->audit_events(q).empty()) << "the copy is recorded in the source after the snapshot";
    EXPECT_TRUE(s->verify_audit().is_valid);
}

TEST_F(CopyTest, AStoreIsCopiedIntoAnEmptyOneOnly) {
    s->copy_to([&] { return SqliteStore::open(copy_db); }, {});
    EXPECT_EQ(error_id_of([&] { s->copy_to([&] { return SqliteStore::open(copy_db); }, {}); }),
              "DestinationNotEmpty");
    EXPECT_EQ(error_id_of([&] { s->copy_to([&] { return SqliteStore::open(db); }, {}); }), "SameStore");
    AuditQuery q;
    q.event_types = {"StoreCopied"};
    EXPECT_EQ(s->audit_events(q).size(), 1U);
}

TEST_F(CopyTest, TheDestinationIsOpenedOnlyForASessionThatMayCopy) {
    std::vector<std::unique_ptr<PortOutService>> sessions;
    sessions.push_back(as(Role::TelephonyAdmin));
    sessions.push_back(as(Role::StoreAdmin, {"contoso"}));
    for (const auto& session : sessions) {
        bool opened = false;
        EXPECT_EQ(error_id_of([&] {
                      session->copy_to(
                          [&] {
                              opened = true;
                              return SqliteStore::open(copy_db);
                          },
                          {});
                  }),
                  "AccessDenied");
        EXPECT_FALSE(opened);
    }
    EXPECT_FALSE(std::filesystem::exists(copy_db));
}

}  // namespace
}  // namespace portout
