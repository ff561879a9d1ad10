// The number inventory, through the service: US numbers kept in E.164, one tenant per number,
// removed only while no open order holds them, listed per tenant or within a session's scope.
#include <portout/errors.hpp>
#include <portout/service.hpp>

#include "service_fixture.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace portout {
namespace {

using testing_support::error_id_of;
using testing_support::kStart;
using testing_support::ServiceTest;

class NumberTest : public ServiceTest {
protected:
    void SetUp() override {
        s = open();
        s->create_tenant("contoso", "Contoso", "US");
        s->create_tenant("fabrikam", "Fabrikam", "US");
        s->set_pin("contoso", "602917");
    }
    std::vector<std::string> numbers(std::optional<std::string_view> tenant, std::string_view after = "",
                                     std::size_t limit = 100) {
        std::vector<std::string> out;
        for (const auto& n : s->list_numbers(tenant, after, limit)) out.push_back(n.number);
        return out;
    }
    std::unique_ptr<PortOutService> s;
};

TEST_F(NumberTest, NumbersAreKeptInE164) {
    const auto added = s->add_number("Contoso", "(425) 555-0100");
    EXPECT_EQ(added.number, "+14255550100");
    EXPECT_EQ(added.tenant_id, "contoso");
    EXPECT_EQ(added.added_at, kStart);
    EXPECT_EQ(added.added_by, "admin@contoso.com");
    s->add_number("contoso", "+1 425 555 0102");
    s->add_number("contoso", "425.555.0101");
    EXPECT_EQ(numbers("contoso"), (std::vector<std::string>{"+14255550100", "+14255550101", "+14255550102"}));
    AuditQuery q;
    q.event_types = {"PhoneNumberAdded"};
    const auto events = s->audit_events(q);
    ASSERT_EQ(events.size(), 3U);
    EXPECT_EQ(events[0].details, "number=+14255550100");
}

TEST_F(NumberTest, BadNumbersAreRefusedAndChangeNothing) {
    s->add_number("contoso", "+1 425 555 0100");
    const auto before = s->audit_events({}).size();
    for (const auto& [number, id] : std::vector<std::pair<std::string, std::string>>{
             {"", "InvalidPhoneNumber"},
             {"hello", "InvalidPhoneNumber"},
             {"12", "InvalidPhoneNumber"},
             {"+1 425 555 0100 ext 7", "InvalidPhoneNumber"},
             {std::string(100, 'x'), "InvalidPhoneNumber"},
             {"+44 20 7946 0958", "PhoneNumberNotInUS"},
             {"+1 416 555 0199", "PhoneNumberNotInUS"},
             {"+14255550100", "PhoneNumberAlreadyInInventory"},
         }) {
        EXPECT_EQ(error_id_of([&] { s->add_number("contoso", number); }), id) << number;
    }
    EXPECT_EQ(error_id_of([&] { s->add_number("fabrikam", "425 555 0100"); }), "PhoneNumberHeldByAnotherTenant");
    EXPECT_EQ(error_id_of([&] { s->add_number("nobody", "425 555 0101"); }), "TenantNotFound");
    EXPECT_EQ(numbers(std::nullopt), std::vector<std::string>{"+14255550100"});
    EXPECT_EQ(s->audit_events({}).size(), before);
}

TEST_F(NumberTest, ANumberInAnOpenOrderStays) {
    s->add_number("contoso", "+1 425 555 0100");
    s->add_number("contoso", "+1 425 555 0101");
    EXPECT_EQ(error_id_of([&] { s->remove_number("contoso", "+1 425 555 0199"); }), "PhoneNumberNotFound");
    EXPECT_EQ(error_id_of([&] { s->remove_number("fabrikam", "+1 425 555 0101"); }), "PhoneNumberNotFound")
        << "another tenant's number";
    const auto order = s->submit_order("contoso", {"+14255550100"}, "602917", "Carrier A", std::nullopt);
    ASSERT_EQ(order.status, "PendingReview");
    EXPECT_EQ(error_id_of([&] { s->remove_number("contoso", "(425) 555-0100"); }), "PhoneNumberInOpenOrder");
    s->remove_number("contoso", "(425) 555-0101");
    EXPECT_EQ(numbers("contoso"), std::vector<std::string>{"+14255550100"});
    s->cancel_order(order.order_id, "CustomerRequest");
    s->remove_number("contoso", "+14255550100");
    EXPECT_TRUE(numbers("contoso").empty());
    AuditQuery q;
    q.event_types = {"PhoneNumberRemoved"};
    EXPECT_EQ(s->audit_events(q).size(), 2U);
}

TEST_F(NumberTest, ListsArePagedAndKeepToTheSessionsScope) {
    for (const auto* n : {"+14255550100", "+14255550102"}) s->add_number("contoso", n);
    for (const auto* n : {"+14255550101", "+14255550103"}) s->add_number("fabrikam", n);
    EXPECT_EQ(numbers(std::nullopt).size(), 4U);
    EXPECT_EQ(numbers(std::nullopt, "", 2), (std::vector<std::string>{"+14255550100", "+14255550101"}));
    EXPECT_EQ(numbers(std::nullopt, "+14255550101", 2), (std::vector<std::string>{"+14255550102", "+14255550103"}));
    EXPECT_EQ(numbers("fabrikam"), (std::vector<std::string>{"+14255550101", "+14255550103"}));
    EXPECT_EQ(error_id_of([&] { s->list_numbers("nobody", "", 10); }), "TenantNotFound");

    auto scoped = as(Role::TelephonyAdmin, {"fabrikam"});
    std::vector<std::string> seen;
    for (const auto& n : scoped->list_numbers(std::nullopt, "", 100)) {
        EXPECT_EQ(n.tenant_id, "fabrikam");
        seen.push_back(n.number);
    }
    EXPECT_EQ(seen.size(), 2U);
    EXPECT_THROW(scoped->list_numbers("contoso", "", 10), PermissionDeniedError);
}

}  // namespace
}  // namespace portout
