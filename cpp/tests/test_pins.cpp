// PINs, through the service: set and changed (never cleared, US tenants only), checked in three
// steps with one hash whatever the answer, counted and locked, unlocked, upgraded on success;
// never kept, shown or told in the clear.
#include <portout/errors.hpp>
#include <portout/pin_hasher.hpp>
#include <portout/service.hpp>

#include "service/pins.hpp"
#include "service_fixture.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

namespace portout {
namespace {

using testing_support::error_id_of;
using testing_support::kMinute;
using testing_support::kStart;
using testing_support::ServiceTest;

// The lock of the one carrier (the session's actor) that got the PIN wrong, if it holds.
std::optional<Millis> carrier_lock(const PinStatus& s) {
    return s.carriers.empty() ? std::nullopt : s.carriers.front().locked_until;
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
        EXPECT_FALSE(carrier_lock(s->pin_status("contoso")));
    }
    EXPECT_FALSE(s->check_pin("contoso", "000001"));
    EXPECT_EQ(carrier_lock(s->pin_status("contoso")), kStart + 15 * kMinute);
    EXPECT_FALSE(s->pin_status("contoso").locked_until) << "the carrier is locked out, not everyone";
    EXPECT_FALSE(s->check_pin("contoso", "602917")) << "the right PIN while locked";
    EXPECT_EQ(s->pin_status("contoso").failed_attempt_count, 5);
    EXPECT_EQ(s->pin_status("contoso").last_check_result, "Locked");

