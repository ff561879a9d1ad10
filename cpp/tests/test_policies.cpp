// Policies: the store default and a tenant's overrides over it (what applies, and which
// settings the tenant sets itself), held to the seed's 6 to 10 digits; changes checked before
// anything is kept, recorded only when they change something; a PIN tried against a policy.
#include "service/policies.hpp"

#include <portout/errors.hpp>
#include <portout/service.hpp>
#include <portout/sqlite_store.hpp>

#include "service_fixture.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace portout {
namespace {

using testing_support::error_id_of;
using testing_support::kMinute;
using testing_support::kStart;
using testing_support::ServiceTest;

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
    // A policy widened in the database itself is not obeyed: refused as not authentic.
    s.reset();
    sql("UPDATE policies SET min_length = 4, max_length = 15");
    s = open();
    EXPECT_EQ(error_id_of([&] { s->get_policy("contoso"); }), "StoreTampered");
    EXPECT_EQ(error_id_of([&] { s->set_pin("contoso", "1357"); }), "StoreTampered");
    EXPECT_FALSE(s->check_pin("contoso", "602917"));
}

// effective_policy on its own: a store without a policy row has the seed's defaults; a tenant's
// row overrides what it sets and inherits the rest.
TEST(EffectivePolicy, DefaultsThenTheTenantsOverridesOverTheStoreDefault) {
    testing_support::TempDir dir;
    auto store = SqliteStore::open(dir.file("store.db"));
    auto tx = store->begin(TxMode::Write);
    const auto none = effective_policy(*tx, "");
    EXPECT_EQ(none.scope, "");
    EXPECT_EQ(none.pin_policy.min_length(), 6);
    EXPECT_EQ(none.pin_policy.max_length(), 10);
    EXPECT_EQ(none.max_failed_attempts, 5);
    EXPECT_EQ(none.lockout_ms, 15 * kMinute);
    EXPECT_EQ(none.max_lockout_ms, 24 * 60 * kMinute);
    EXPECT_TRUE(none.overridden.empty());
    // A row outside the seed's 6..10 (written before the bounds were enforced) is held to it.
    PolicyRecord wide = default_policy_record(0, "");
    wide.min_length = 4;
    wide.max_length = 15;
    tx->put_policy(wide);
    EXPECT_EQ(effective_policy(*tx, "").pin_policy.min_length(), 6);
    EXPECT_EQ(effective_policy(*tx, "").pin_policy.max_length(), 10);

    auto base = default_policy_record(kStart, "admin");
    base.max_failed_attempts = 3;
    tx->put_policy(base);
    PolicyRecord own;
    own.scope = "contoso";
    own.min_length = 8;
    own.lockout_ms = kMinute;
    tx->put_policy(own);
    const auto tenant = effective_policy(*tx, "contoso");
    EXPECT_EQ(tenant.scope, "contoso");
    EXPECT_EQ(tenant.pin_policy.min_length(), 8);
    EXPECT_EQ(tenant.max_failed_attempts, 3) << "inherited from the store default";
    EXPECT_EQ(tenant.lockout_ms, kMinute);
    EXPECT_EQ(tenant.overridden, (std::vector<std::string>{"MinimumLength", "LockoutDuration"}));
    EXPECT_EQ(effective_policy(*tx, "fabrikam").pin_policy.min_length(), 6) << "a tenant without a row";
}

