// Port-out orders and the freeze, through the service: a request validated in full and kept
// PendingReview or Rejected, the carrier told no more than PinNotAccepted; PendingReview ->
// Confirmed (with its FOC date) -> Completed (the numbers leave the inventory), or Cancelled; a
// carrier's own orders only; a scoped session's refusal at once; a frozen tenant refused before
// its PIN. The request's fields, the review and the FOC rules are in test_porting.cpp.
#include <portout/errors.hpp>
#include <portout/pin_hasher.hpp>
#include <portout/service.hpp>

#include "service_fixture.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace portout {
namespace {

using testing_support::error_id_of;
using testing_support::kMinute;
using testing_support::kStart;
using testing_support::ServiceTest;

constexpr Millis kDay = 24 * 60 * kMinute;
const std::string kPin = "602917";
const std::string N1 = "+14255550100", N2 = "+14255550101", N3 = "+14255550102";

class OrderTest : public ServiceTest {
protected:
    void SetUp() override {
        admin = open();
        admin->create_tenant("contoso", "Contoso", "US");
        admin->set_pin("contoso", kPin);
        for (const auto& n : {N1, N2, N3}) admin->add_number("contoso", n);
        admin->create_tenant("fabrikam", "Fabrikam", "US");
        admin->set_pin("fabrikam", kPin);
        admin->add_number("fabrikam", "+14255550199");
        carrier = as(Role::Carrier, {}, 30000, "northwind-carrier");
    }
    Order submit(const std::vector<std::string>& numbers, const std::string& pin = kPin,
                 const std::string& tenant = "contoso") {
        return carrier->submit_order(tenant, numbers, pin, "Northwind", std::nullopt);
    }
    std::vector<std::string> kinds(const std::string& consumer) {
        std::vector<std::string> out;
        for (const auto& n : admin->receive_notifications(consumer, 1000)) out.push_back(n.kind);
        return out;
    }
    std::vector<std::string> inventory(const std::string& tenant = "contoso") {
        std::vector<std::string> out;
        for (const auto& n : admin->list_numbers(tenant, "", 100)) out.push_back(n.number);
        return out;
    }

