// Progress of long work: reports at every hundredth and at least once a second, once at the
// end; and the audit walk reporting as it goes, not once when done.
#include <portout/progress.hpp>
#include <portout/service.hpp>

#include "service_fixture.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace portout {
namespace {

using testing_support::ServiceTest;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

TEST(ProgressMeter, ReportsAtEveryHundredthAndOnceAtTheEnd) {
    std::vector<Progress> seen;
    const ProgressHook hook = [&](const Progress& p) { seen.push_back(p); };
    ProgressMeter meter(hook, 1000);
    for (int i = 0; i < 1000; ++i) meter.add();
    meter.finish();
    ASSERT_EQ(seen.size(), 100U) << "every 10 of 1000, and the last is not reported twice";
    for (std::size_t i = 0; i < seen.size(); ++i) {
        EXPECT_EQ(seen[i].done, static_cast<std::int64_t>(10 * (i + 1)));
        EXPECT_EQ(seen[i].total, 1000);
    }
}

TEST(ProgressMeter, ReportsEverySecondWhenTheWorkIsSlow) {
    auto now = steady_clock::time_point{};
    std::vector<Progress> seen;
    const ProgressHook hook = [&](const Progress& p) { seen.push_back(p); };
    ProgressMeter meter(hook, 1'000'000, [&] { return now; });
    meter.add(5);
    EXPECT_TRUE(seen.empty()) << "under a hundredth, within the second";
    now += milliseconds(999);
    meter.add();
    EXPECT_TRUE(seen.empty());
    now += milliseconds(1);
    meter.add();
    ASSERT_EQ(seen.size(), 1U) << "a second since the start";
    EXPECT_EQ(seen.back().done, 7);
    now += milliseconds(1500);
    meter.add();
    EXPECT_EQ(seen.size(), 2U);
}

TEST(ProgressMeter, AnUnknownTotalIsReportedAsWhatThereWasAtTheEnd) {
    auto now = steady_clock::time_point{};
    std::vector<Progress> seen;
    const ProgressHook hook = [&](const Progress& p) { seen.push_back(p); };
    ProgressMeter meter(hook, 0, [&] { return now; });
    meter.stage("tenants");
    meter.add(40);
    EXPECT_TRUE(seen.empty()) << "no hundredth of nothing: by time only";
    now += milliseconds(1000);
    meter.add(2);
    ASSERT_EQ(seen.size(), 1U);
    EXPECT_EQ(seen[0].total, 0) << "not known yet";
    EXPECT_EQ(seen[0].stage, "tenants");
    meter.add(8);
    meter.finish();
    ASSERT_EQ(seen.size(), 2U);
    EXPECT_EQ(seen[1].done, 50);
    EXPECT_EQ(seen[1].total, 50);
}

TEST(ProgressMeter, MoreThanAnnouncedRaisesTheTotalAndLessEndsIt) {
    std::vector<Progress> seen;
    const ProgressHook hook = [&](const Progress& p) { seen.push_back(p); };
    {
        ProgressMeter meter(hook, 3);
        for (int i = 0; i < 5; ++i) meter.add();
        meter.finish();
    }
    EXPECT_EQ(seen.back().done, 5);
    EXPECT_EQ(seen.back().total, 5);
    seen.clear();
    {
        ProgressMeter meter(hook, 10);
        meter.add(4);
        meter.finish();
    }
    EXPECT_EQ(seen.back().done, 4);
    EXPECT_EQ(seen.back().total, 4) << "the bar ends full";
}

TEST(ProgressMeter, NoHookCostsNothingAndCallsNothing) {
    const ProgressHook none;
    ProgressMeter meter(none, 10);
    meter.add(20);
    meter.finish();
    EXPECT_EQ(meter.reports(), 0);
    EXPECT_EQ(meter.done(), 20);
}

TEST_F(ServiceTest, VerifyingTheAuditChainReportsAsItWalks) {
    auto s = open();
    for (int i = 0; i < 300; ++i) s->create_tenant("tenant" + std::to_string(i), "Tenant", "GB");
    std::vector<Progress> seen;
    const auto result = s->verify_audit([&](const Progress& p) { seen.push_back(p); });
    ASSERT_TRUE(result.is_valid);
    ASSERT_GE(seen.size(), 100U) << "at every hundredth of the chain, not once at the end";
    for (std::size_t i = 1; i < seen.size(); ++i) EXPECT_GT(seen[i].done, seen[i - 1].done);
    EXPECT_EQ(seen.front().total, result.event_count) << "the length is known before the walk";
    EXPECT_EQ(seen.back().done, result.event_count);
    EXPECT_LE(seen.front().done, result.event_count / 100 + 1);

    // A scoped session reports the walk of the one chain, and counts its own events.
    auto scoped = as(Role::Auditor, {"tenant7"});
    seen.clear();
    const auto mine = scoped->verify_audit([&](const Progress& p) { seen.push_back(p); });
    ASSERT_FALSE(seen.empty());
    EXPECT_EQ(seen.back().done, result.event_count + 0) << "the walk, whole";
    EXPECT_LT(mine.event_count, result.event_count);
}

TEST_F(ServiceTest, AnExceptionFromTheHookStopsTheWalkAndIsNotSwallowed) {
    auto s = open();
    for (int i = 0; i < 50; ++i) s->create_tenant("tenant" + std::to_string(i), "Tenant", "GB");
    int calls = 0;
    EXPECT_THROW(s->verify_audit([&](const Progress&) {
                     if (++calls == 3) throw std::runtime_error("interrupted");
                 }),
                 std::runtime_error);
    EXPECT_EQ(calls, 3);
    EXPECT_TRUE(s->verify_audit().is_valid) << "nothing changed";
}

}  // namespace
}  // namespace portout
