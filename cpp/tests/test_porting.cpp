// Port-out requests as carriers send them (issue 17): the request's fields and the tenant's
// account details, checked only behind the right PIN; failed PINs counted per carrier under a
// tenant-wide ceiling; the review window on a manual clock; the FOC's rules; every transition in
// the order's history and told to both sides.
#include <portout/business_calendar.hpp>
#include <portout/errors.hpp>
#include <portout/pin_hasher.hpp>
#include <portout/service.hpp>

#include "service_fixture.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace portout {
namespace {

using testing_support::error_id_of;
using testing_support::kMinute;
using testing_support::kStart;  // Monday 2026-09-21, 10:13 in New York
using testing_support::ServiceTest;

constexpr Millis kHour = 60 * kMinute;
constexpr Millis kDay = 24 * kHour;
const std::string kPin = "602917";
const std::string N1 = "+14255550100", N2 = "+14255550101", N3 = "+14255550102";

// An instant given as a UTC date and hour.
Millis utc(const char* date, int hour) {
    return *parse_date(date) * kDay + hour * kHour;
}

class PortingTest : public ServiceTest {
protected:
    void SetUp() override {
        admin = open();
        admin->create_tenant("contoso", "Contoso Ltd.", "US");
        admin->set_pin("contoso", kPin);
        for (const auto& n : {N1, N2, N3}) admin->add_number("contoso", n);
        TenantChange c;
        c.service_zip = "98052";
        c.authorized_name = "Megan Bowen";
        account = admin->update_tenant("contoso", c).account_number;
        northwind = as(Role::Carrier, {}, 30000, "northwind");
        fourth = as(Role::Carrier, {}, 30000, "fourth-coffee");
    }
    PortOutRequest request(std::vector<std::string> numbers = {N1}) const {
        PortOutRequest r;
        r.tenant_id = "contoso";
        r.numbers = std::move(numbers);
        r.account_number = account;
        r.service_zip = "98052";
        r.authorized_name = "Megan Bowen";
        r.carrier_name = "Northwind Traders";
        r.carrier_spid = "6529";
        r.pon = "PON-1001";
        r.requested_due = clock->now_ms() + 3 * kDay;
        return r;
    }
    Order submit(PortOutService& s, const PortOutRequest& r, const std::string& pin = kPin) {
        return s.submit_order(r, pin);
    }
    std::vector<std::string> kinds(PortOutService& s, const std::string& consumer) {
        std::vector<std::string> out;
        for (const auto& n : s.receive_notifications(consumer, 1000)) out.push_back(n.kind);
        return out;
    }