    clock->advance_ms(15 * kMinute);  // the lock runs out: five more tries, then thirty minutes
    EXPECT_FALSE(carrier_lock(s->pin_status("contoso")));
    for (int i = 0; i < 5; ++i) EXPECT_FALSE(s->check_pin("contoso", "000001"));
    EXPECT_EQ(carrier_lock(s->pin_status("contoso")), kStart + 15 * kMinute + 30 * kMinute);
    clock->advance_ms(30 * kMinute);
    for (int i = 0; i < 5; ++i) EXPECT_FALSE(s->check_pin("contoso", "000001"));
    EXPECT_EQ(carrier_lock(s->pin_status("contoso")), kStart + 45 * kMinute + 60 * kMinute);
    EXPECT_EQ(s->pin_status("contoso").carriers.front().lockout_count, 3);
    EXPECT_EQ(s->pin_status("contoso").carriers.front().failures_in_window, 15) << "every failure within the window";
    EXPECT_EQ(s->pin_status("contoso").failed_attempt_count, 5) << "one carrier's share of the ceiling";

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
    EXPECT_TRUE(carrier_lock(s->pin_status("contoso")));
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
    EXPECT_EQ(order.status, "PendingReview");
    s->cancel_order(order.order_id, "CustomerRequest");
    s->set_freeze("contoso", true);
    EXPECT_EQ(one_hash([&] {
                  return s->submit_order("contoso", {"+14255550100"}, "000001", "Carrier A", std::nullopt).reason ==
                         "PinNotAccepted";
              }),
              true);
    EXPECT_EQ(one_hash([&] {
                  return s->submit_order("contoso", {"+14255550100"}, "481605", "Carrier A", std::nullopt).reason ==
                         "PortOutFrozen";
              }),
              true);
    EXPECT_TRUE(s->verify_audit().is_valid);
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
    EXPECT_EQ(carrier_lock(s->pin_status("contoso")), clock->now_ms() + 10 * 60 * kMinute);
    clock->advance_ms(10 * 60 * kMinute);
    EXPECT_FALSE(s->check_pin("contoso", "000001"));
    EXPECT_EQ(carrier_lock(s->pin_status("contoso")), clock->now_ms() + 20 * 60 * kMinute);
    clock->advance_ms(20 * 60 * kMinute);
    EXPECT_FALSE(s->check_pin("contoso", "000001"));
    EXPECT_EQ(carrier_lock(s->pin_status("contoso")), clock->now_ms() + 24 * 60 * kMinute);
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

// The record is sealed to its tenant, and the tenant's state is anchored: a record copied from
// another tenant opens to nothing, the check fails as any refused check does, and the finding
// is recorded.
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
    EXPECT_FALSE(s->check_pin("fabrikam", "602917"));
    EXPECT_FALSE(s->check_pin("fabrikam", "481605"));
    EXPECT_EQ(error_id_of([&] { s->pin_status("fabrikam"); }), "StoreTampered");
    EXPECT_TRUE(s->check_pin("contoso", "602917"));
    EXPECT_EQ(column("SELECT count(*) FROM audit_events WHERE event_type = 'StoreTampered' AND tenant_id = 'fabrikam'"),
              "3");
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

TEST_F(ServiceTest, AnUnlockClearsTheCountAndTheLockAndIsAuditedAndNotified) {
    auto s = open();
    s->create_tenant("contoso", "Contoso", "US");
    s->set_pin("contoso", "602917");
    for (int i = 0; i < 5; ++i) EXPECT_FALSE(s->check_pin("contoso", "000001"));
    ASSERT_TRUE(carrier_lock(s->pin_status("contoso")));
    clock->advance_ms(kMinute);
    const auto st = s->unlock_pin("contoso");
    EXPECT_EQ(st.failed_attempt_count, 0);
    EXPECT_EQ(st.lockout_count, 0);
    EXPECT_FALSE(st.locked_until);
    EXPECT_TRUE(st.carriers.empty()) << "every carrier's count and lock cleared";
    EXPECT_EQ(st.last_check_result, "WrongPin") << "the last check's result stays for the admin";
    AuditQuery q;
    q.event_types = {"PinUnlocked"};
    const auto events = s->audit_events(q);
    ASSERT_EQ(events.size(), 1U);
    EXPECT_EQ(events[0].details, "failed_attempts=5 was_locked=false carriers_locked=1");
    EXPECT_EQ(events[0].occurred_at, kStart + kMinute);
    const auto notes = s->receive_notifications("pager", 100);
    ASSERT_FALSE(notes.empty());
    EXPECT_EQ(notes.back().kind, "PinUnlocked");
    EXPECT_EQ(notes.back().tenant_id, "contoso");
    EXPECT_TRUE(s->check_pin("contoso", "602917"));
    EXPECT_EQ(error_id_of([&] { s->unlock_pin("nobody"); }), "TenantNotFound");
}

TEST_F(ServiceTest, StatusesAreListedInPages) {
    auto s = open();
    for (const auto* id : {"contoso", "fabrikam", "northwind"}) s->create_tenant(id, id, "US");
    s->set_pin("fabrikam", "602917");
    const auto first = s->list_pin_status("", 2);
    ASSERT_EQ(first.size(), 2U);
    EXPECT_EQ(first[0].tenant_id, "contoso");
    EXPECT_FALSE(first[0].pin_is_set);
    EXPECT_TRUE(first[1].pin_is_set);
    EXPECT_EQ(first[1].pin_set_at, kStart);
    const auto rest = s->list_pin_status(first.back().tenant_id, 2);
    ASSERT_EQ(rest.size(), 1U);
    EXPECT_EQ(rest[0].tenant_id, "northwind");
}

// What any reader of the session's answers, errors, audit log or outbox sees: never the PIN,
// right or wrong, and never its hash.
TEST_F(ServiceTest, NoAnswerErrorEventOrNotificationHoldsThePin) {
    const std::vector<std::string> pins = {"602917", "481605", "000001", "123456"};
    std::vector<std::string> seen;
    auto s = open();
    s->create_tenant("contoso", "Contoso", "US");
    s->create_tenant("fabrikam", "Fabrikam", "GB");
    s->set_pin("contoso", "602917");
    for (const auto& call : std::vector<std::function<void()>>{
             [&] { s->set_pin("contoso", "602917"); },   // the same as the current
             [&] { s->set_pin("contoso", "123456"); },   // weak
             [&] { s->set_pin("fabrikam", "481605"); },  // outside the US
             [&] { s->set_pin("nobody", "481605"); },
         }) {
        try {
            call();
            ADD_FAILURE() << "a refused PIN was taken";
        } catch (const Error& e) {
            seen.emplace_back(e.what());
            seen.push_back(e.target());
        }
    }
    s->check_pin("contoso", "000001");
    s->check_pin("contoso", "602917");
    s->set_pin("contoso", "481605");
    s->add_number("contoso", "+1 425 555 0100");
    s->submit_order("contoso", {"+14255550100"}, "000001", "Carrier A", std::nullopt);
    for (const auto& e : s->audit_events({})) {
        seen.insert(seen.end(), {e.event_type, e.outcome, e.reason, e.details});
    }
    for (const auto& n : s->receive_notifications("pager", 1000)) {
        seen.insert(seen.end(), {n.kind, n.summary, n.details});
    }
    const auto st = s->pin_status("contoso");
    seen.push_back(st.last_check_result);
    ASSERT_GT(seen.size(), 20U);
    for (const auto& text : seen) {
        for (const auto& pin : pins) EXPECT_EQ(text.find(pin), std::string::npos) << "a PIN was shown";
        EXPECT_EQ(text.find("argon2"), std::string::npos) << "a hash was shown";
    }
}

}  // namespace
}  // namespace portout