    std::unique_ptr<PortOutService> admin;
    std::unique_ptr<PortOutService> carrier;
};

TEST_F(OrderTest, ARequestWithTheRightPinIsSubmitted) {
    const auto order = carrier->submit_order("Contoso", {"(425) 555-0101", N1, "+1 425 555 0100"}, kPin,
                                             "Northwind", kStart + 7 * kDay);
    EXPECT_EQ(order.status, "PendingReview");
    EXPECT_EQ(order.reason, "");
    EXPECT_EQ(order.internal_reason, "");
    EXPECT_EQ(order.tenant_id, "contoso");
    EXPECT_EQ(order.gaining_carrier, "Northwind");
    EXPECT_EQ(order.submitted_by, "northwind-carrier");
    EXPECT_EQ(order.requested_foc, kStart + 7 * kDay);
    EXPECT_FALSE(order.foc);
    EXPECT_EQ(order.created_at, kStart);
    EXPECT_EQ(order.order_id.size(), 36U);
    ASSERT_EQ(order.numbers.size(), 2U) << "numbers in E.164, sorted, each once";
    EXPECT_EQ(order.numbers[0].number, N1);
    EXPECT_EQ(order.numbers[1].number, N2);
    EXPECT_EQ(order.numbers[0].problem, "");
    EXPECT_EQ(admin->get_order(order.order_id).status, "PendingReview");
    EXPECT_EQ(kinds("ops").back(), "PortOutRequest");
    AuditQuery q;
    q.event_types = {"PortOutRequested"};
    const auto events = admin->audit_events(q);
    ASSERT_EQ(events.size(), 1U);
    EXPECT_EQ(events[0].outcome, "Success");
    EXPECT_EQ(events[0].actor, "northwind-carrier");
    EXPECT_EQ(events[0].details, "order=" + order.order_id +
                                     " from=(request) to=PendingReview carrier=Northwind numbers=2 port_type=Partial "
                                     "review_deadline_ms=" + std::to_string(*order.review_deadline));
    EXPECT_EQ(*order.review_deadline, kStart + kDay) << "Monday plus 24 business hours";
    EXPECT_EQ(admin->pin_status("contoso").last_check_result, "Accepted");
}

TEST_F(OrderTest, OrdersListNewestFirstAPageAtATime) {
    const auto a = submit({N1});
    const auto b = submit({N2});
    const auto c = submit({N3});
    OrderQuery q;
    q.newest_first = true;
    q.limit = 2;
    auto page = admin->list_orders(q);
    ASSERT_EQ(page.size(), 2U);
    EXPECT_EQ(page[0].order_id, c.order_id);
    EXPECT_EQ(page[1].order_id, b.order_id);
    q.after_seq = page[1].seq;
    page = admin->list_orders(q);
    ASSERT_EQ(page.size(), 1U);
    EXPECT_EQ(page[0].order_id, a.order_id);
    q.after_seq = page[0].seq;
    EXPECT_TRUE(admin->list_orders(q).empty());
}

TEST_F(OrderTest, AConfirmationSetsTheFocDate) {
    const auto order = submit({N1});
    clock->advance_ms(60 * kMinute);
    const auto confirmed = admin->confirm_order(order.order_id, kStart + 8 * kDay);
    EXPECT_EQ(confirmed.status, "Confirmed");
    EXPECT_EQ(confirmed.foc, kStart + 8 * kDay);
    EXPECT_EQ(confirmed.modified_at, kStart + 60 * kMinute);
    EXPECT_EQ(confirmed.modified_by, "admin@contoso.com");
    EXPECT_EQ(carrier->get_order(order.order_id).foc, kStart + 8 * kDay) << "the carrier sees its FOC date";
    AuditQuery q;
    q.event_types = {"OrderConfirmed"};
    const auto events = admin->audit_events(q);
    ASSERT_EQ(events.size(), 1U);
    EXPECT_EQ(events[0].details, "order=" + order.order_id +
                                     " from=Approved to=Confirmed carrier=Northwind foc_ms=" +
                                     std::to_string(kStart + 8 * kDay));
    EXPECT_EQ(kinds("ops").back(), "OrderConfirmed");
}

TEST_F(OrderTest, CompletionReleasesTheNumbers) {
    const auto order = submit({N1, N2});
    admin->confirm_order(order.order_id, kStart + 3 * kDay);
    clock->advance_ms(3 * kDay);
    const auto completed = admin->complete_order(order.order_id);
    EXPECT_EQ(completed.status, "Completed");
    EXPECT_EQ(completed.numbers.size(), 2U) << "the order keeps its lines";
    EXPECT_EQ(inventory(), std::vector<std::string>{N3});
    EXPECT_EQ(admin->add_number("fabrikam", N1).tenant_id, "fabrikam") << "a ported number is free again";
    const auto all = kinds("ops");
    ASSERT_GE(all.size(), 3U);
    EXPECT_EQ(std::vector<std::string>(all.end() - 3, all.end()),
              (std::vector<std::string>{"OrderApproved", "OrderConfirmed", "OrderCompleted"}));
    AuditQuery q;
    q.event_types = {"OrderCompleted"};
    const auto events = admin->audit_events(q);
    ASSERT_EQ(events.size(), 1U);
    EXPECT_EQ(events[0].details,
              "order=" + order.order_id + " from=Confirmed to=Completed carrier=Northwind released=2");
}

TEST_F(OrderTest, ACancelledOrderFreesItsNumbersForTheNext) {
    const auto first = submit({N1});
    EXPECT_EQ(submit({N1}).reason, "NumberInOpenOrder");
    const auto cancelled = carrier->cancel_order(first.order_id, "DuplicateRequest");
    EXPECT_EQ(cancelled.reason, "DuplicateRequest");
    EXPECT_EQ(cancelled.status, "Cancelled");
    EXPECT_EQ(inventory(), (std::vector<std::string>{N1, N2, N3})) << "a cancellation keeps the numbers";
    const auto second = submit({N1});
    EXPECT_EQ(second.status, "PendingReview");
    admin->confirm_order(second.order_id, kStart + 2 * kDay);
    EXPECT_EQ(admin->cancel_order(second.order_id, "customerrequest").status, "Cancelled")
        << "a Confirmed order is cancelled too, a day ahead of its FOC";
    EXPECT_EQ(kinds("ops").back(), "OrderCancelled");
}

TEST_F(OrderTest, InvalidTransitionsChangeNothing) {
    const auto submitted = submit({N1});
    const auto rejected = submit({N2}, "000001");
    ASSERT_EQ(rejected.status, "Rejected");
    const auto before = admin->audit_events({}).size();
    EXPECT_EQ(error_id_of([&] { admin->complete_order(submitted.order_id); }), "InvalidOrderTransition");
    for (const auto& id : {rejected.order_id}) {
        EXPECT_EQ(error_id_of([&] { admin->confirm_order(id, kStart + kDay); }), "InvalidOrderTransition");
        EXPECT_EQ(error_id_of([&] { admin->complete_order(id); }), "InvalidOrderTransition");
        EXPECT_EQ(error_id_of([&] { admin->cancel_order(id, "Other", "gone"); }), "InvalidOrderTransition");
    }
    admin->confirm_order(submitted.order_id, kStart + kDay);
    EXPECT_EQ(error_id_of([&] { admin->confirm_order(submitted.order_id, kStart + 2 * kDay); }),
              "InvalidOrderTransition");
    clock->advance_ms(kDay);
    admin->complete_order(submitted.order_id);
    EXPECT_EQ(error_id_of([&] { admin->cancel_order(submitted.order_id, "Other", "gone"); }),
              "InvalidOrderTransition");
    EXPECT_EQ(admin->audit_events({}).size(), before + 3)
        << "only the moves that happened are recorded (approved by confirming, confirmed, completed)";
    const auto done = admin->get_order(submitted.order_id);
    EXPECT_EQ(done.status, "Completed");
    EXPECT_EQ(done.foc, kStart + kDay);
    EXPECT_EQ(admin->get_order(rejected.order_id).status, "Rejected");
}

TEST_F(OrderTest, TheCarrierCannotTellWhyItsPinFailed) {
    admin->create_tenant("nopin", "No PIN", "US");
    admin->create_tenant("abroad", "Abroad", "CA");
    struct Case {
        std::string tenant;
        std::string pin;
        std::string internal;
    };
    for (const auto& c : std::vector<Case>{{"contoso", "000001", "WrongPin"},
                                           {"nopin", kPin, "PinNotSet"},
                                           {"unknown", kPin, "UnknownTenant"},
                                           {"abroad", kPin, "NotInUS"}}) {
        const auto order = submit({N1, "+14255550177"}, c.pin, c.tenant);
        EXPECT_EQ(order.status, "Rejected") << c.internal;
        EXPECT_EQ(order.reason, "PinNotAccepted") << c.internal;
        EXPECT_EQ(order.internal_reason, "") << "a carrier reads the reason only";
        for (const auto& line : order.numbers) EXPECT_EQ(line.problem, "") << "nothing of the numbers is told";
        EXPECT_EQ(admin->get_order(order.order_id).internal_reason, c.internal);
    }
    for (int i = 0; i < 4; ++i) submit({N1}, "000001");  // the fifth wrong PIN locks
    const auto locked = submit({N1});
    EXPECT_EQ(locked.reason, "PinNotAccepted");
    EXPECT_EQ(admin->get_order(locked.order_id).internal_reason, "Locked");
}

// Five requests without any PIN locked a tenant's port-outs, each counted as a wrong PIN, and a
// carrier could not tell "you sent none" from "wrong". A request without a PIN is now refused as
// PinRequired (Bandwidth's 7512, beside 7513 "PIN invalid"): before the tenant is read, so the
// answer is the same for every tenant, and nothing is counted or hashed.
TEST_F(OrderTest, ARequestWithoutAPinIsRefusedAsSuchAndCountsForNothing) {
    admin->create_tenant("nopin", "No PIN", "US");
    admin->create_tenant("abroad", "Abroad", "CA");
    admin->set_freeze("fabrikam", true);
    const auto hashes = argon2_computations();
    for (const auto* tenant : {"contoso", "contoso", "contoso", "contoso", "contoso", "contoso", "nopin",
                               "unknown", "abroad", "fabrikam"}) {
        const auto order = submit({N1}, "", tenant);
        EXPECT_EQ(order.status, "Rejected") << tenant;
        EXPECT_EQ(order.reason, "PinRequired") << tenant << ": the same answer for every tenant";
        EXPECT_TRUE(order.numbers[0].problem.empty()) << "nothing of the numbers is told";
        EXPECT_EQ(admin->get_order(order.order_id).internal_reason, "PinRequired");
    }
    EXPECT_EQ(argon2_computations(), hashes) << "no PIN, no hashing";
    const auto status = admin->pin_status("contoso");
    EXPECT_EQ(status.failed_attempt_count, 0) << "nothing counted";
    EXPECT_FALSE(status.locked_until.has_value());
    EXPECT_EQ(submit({N1}).status, "PendingReview") << "six requests without a PIN locked nothing";
    AuditQuery q;
    q.event_types = {"PortOutRequested"};
    q.tenant_ids = {"contoso"};
    EXPECT_EQ(admin->audit_events(q).front().reason, "PinRequired") << "each one audited";
    q.event_types = {"PinCheckAttempt"};
    EXPECT_EQ(admin->audit_events(q).size(), 1U) << "only the request with a PIN was a check";
}

TEST_F(OrderTest, NumbersTheTenantDoesNotHoldAreNamed) {
    const auto order = submit({N1, "+14255550199", "+14255550177"});
    EXPECT_EQ(order.status, "Rejected");
    EXPECT_EQ(order.reason, "NumberNotOwned");
    ASSERT_EQ(order.numbers.size(), 3U);
    EXPECT_EQ(order.numbers[0].problem, "");                // N1, the tenant's
    EXPECT_EQ(order.numbers[1].problem, "NumberNotOwned");  // nobody's
    EXPECT_EQ(order.numbers[2].problem, "NumberNotOwned");  // fabrikam's
    EXPECT_EQ(inventory(), (std::vector<std::string>{N1, N2, N3}));
    submit({N2});
    const auto taken = submit({N2, N3});
    EXPECT_EQ(taken.reason, "NumberInOpenOrder");
    EXPECT_EQ(taken.numbers[0].problem, "NumberInOpenOrder");
    EXPECT_EQ(taken.numbers[1].problem, "");
}

// A frozen tenant used to answer at once with PortOutFrozen, whatever the PIN: an oracle that
// told a guesser the tenant was frozen, in a fraction of a check's time. The freeze is now told
// only to a requester who gave the right PIN; every other answer is PinNotAccepted, after the
// attempt was counted and one Argon2id computation, as for any tenant.
TEST_F(OrderTest, AFrozenTenantIsDisclosedOnlyToTheRightPin) {
    const auto frozen = admin->set_freeze("contoso", true);
    EXPECT_TRUE(frozen.port_out_frozen);
    auto hashes = argon2_computations();
    const auto wrong = submit({N1}, "000001");
    EXPECT_EQ(argon2_computations(), hashes + 1) << "the PIN is verified as for any tenant";
    EXPECT_EQ(wrong.status, "Rejected");
    EXPECT_EQ(wrong.reason, "PinNotAccepted");
    EXPECT_TRUE(wrong.numbers[0].problem.empty());
    EXPECT_EQ(admin->pin_status("contoso").failed_attempt_count, 1) << "and the attempt counted";
    hashes = argon2_computations();
    const auto right = submit({N1}, kPin);
    EXPECT_EQ(argon2_computations(), hashes + 1);
    EXPECT_EQ(right.status, "Rejected");
    EXPECT_EQ(right.reason, "PortOutFrozen");
    EXPECT_EQ(admin->pin_status("contoso").failed_attempt_count, 0);
    const auto events = admin->audit_events({}).size();
    EXPECT_TRUE(admin->set_freeze("contoso", true).port_out_frozen);
    EXPECT_EQ(admin->audit_events({}).size(), events) << "a freeze that changes nothing is not recorded";
    EXPECT_FALSE(admin->set_freeze("contoso", false).port_out_frozen);
    EXPECT_EQ(submit({N1}).status, "PendingReview");
    const auto all = kinds("ops");
    EXPECT_NE(std::find(all.begin(), all.end(), "PortOutFrozen"), all.end());
    EXPECT_NE(std::find(all.begin(), all.end(), "PortOutUnfrozen"), all.end());
    EXPECT_THROW(carrier->set_freeze("contoso", true), PermissionDeniedError);
}

TEST_F(OrderTest, ACarrierSeesAndCancelsOnlyItsOwnOrders) {
    auto other = as(Role::Carrier, {}, 30000, "fourth-coffee-carrier");
    const auto mine = submit({N1});
    const auto theirs = other->submit_order("contoso", {N2}, kPin, "Fourth Coffee", std::nullopt);
    EXPECT_EQ(error_id_of([&] { carrier->get_order(theirs.order_id); }), "OrderNotFound");
    EXPECT_EQ(error_id_of([&] { carrier->cancel_order(theirs.order_id, "WrongNumbers"); }), "OrderNotFound");
    const auto listed = carrier->list_orders({});
    ASSERT_EQ(listed.size(), 1U);
    EXPECT_EQ(listed[0].order_id, mine.order_id);
    EXPECT_EQ(admin->list_orders({}).size(), 2U);
    EXPECT_EQ(admin->get_order(theirs.order_id).status, "PendingReview");
    EXPECT_THROW(carrier->confirm_order(mine.order_id, kStart + kDay), PermissionDeniedError);
    EXPECT_EQ(carrier->cancel_order(mine.order_id, "WrongNumbers").status, "Cancelled");
    OrderQuery open;
    open.status = "PendingReview";
    const auto still = admin->list_orders(open);
    ASSERT_EQ(still.size(), 1U);
    EXPECT_EQ(still[0].order_id, theirs.order_id);
}

TEST_F(OrderTest, MalformedRequestsAndUnknownIdsStoreNothing) {
    const auto before = admin->audit_events({}).size();
    EXPECT_EQ(error_id_of([&] { submit({}); }), "NoPhoneNumbers");
    EXPECT_EQ(error_id_of([&] { submit(std::vector<std::string>(kMaxNumbersPerOrder + 1, N1)); }),
              "TooManyPhoneNumbers");
    EXPECT_EQ(error_id_of([&] { submit({N1, "not a number"}); }), "InvalidPhoneNumber");
    EXPECT_EQ(error_id_of([&] { carrier->submit_order("contoso", {N1}, kPin, "", std::nullopt); }),
              "InvalidCarrier");
    EXPECT_EQ(admin->audit_events({}).size(), before);
    EXPECT_TRUE(admin->list_orders({}).empty());
    EXPECT_EQ(admin->pin_status("contoso").failed_attempt_count, 0) << "no PIN was counted";
    for (const auto* id : {"", "nope", "00000000-0000-0000-0000-000000000000", "'; DROP TABLE orders; --"}) {
        EXPECT_EQ(error_id_of([&] { admin->get_order(id); }), "OrderNotFound") << id;
    }
}

// A scoped session's change of another tenant's order is refused in the transaction that
// found it: at once, not after the busy timeout, recorded once, and the store free after it.
TEST_F(OrderTest, AScopedSessionIsRefusedAtOnce) {
    const auto order = admin->submit_order("fabrikam", {"+14255550199"}, kPin, "Carrier A", std::nullopt);
    auto scoped = as(Role::StoreAdmin, {"contoso"}, 5000);
    AuditQuery q;
    q.event_types = {"AccessDenied"};
    const auto started = std::chrono::steady_clock::now();
    EXPECT_EQ(error_id_of([&] { scoped->cancel_order(order.order_id, "Other", "a test"); }), "AccessDenied");
    EXPECT_EQ(error_id_of([&] { scoped->confirm_order(order.order_id, kStart + kDay); }), "AccessDenied");
    EXPECT_EQ(error_id_of([&] { scoped->get_order(order.order_id); }), "AccessDenied");
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(2500));
    EXPECT_EQ(admin->audit_events(q).size(), 3U);
    EXPECT_TRUE(scoped->list_orders({}).empty()) << "another tenant's orders are not listed";
    EXPECT_EQ(scoped->submit_order("contoso", {N1}, kPin, "Carrier A", std::nullopt).status, "PendingReview");
    EXPECT_EQ(admin->get_order(order.order_id).status, "PendingReview");
}

TEST_F(OrderTest, TwoRequestsForOneNumberMakeOneOrder) {
    std::vector<Order> made(2);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < made.size(); ++i) {
        threads.emplace_back([&, i] {
            auto session = as(Role::Carrier, {}, 30000, "carrier-" + std::to_string(i));
            made[i] = session->submit_order("contoso", {N1}, kPin, "Carrier", std::nullopt);
        });
    }
    for (auto& t : threads) t.join();
    int submitted = 0;
    for (const auto& o : made) {
        if (o.status == "PendingReview") {
            ++submitted;
        } else {
            EXPECT_EQ(o.reason, "NumberInOpenOrder");
        }
    }
    EXPECT_EQ(submitted, 1);
    EXPECT_TRUE(admin->verify_audit().is_valid);
}

}  // namespace
}  // namespace portout