    std::unique_ptr<PortOutService> admin;
    std::unique_ptr<PortOutService> northwind;
    std::unique_ptr<PortOutService> fourth;
    std::string account;
};

// ---- the tenant's account details ------------------------------------------------------------

TEST_F(PortingTest, ATenantHasAnAccountNumberItsAdminsSeeAndCanChange) {
    EXPECT_EQ(account.size(), 12U);
    EXPECT_TRUE(std::all_of(account.begin(), account.end(), [](char c) { return c >= '0' && c <= '9'; }));
    const auto t = admin->get_tenant("contoso");
    EXPECT_EQ(t.service_zip, "98052");
    EXPECT_EQ(t.authorized_name, "Megan Bowen");
    EXPECT_EQ(t.time_zone, "America/New_York");
    EXPECT_EQ(as(Role::Auditor)->get_tenant("contoso").account_number, "********" + account.substr(8))
        << "an Auditor sees its last four";
    const auto order = submit(*northwind, request());
    EXPECT_EQ(as(Role::Auditor)->get_order(order.order_id).account_number, "********" + account.substr(8))
        << "on an order too";
    EXPECT_EQ(northwind->get_order(order.order_id).account_number, account) << "the carrier sent it";
    EXPECT_EQ(as(Role::TelephonyAdmin, {"contoso"})->get_tenant("contoso").account_number, account);
    admin->create_tenant("fabrikam", "Fabrikam", "US");
    EXPECT_NE(admin->get_tenant("fabrikam").account_number, account);

    TenantChange c;
    c.account_number = "ab-1234 5678";
    EXPECT_EQ(admin->update_tenant("contoso", c).account_number, "AB12345678");
    c = {};
    c.new_account_number = true;
    const auto fresh = admin->update_tenant("contoso", c).account_number;
    EXPECT_EQ(fresh.size(), 12U);
    EXPECT_NE(fresh, "AB12345678");
    c = {};
    c.account_number = fresh;
    EXPECT_EQ(error_id_of([&] { admin->update_tenant("fabrikam", c); }), "AccountNumberInUse");
    c = {};
    c.time_zone = "America/Los_Angeles";
    c.authorized_name = "";
    EXPECT_EQ(admin->update_tenant("contoso", c).authorized_name, "Contoso Ltd.") << "back to the display name";
    AuditQuery q;
    q.event_types = {"TenantAccountUpdated"};
    EXPECT_EQ(admin->audit_events(q).size(), 4U);
    // Bad values: typed errors, nothing changed or recorded.
    const auto before = admin->audit_events({}).size();
    for (const auto& [change, id] : std::vector<std::pair<TenantChange, std::string>>{
             {[] { TenantChange a; a.service_zip = "9805"; return a; }(), "InvalidPostalCode"},
             {[] { TenantChange a; a.service_zip = "98052-12"; return a; }(), "InvalidPostalCode"},
             {[] { TenantChange a; a.account_number = "12"; return a; }(), "InvalidAccountNumber"},
             {[] { TenantChange a; a.account_number = "12#45"; return a; }(), "InvalidAccountNumber"},
             {[] { TenantChange a; a.time_zone = "Mars/Olympus"; return a; }(), "UnknownTimeZone"},
             {[] { TenantChange a; a.authorized_name = "a\nb"; return a; }(), "InvalidDisplayName"},
             {[] { TenantChange a; a.account_number = "1234"; a.new_account_number = true; return a; }(),
              "AmbiguousAccountNumber"},
         }) {
        EXPECT_EQ(error_id_of([&] { admin->update_tenant("contoso", change); }), id);
    }
    // A rename with a bad zone, or a change the session may make only in part: all or nothing.
    TenantChange both;
    both.display_name = "Renamed";
    both.time_zone = "Mars/Olympus";
    EXPECT_EQ(error_id_of([&] { admin->update_tenant("contoso", both); }), "UnknownTimeZone");
    both.time_zone = "America/Denver";
    EXPECT_EQ(error_id_of([&] { as(Role::TelephonyAdmin, {"contoso"})->update_tenant("contoso", both); }),
              "AccessDenied");
    EXPECT_EQ(admin->get_tenant("contoso").display_name, "Contoso Ltd.");
    EXPECT_EQ(admin->get_tenant("contoso").time_zone, "America/Los_Angeles");
    EXPECT_EQ(admin->audit_events({}).size(), before + 1) << "only the refusal, audited";
    EXPECT_EQ(error_id_of([&] { northwind->update_tenant("contoso", {}); }), "AccessDenied");
    EXPECT_EQ(error_id_of([&] { as(Role::Auditor)->update_tenant("contoso", {}); }), "AccessDenied");
}

// ---- the request's fields, checked behind the right PIN ----------------------------------------

TEST_F(PortingTest, ARequestCarriesItsFieldsAndWaitsForReview) {
    const auto o = submit(*northwind, request({N1, N2}));
    EXPECT_EQ(o.status, "PendingReview");
    EXPECT_EQ(o.carrier_spid, "6529");
    EXPECT_EQ(o.pon, "PON-1001");
    EXPECT_EQ(o.account_number, account);
    EXPECT_EQ(o.service_zip, "98052");
    EXPECT_EQ(o.authorized_name, "Megan Bowen");
    EXPECT_EQ(o.port_type, "Partial");
    EXPECT_EQ(o.requested_foc, kStart + 3 * kDay);
    EXPECT_EQ(o.review_deadline, kStart + kDay) << "24 business hours from a Monday morning";
    const auto history = northwind->order_history(o.order_id);
    ASSERT_EQ(history.size(), 1U);
    EXPECT_EQ(history[0].to_status, "PendingReview");
    EXPECT_EQ(history[0].actor, "northwind");
    // Found by the account number alone.
    auto by_account = request({N3});
    by_account.tenant_id.clear();
    by_account.account_number = account.substr(0, 4) + " " + account.substr(4);
    const auto found = submit(*fourth, by_account);
    EXPECT_EQ(found.status, "PendingReview");
    EXPECT_EQ(found.tenant_id, "contoso");
}

TEST_F(PortingTest, EachMismatchHasItsOwnReasonBehindTheRightPin) {
    struct Case {
        std::function<void(PortOutRequest&)> change;
        std::string reason;
    };
    const std::vector<Case> cases = {
        {[](PortOutRequest& r) { r.service_zip = "10001"; }, "PostalCodeMismatch"},
        {[](PortOutRequest& r) { r.account_number = "999999999999"; }, "AccountNumberMismatch"},
        {[](PortOutRequest& r) { r.authorized_name = "Someone Else"; }, "AuthorizedNameMismatch"},
        {[](PortOutRequest& r) { r.port_type = "Full"; }, "FullPortIncomplete"},
        {[](PortOutRequest& r) { r.numbers = {N1, N2, N3}; r.port_type = "partial"; }, "PartialPortNotAllowed"},
    };
    for (const auto& c : cases) {
        auto r = request();
        c.change(r);
        const auto o = submit(*northwind, r);
        EXPECT_EQ(o.status, "Rejected") << c.reason;
        EXPECT_EQ(o.reason, c.reason) << "the carrier that gave the right PIN is told";
        EXPECT_EQ(admin->get_order(o.order_id).internal_reason.substr(0, c.reason.size()), c.reason);
    }
    // What does match, as people write it: ZIP+4, another case, other spacing and punctuation.
    auto r = request();
    r.service_zip = "98052-6399";
    r.authorized_name = "  megan   BOWEN ";
    EXPECT_EQ(submit(*northwind, r).status, "PendingReview");
    auto full = request({N1, N2, N3});
    full.port_type = "Full";
    EXPECT_EQ(submit(*fourth, full).reason, "NumberInOpenOrder") << "N1 is in the open order";
    EXPECT_EQ(admin->pin_status("contoso").failed_attempt_count, 0) << "a mismatch is not a wrong PIN";
}

// A wrong PIN with a wrong ZIP must look exactly like a wrong PIN alone: the same answer, the
// same work, the same records; nothing tells the guesser which of its fields were right.
TEST_F(PortingTest, AWrongPinWithAWrongZipLooksExactlyLikeAWrongPin) {
    const auto answer = [&](const PortOutRequest& r) {
        const auto hashes = argon2_computations();
        const auto events = admin->audit_events({}).size();
        const auto o = submit(*northwind, r, "000001");
        return std::tuple{o.status, o.reason, o.internal_reason, o.numbers[0].problem,
                          argon2_computations() - hashes, admin->audit_events({}).size() - events,
                          admin->get_order(o.order_id).internal_reason};
    };
    const auto alone = answer(request());
    auto r = request();
    r.service_zip = "10001";
    r.account_number = "999999999999";
    r.authorized_name = "Someone Else";
    r.numbers = {"+14255550177"};
    const auto all_wrong = answer(r);
    EXPECT_EQ(alone, all_wrong);
    EXPECT_EQ(std::get<1>(alone), "PinNotAccepted");
    EXPECT_EQ(std::get<6>(alone), "WrongPin");
    // An account number no tenant has is answered as an unknown tenant is, after one hash.
    auto unknown = request();
    unknown.tenant_id.clear();
    unknown.account_number = "999999999999";
    const auto hashes = argon2_computations();
    const auto o = submit(*northwind, unknown);
    EXPECT_EQ(argon2_computations() - hashes, 1U);
    EXPECT_EQ(o.reason, "PinNotAccepted");
    EXPECT_EQ(admin->get_order(o.order_id).internal_reason, "UnknownAccount");
}

TEST_F(PortingTest, MalformedFieldsAreRefusedBeforeAnythingIsReadOrStored) {
    const auto before = admin->audit_events({}).size();
    const std::vector<std::pair<std::function<void(PortOutRequest&)>, std::string>> cases = {
        {[](PortOutRequest& r) { r.carrier_spid = "65"; }, "InvalidSpid"},
        {[](PortOutRequest& r) { r.carrier_spid = "65-9"; }, "InvalidSpid"},
        {[](PortOutRequest& r) { r.pon = std::string(33, 'P'); }, "InvalidPon"},
        {[](PortOutRequest& r) { r.pon = "PON 1"; }, "InvalidPon"},
        {[](PortOutRequest& r) { r.service_zip = "ABCDE"; }, "InvalidPostalCode"},
        {[](PortOutRequest& r) { r.account_number = "!"; }, "InvalidAccountNumber"},
        {[](PortOutRequest& r) { r.authorized_name = "\x01"; }, "InvalidAuthorizedName"},
        {[](PortOutRequest& r) { r.port_type = "Most"; }, "InvalidPortType"},
        {[](PortOutRequest& r) { r.requested_due = kStart - 2 * kDay; }, "DueDateInPast"},
        {[](PortOutRequest& r) { r.tenant_id.clear(); r.account_number.clear(); }, "NoTenant"},
        {[](PortOutRequest& r) { r.carrier_name.clear(); }, "InvalidCarrier"},
    };
    for (const auto& [change, id] : cases) {
        auto r = request();
        change(r);
        EXPECT_EQ(error_id_of([&] { submit(*northwind, r); }), id);
    }
    EXPECT_EQ(admin->audit_events({}).size(), before) << "nothing recorded";
    EXPECT_TRUE(admin->list_orders({}).empty());
    EXPECT_EQ(admin->pin_status("contoso").failed_attempt_count, 0) << "nothing counted";
    auto lower = request();
    lower.carrier_spid = "ab1c";
    EXPECT_EQ(submit(*northwind, lower).carrier_spid, "AB1C");
}

// ---- the lockout, partitioned by carrier -------------------------------------------------------

// Any carrier could lock a tenant's port-outs for everyone with five wrong PINs (65 requests
// kept one locked for 7 days, and the right PIN was refused). Now the sprayer locks itself out.
TEST_F(PortingTest, OneCarrierSprayingWrongPinsDoesNotStopAnotherWithTheRightOne) {
    for (int i = 0; i < 65; ++i) {
        EXPECT_EQ(submit(*northwind, request(), "0000" + std::to_string(10 + i)).reason, "PinNotAccepted");
        if (i % 5 == 4) clock->advance_ms(kMinute);
    }
    const auto status = admin->pin_status("contoso");
    ASSERT_EQ(status.carriers.size(), 1U);
    EXPECT_EQ(status.carriers[0].carrier, "northwind");
    EXPECT_TRUE(status.carriers[0].locked_until) << "the sprayer is locked out";
    EXPECT_EQ(status.carriers[0].failures_in_window, 5) << "only what it was allowed to try counted";
    EXPECT_FALSE(status.locked_until) << "not everyone";
    EXPECT_EQ(admin->get_order(submit(*northwind, request()).order_id).internal_reason, "Locked")
        << "even the right PIN, from the locked carrier";
    auto r = request({N2});
    r.carrier_name = "Fourth Coffee";
    const auto theirs = submit(*fourth, r);
    EXPECT_EQ(theirs.status, "PendingReview") << "another carrier's right PIN goes through";
    AuditQuery q;
    q.event_types = {"PinLockedOut"};
    const auto locks = admin->audit_events(q);
    ASSERT_EQ(locks.size(), 1U);
    EXPECT_NE(locks[0].details.find("carrier=northwind"), std::string::npos);
}

// One carrier guessing on as each of its locks runs out (15 min, 30, 60, ... up to 24 hours)
// never reaches the tenant-wide ceiling alone: its share of it is its own five.
TEST_F(PortingTest, OneCarrierAloneNeverLocksEveryoneOut) {
    int tried = 0;
    for (int round = 0; round < 8; ++round) {
        for (int i = 0; i < 5; ++i, ++tried) submit(*northwind, request(), "00000" + std::to_string(i));
        const auto status = admin->pin_status("contoso");
        EXPECT_FALSE(status.locked_until) << tried << " wrong PINs from one carrier lock no one else out";
        EXPECT_EQ(status.failed_attempt_count, 5) << "its share of the ceiling";
        ASSERT_TRUE(status.carriers.at(0).locked_until);
        EXPECT_GE(status.carriers.at(0).failures_in_window, 5) << "all its failures within the window";
        clock->advance_ms(*status.carriers.at(0).locked_until - clock->now_ms());  // its lock runs out
    }
    EXPECT_EQ(tried, 40);
    auto r = request({N2});
    r.carrier_name = "Fourth Coffee";
    EXPECT_EQ(submit(*fourth, r).status, "PendingReview");
}

TEST_F(PortingTest, ATenantWideCeilingLocksEveryoneAndItsAdminLiftsIt) {
    // Twenty failures from five carriers, none locked by its own count: the ceiling is reached.
    std::vector<std::unique_ptr<PortOutService>> sprayers;
    for (int c = 0; c < 5; ++c) sprayers.push_back(as(Role::Carrier, {}, 30000, "sprayer-" + std::to_string(c)));
    for (int i = 0; i < 4; ++i) {
        for (auto& s : sprayers) EXPECT_EQ(submit(*s, request(), "000001").reason, "PinNotAccepted");
    }
    auto status = admin->pin_status("contoso");
    EXPECT_EQ(status.failed_attempt_count, 20);
    EXPECT_EQ(status.locked_until, kStart + kDay) << "every carrier, for the window";
    EXPECT_EQ(status.carriers.size(), 5U);
    const auto refused = submit(*northwind, request());
    EXPECT_EQ(refused.reason, "PinNotAccepted");
    EXPECT_EQ(admin->get_order(refused.order_id).internal_reason, "TenantLocked");
    const auto notes = kinds(*admin, "ops");
    EXPECT_NE(std::find(notes.begin(), notes.end(), "PortOutLocked"), notes.end()) << "the tenant is told";
    // Its admin lifts it; the right PIN goes through.
    const auto lifted = as(Role::TelephonyAdmin, {"contoso"})->unlock_pin("contoso");
    EXPECT_FALSE(lifted.locked_until);
    EXPECT_TRUE(lifted.carriers.empty());
    EXPECT_EQ(submit(*northwind, request()).status, "PendingReview");
    // Failures older than the window no longer count.
    for (int i = 0; i < 3; ++i) submit(*fourth, request({N2}), "000001");
    EXPECT_EQ(admin->pin_status("contoso").failed_attempt_count, 3);
    clock->advance_ms(kDay + kMinute);
    EXPECT_EQ(admin->pin_status("contoso").failed_attempt_count, 0);
    EXPECT_TRUE(admin->pin_status("contoso").carriers.empty());
}

TEST_F(PortingTest, BothLimitsArePolicySettings) {
    PolicyChange c;
    c.max_failed_attempts = 2;
    c.tenant_max_failures = 3;
    c.failure_window_ms = kHour;
    const auto p = admin->set_policy("contoso", c);
    EXPECT_EQ(p.tenant_max_failures, 3);
    EXPECT_EQ(p.failure_window_ms, kHour);
    submit(*northwind, request(), "000001");
    submit(*northwind, request(), "000001");
    EXPECT_TRUE(admin->pin_status("contoso").carriers[0].locked_until) << "two, for this tenant";
    EXPECT_FALSE(admin->pin_status("contoso").locked_until);
    submit(*fourth, request(), "000001");
    EXPECT_EQ(admin->pin_status("contoso").locked_until, kStart + kHour) << "three in all";
    for (const auto& [change, id] : std::vector<std::pair<PolicyChange, std::string>>{
             {[] { PolicyChange x; x.tenant_max_failures = 0; return x; }(), "InvalidPortingPolicy"},
             {[] { PolicyChange x; x.failure_window_ms = 1000; return x; }(), "InvalidPortingPolicy"},
             {[] { PolicyChange x; x.review_deadline_action = "Maybe"; return x; }(), "InvalidPortingPolicy"},
             {[] { PolicyChange x; x.holidays = std::vector<std::string>{"2026-13-01"}; return x; }(),
              "InvalidPortingPolicy"},
             {[] { PolicyChange x; x.max_foc_days = 0; return x; }(), "InvalidPortingPolicy"},
             {[] { PolicyChange x; x.review_window_ms = -1; return x; }(), "InvalidPortingPolicy"},
             {[] { PolicyChange x; x.min_foc_business_days = 31; return x; }(), "InvalidPortingPolicy"},
             {[] { PolicyChange x; x.cancel_cutoff_ms = 31 * kDay; return x; }(), "InvalidPortingPolicy"},
             {[] { PolicyChange x; x.holidays = std::vector<std::string>(501, "2026-12-24"); return x; }(),
              "InvalidPortingPolicy"},
         }) {
        const auto events = admin->audit_events({}).size();
        EXPECT_EQ(error_id_of([&] { admin->set_policy(std::nullopt, change); }), id);
        EXPECT_EQ(admin->audit_events({}).size(), events) << "nothing recorded";
    }
    const auto kept = admin->get_policy(std::nullopt);
    EXPECT_EQ(kept.tenant_max_failures, 20) << "the default, unchanged";
    EXPECT_EQ(kept.review_window_ms, kDay);
    EXPECT_EQ(kept.min_foc_business_days, 1);
    EXPECT_EQ(kept.cancel_cutoff_ms, kDay);
    EXPECT_TRUE(kept.holidays.empty());
}

// ---- the review window -------------------------------------------------------------------------

TEST_F(PortingTest, TheReviewDeadlinePassesOnAManualClock) {
    const auto o = submit(*northwind, request());
    clock->advance_ms(kDay - kMinute);
    EXPECT_EQ(northwind->get_order(o.order_id).status, "PendingReview");
    clock->advance_ms(kMinute);
    const auto settled = northwind->get_order(o.order_id);
    EXPECT_EQ(settled.status, "Approved") << "the policy's action, Approve by default";
    EXPECT_EQ(settled.approved_at, kStart + kDay);
    const auto history = admin->order_history(o.order_id);
    ASSERT_EQ(history.size(), 2U);
    EXPECT_EQ(history[1].actor, "review deadline");
    EXPECT_EQ(history[1].from_status, "PendingReview");
    EXPECT_EQ(history[1].to_status, "Approved");
    // Denied at the deadline, where the policy says so: the numbers are free again.
    PolicyChange c;
    c.review_deadline_action = "Deny";
    admin->set_policy("contoso", c);
    const auto second = submit(*northwind, request({N2}));
    clock->advance_ms(kDay);
    EXPECT_EQ(admin->settle_due_reviews(), 1);
    const auto denied = northwind->get_order(second.order_id);
    EXPECT_EQ(denied.status, "Denied");
    EXPECT_EQ(denied.reason, "ReviewDeadlinePassed");
    EXPECT_EQ(submit(*fourth, request({N2})).status, "PendingReview");
    // A request on a Friday afternoon waits over the weekend.
    clock->advance_ms(utc("2026-09-25", 19) - clock->now_ms());
    const auto friday = submit(*northwind, request({N3}));
    EXPECT_EQ(friday.review_deadline, utc("2026-09-28", 19));
}

TEST_F(PortingTest, ApprovalAndDenialTakeAReasonAndBothSidesAreTold) {
    const auto a = submit(*northwind, request());
    const auto b = submit(*northwind, request({N2}));
    auto desk = as(Role::TelephonyAdmin, {"contoso"});
    EXPECT_EQ(desk->approve_order(a.order_id, "checked with the customer").status, "Approved");
    EXPECT_EQ(error_id_of([&] { desk->deny_order(b.order_id, "Because", ""); }), "InvalidReasonCode");
    EXPECT_EQ(error_id_of([&] { desk->deny_order(b.order_id, "Other", ""); }), "CommentRequired");
    const auto denied = desk->deny_order(b.order_id, "SuspectedFraud", "the customer did not ask for this");
    EXPECT_EQ(denied.status, "Denied");
    const auto seen = northwind->get_order(b.order_id);
    EXPECT_EQ(seen.reason, "SuspectedFraud") << "the carrier sees the reason code";
    EXPECT_EQ(seen.comment, "the customer did not ask for this");
    EXPECT_EQ(error_id_of([&] { desk->approve_order(b.order_id, ""); }), "InvalidOrderTransition");
    EXPECT_EQ(error_id_of([&] { northwind->approve_order(a.order_id, ""); }), "AccessDenied");
    // The carrier's own consumer hears of its orders only, without the exact reasons.
    const auto theirs = northwind->receive_notifications("orders", 100);
    std::vector<std::string> seen_kinds;
    for (const auto& n : theirs) {
        seen_kinds.push_back(n.kind);
        EXPECT_EQ(n.details.find("internal"), std::string::npos);
    }
    EXPECT_EQ(seen_kinds, (std::vector<std::string>{"PortOutRequest", "PortOutRequest", "OrderApproved", "OrderDenied"}));
    EXPECT_TRUE(fourth->receive_notifications("orders", 100).empty()) << "another carrier hears nothing";
    const auto tenant_side = kinds(*admin, "ops");
    EXPECT_NE(std::find(tenant_side.begin(), tenant_side.end(), "OrderDenied"), tenant_side.end());
    const auto history = northwind->order_history(b.order_id);
    ASSERT_EQ(history.size(), 2U);
    EXPECT_EQ(history[1].actor, "TelephonyAdmin@example");
    EXPECT_EQ(history[1].reason, "SuspectedFraud");
    EXPECT_EQ(history[1].comment, "the customer did not ask for this");
    // A comment is one line of at most 256 characters; a cancellation for Other says why.
    const auto c = submit(*northwind, request({N3}));
    const auto steps = admin->order_history(c.order_id).size();
    for (const auto& bad : {std::string(257, 'x'), std::string("two\nlines")}) {
        EXPECT_EQ(error_id_of([&] { desk->approve_order(c.order_id, bad); }), "InvalidComment");
        EXPECT_EQ(error_id_of([&] { desk->deny_order(c.order_id, "Other", bad); }), "InvalidComment");
        EXPECT_EQ(error_id_of([&] { northwind->cancel_order(c.order_id, "Other", bad); }), "InvalidComment");
    }
    EXPECT_EQ(error_id_of([&] { northwind->cancel_order(c.order_id, "Other", ""); }), "CommentRequired");
    EXPECT_EQ(admin->get_order(c.order_id).status, "PendingReview") << "nothing changed";
    EXPECT_EQ(admin->order_history(c.order_id).size(), steps);
    EXPECT_EQ(desk->approve_order(c.order_id, std::string(256, 'x')).comment.size(), 256U);
}

// ---- the FOC -----------------------------------------------------------------------------------

TEST_F(PortingTest, TheFocKeepsToBusinessDaysAndItsBounds) {
    const auto o = submit(*northwind, request());
    admin->approve_order(o.order_id, "");  // Monday 2026-09-21
    const auto refused = [&](Millis foc) { return error_id_of([&] { admin->confirm_order(o.order_id, foc); }); };
    EXPECT_EQ(refused(utc("2026-09-26", 16)), "FocNotBusinessDay") << "a Saturday";
    EXPECT_EQ(refused(kStart - kHour), "FocInPast");
    EXPECT_EQ(refused(utc("2026-09-21", 20)), "FocTooEarly") << "the day of approval";
    EXPECT_EQ(refused(kStart + 31 * kDay), "FocTooLate");
    PolicyChange c;
    c.holidays = std::vector<std::string>{"2026-09-22"};
    admin->set_policy("contoso", c);
    EXPECT_EQ(refused(utc("2026-09-22", 16)), "FocNotBusinessDay") << "the policy's holiday";
    EXPECT_EQ(refused(utc("2026-10-12", 16)), "FocNotBusinessDay") << "Columbus Day";
    EXPECT_EQ(admin->order_history(o.order_id).size(), 2U) << "nothing recorded";
    const auto confirmed = admin->confirm_order(o.order_id, utc("2026-09-23", 16));
    EXPECT_EQ(confirmed.status, "Confirmed");
    // A changed FOC is its own operation, under the same rules, with its own notice.
    EXPECT_EQ(error_id_of([&] { admin->change_foc(o.order_id, utc("2026-09-27", 16), ""); }), "FocNotBusinessDay");
    const auto moved = admin->change_foc(o.order_id, utc("2026-09-24", 16), "the customer asked");
    EXPECT_EQ(moved.foc, utc("2026-09-24", 16));
    EXPECT_EQ(kinds(*admin, "ops").back(), "OrderFocChanged");
    EXPECT_EQ(northwind->receive_notifications("orders", 100).back().kind, "OrderFocChanged");
    // Not completed before the FOC date; completed on it.
    EXPECT_EQ(error_id_of([&] { admin->complete_order(o.order_id); }), "FocNotReached");
    clock->advance_ms(utc("2026-09-24", 4) + 30 * kMinute - clock->now_ms());  // 00:30 in New York
    EXPECT_EQ(admin->complete_order(o.order_id).status, "Completed");
    const auto history = admin->order_history(o.order_id);
    std::vector<std::string> steps;
    for (const auto& s : history) steps.push_back(s.to_status);
    EXPECT_EQ(steps, (std::vector<std::string>{"PendingReview", "Approved", "Confirmed", "Confirmed", "Completed"}));
}

TEST_F(PortingTest, ACancellationTooCloseToTheFocIsRefused) {
    const auto o = submit(*northwind, request());
    admin->confirm_order(o.order_id, utc("2026-09-23", 16));  // approved by confirming
    EXPECT_EQ(error_id_of([&] { northwind->cancel_order(o.order_id, "Whim", ""); }), "InvalidReasonCode");
    clock->advance_ms(utc("2026-09-22", 17) - clock->now_ms());  // 23 hours before the FOC
    EXPECT_EQ(error_id_of([&] { northwind->cancel_order(o.order_id, "CustomerRequest", ""); }), "CancelTooLate");
    PolicyChange c;
    c.cancel_cutoff_ms = 2 * kHour;
    admin->set_policy("contoso", c);
    const auto cancelled = northwind->cancel_order(o.order_id, "CustomerRequest", "the customer stays");
    EXPECT_EQ(cancelled.status, "Cancelled");
    EXPECT_EQ(cancelled.reason, "CustomerRequest");
}

}  // namespace
}  // namespace portout