namespace portout {
namespace {

using testing_support::error_id_of;
using testing_support::ServiceTest;

// What a check may change: the audit log, the outbox, each tenant's PIN state.
struct Footprint {
    std::size_t events = 0;
    std::size_t notifications = 0;
    std::vector<std::pair<int, std::optional<std::string>>> pins;
    friend bool operator==(const Footprint&, const Footprint&) = default;
};

Footprint footprint(PortOutService& s) {
    Footprint f;
    f.events = s.audit_events({}).size();
    f.notifications = s.receive_notifications("footprint", 100000).size();
    for (const auto& st : s.list_pin_status("", 1000)) f.pins.emplace_back(st.failed_attempt_count, st.last_check_result);
    return f;
}

// A PIN longer than the seed's longest (ten characters) is no port-out PIN for any tenant:
// refused as it comes with PinTooLong, the same answer for a tenant known or not, with or
// without a PIN, locked, frozen or outside the US (the bound is the seed's, not the tenant's
// policy, so it tells nothing of any tenant), before anything is read, counted, hashed or
// recorded. A hundred megabytes is answered as fast as eleven characters. The check is an
// admin's; the port-out request a carrier's.
TEST_F(ServiceTest, AnOverlongPinIsRefusedBeforeItIsCountedOrHashed) {
    auto s = open();
    s->create_tenant("contoso", "Contoso", "US");
    s->create_tenant("nopin", "No PIN", "US");
    s->create_tenant("fabrikam", "Fabrikam", "GB");
    s->create_tenant("locked", "Locked", "US");
    s->create_tenant("frozen", "Frozen", "US");
    for (const auto* t : {"contoso", "locked", "frozen"}) s->set_pin(t, "602917");
    for (int i = 0; i < 5; ++i) s->check_pin("locked", "000000");
    s->set_freeze("frozen", true);
    auto carrier = as(Role::Carrier);
    const std::string huge(100'000'000, '7');
    const std::string eleven = "60291748163";
    const auto before = footprint(*s);
    for (const auto* tenant : {"contoso", "nopin", "fabrikam", "locked", "frozen", "unknown"}) {
        for (const auto* pin : {&eleven, &huge}) {
            std::string message;
            try {
                s->check_pin(tenant, *pin);
                ADD_FAILURE() << "an over-long PIN was checked for " << tenant;
            } catch (const InvalidArgumentError& e) {
                EXPECT_EQ(e.error_id(), "PinTooLong") << tenant;
                EXPECT_EQ(std::string(e.what()).find("602917"), std::string::npos);
                EXPECT_EQ(std::string(e.what()).find("777"), std::string::npos);
                message = e.what();
            }
            EXPECT_EQ(message.find(tenant), std::string::npos) << "the message varies with the tenant";
            EXPECT_EQ(error_id_of([&] { carrier->submit_order(tenant, {"+14255550100"}, *pin, "Northwind", std::nullopt); }),
                      "PinTooLong")
                << tenant;
        }
    }
    EXPECT_EQ(footprint(*s), before) << "an over-long PIN was counted or recorded";
    EXPECT_TRUE(s->list_orders({}).empty());
    EXPECT_TRUE(s->check_pin("contoso", "602917")) << "the right PIN still opens";
}

// The early refusal is the seed's bound, never the tenant's policy: a PIN within ten characters
// but over the tenant's maximum is checked as any wrong PIN is (counted, false); ten full-width
// digits are ten characters (thirty bytes), checked too.
TEST_F(ServiceTest, TheEarlyRefusalIsTheSeedsBoundNotTheTenants) {
    auto s = open();
    s->create_tenant("contoso", "Contoso", "US");
    PolicyChange narrow;
    narrow.min_length = 6;
    narrow.max_length = 8;
    s->set_policy("contoso", narrow);
    s->set_pin("contoso", "60291748");
    EXPECT_FALSE(s->check_pin("contoso", "6029174816"));
    EXPECT_EQ(s->pin_status("contoso").failed_attempt_count, 1);
    const std::string full_width = "\xef\xbc\x96\xef\xbc\x90\xef\xbc\x92\xef\xbc\x99\xef\xbc\x91"
                                   "\xef\xbc\x97\xef\xbc\x94\xef\xbc\x98\xef\xbc\x91\xef\xbc\x96";
    EXPECT_FALSE(s->check_pin("contoso", full_width));
    EXPECT_EQ(s->pin_status("contoso").failed_attempt_count, 2);
    EXPECT_EQ(error_id_of([&] { s->check_pin("contoso", full_width + "1"); }), "PinTooLong");
    EXPECT_EQ(s->pin_status("contoso").failed_attempt_count, 2);
    EXPECT_FALSE(longer_than_any_pin("6029174816"));
    EXPECT_TRUE(longer_than_any_pin("60291748163"));
    EXPECT_FALSE(longer_than_any_pin(full_width));
}

// Setting an over-long PIN is the policy's TooLong, said before the tenant is read or the PIN
// hashed; nothing changes.
TEST_F(ServiceTest, SettingAnOverlongPinIsTooLongAndChangesNothing) {
    auto s = open();
    s->create_tenant("contoso", "Contoso", "US");
    s->set_pin("contoso", "602917");
    const auto before = footprint(*s);
    for (const auto& pin : {std::string("60291748163"), std::string(100'000'000, '7')}) {
        for (const auto* tenant : {"contoso", "unknown"}) {
            try {
                s->set_pin(tenant, pin);
                ADD_FAILURE() << "an over-long PIN was set";
            } catch (const PinPolicyError& e) {
                ASSERT_EQ(e.violations().size(), 1U);
                EXPECT_EQ(e.violations()[0].rule, PinRule::TooLong);
                EXPECT_EQ(std::string(e.what()).find("777"), std::string::npos);
            }
        }
    }
    EXPECT_EQ(footprint(*s), before);
    EXPECT_TRUE(s->check_pin("contoso", "602917"));
}

// A summary at a glance, for a store's display: counted in one statement, or over a scope.
TEST_F(ServiceTest, TenantsAreCountedByStateForTheSessionsScope) {
    auto s = open();
    for (const auto* id : {"a.example", "b.example", "c.example"}) s->create_tenant(id, "T", "US");
    s->create_tenant("uk.example", "UK", "GB");
    s->set_pin("a.example", "602917");
    s->set_pin("b.example", "602917");
    s->set_freeze("c.example", true);
    PolicyChange c;
    c.tenant_max_failures = 1;  // locked for every carrier: what a glance counts
    c.failure_window_ms = 10 * kMinute;
    s->set_policy(std::nullopt, c);
    EXPECT_FALSE(s->check_pin("b.example", "000001"));
    auto counts = s->count_tenants();
    EXPECT_EQ(counts.tenants, 4);
    EXPECT_EQ(counts.us, 3);
    EXPECT_EQ(counts.with_pin, 2);
    EXPECT_EQ(counts.frozen, 1);
    EXPECT_EQ(counts.locked, 1);
    clock->advance_ms(10 * kMinute);
    EXPECT_EQ(s->count_tenants().locked, 0) << "a lock that has expired is not counted";

    const auto scoped = as(Role::Auditor, {"a.example", "uk.example", "gone.example"})->count_tenants();
    EXPECT_EQ(scoped.tenants, 2);
    EXPECT_EQ(scoped.us, 1);
    EXPECT_EQ(scoped.with_pin, 1);
    EXPECT_EQ(error_id_of([&] { as(Role::Carrier)->count_tenants(); }), "AccessDenied");
}

}  // namespace
}  // namespace portout