TEST_F(ServiceTest, LockoutSettingsAreCheckedAndARefusedChangeKeepsNothing) {
    auto s = open();
    s->create_tenant("contoso", "Contoso", "US");
    const auto before = s->audit_events({}).size();
    const auto refused = [&](auto&& fill) {
        PolicyChange c;
        fill(c);
        return error_id_of([&] { s->set_policy("contoso", c); });
    };
    EXPECT_EQ(refused([](PolicyChange& c) { c.max_failed_attempts = 101; }), "InvalidLockoutPolicy");
    EXPECT_EQ(refused([](PolicyChange& c) { c.lockout_ms = 999; }), "InvalidLockoutPolicy");
    EXPECT_EQ(refused([](PolicyChange& c) { c.lockout_ms = 24 * 60 * kMinute + 1; }), "InvalidLockoutPolicy");
    EXPECT_EQ(refused([](PolicyChange& c) { c.max_lockout_ms = 31 * 24 * 60 * kMinute; }), "InvalidLockoutPolicy");
    // Each alone within bounds, together not: the cap below the first lock.
    EXPECT_EQ(refused([](PolicyChange& c) {
                  c.lockout_ms = 60 * kMinute;
                  c.max_lockout_ms = 30 * kMinute;
              }),
              "InvalidLockoutPolicy");
    EXPECT_EQ(refused([](PolicyChange& c) {
                  c.min_length = 9;
                  c.max_length = 8;
              }),
              "InvalidPinPolicy");
    EXPECT_EQ(refused([](PolicyChange& c) { c.blocklist = std::vector<std::string>{"12ab"}; }), "InvalidPinPolicy");
    EXPECT_EQ(s->audit_events({}).size(), before) << "a refused change was recorded";
    EXPECT_TRUE(s->get_policy("contoso").overridden.empty()) << "a refused change was kept";
}

TEST_F(ServiceTest, OnlyChangesAreRecorded) {
    auto s = open();
    s->create_tenant("contoso", "Contoso", "US");
    AuditQuery q;
    q.event_types = {"PolicyChanged", "PolicyReset"};
    s->set_policy("contoso", PolicyChange{});
    s->reset_policy("contoso");  // it has no overrides: nothing to reset
    EXPECT_TRUE(s->audit_events(q).empty());
    PolicyChange c;
    c.block_weak = false;
    c.max_failed_attempts = 3;
    clock->advance_ms(kMinute);
    const auto own = s->set_policy("contoso", c);
    EXPECT_EQ(own.overridden, (std::vector<std::string>{"BlockWeakPins", "MaxFailedAttempts"}));
    s->reset_policy("contoso");
    const auto events = s->audit_events(q);
    ASSERT_EQ(events.size(), 2U);
    EXPECT_EQ(events[0].event_type, "PolicyChanged");
    EXPECT_EQ(events[0].tenant_id, "contoso");
    EXPECT_EQ(events[0].details, "BlockWeakPins MaxFailedAttempts");
    EXPECT_EQ(events[1].event_type, "PolicyReset");
    EXPECT_EQ(error_id_of([&] { s->reset_policy("nobody"); }), "TenantNotFound");
}

TEST_F(ServiceTest, APinIsTriedAgainstAPolicyWithoutChangingAnything) {
    auto s = open();
    s->create_tenant("contoso", "Contoso", "US");
    const auto rules = [](const std::vector<Violation>& found) {
        std::vector<PinRule> out;
        for (const auto& v : found) out.push_back(v.rule);
        return out;
    };
    EXPECT_TRUE(s->test_pin_policy(std::nullopt, "602917").empty());
    EXPECT_EQ(rules(s->test_pin_policy(std::nullopt, "123456")),
              (std::vector<PinRule>{PinRule::Sequential, PinRule::CommonPin}));
    PolicyChange c;
    c.min_length = 8;
    c.blocklist = std::vector<std::string>{"60291755"};
    s->set_policy("contoso", c);
    EXPECT_EQ(rules(s->test_pin_policy("contoso", "602917")), std::vector<PinRule>{PinRule::TooShort});
    EXPECT_EQ(rules(s->test_pin_policy("contoso", "60291755")), std::vector<PinRule>{PinRule::Blocklisted});
    EXPECT_TRUE(s->test_pin_policy(std::nullopt, "602917").empty()) << "the store default is not the tenant's";
    const auto before = s->audit_events({}).size();
    s->test_pin_policy("contoso", "000000");
    EXPECT_EQ(s->audit_events({}).size(), before);
    EXPECT_FALSE(s->pin_status("contoso").pin_is_set);
    EXPECT_EQ(error_id_of([&] { s->test_pin_policy("nobody", "602917"); }), "TenantNotFound");
}

}  // namespace
}  // namespace portout
