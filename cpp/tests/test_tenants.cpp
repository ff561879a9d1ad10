// Tenants, through the service: created one by one or imported, read, updated, listed within a
// session's scope, and removed (not while an order is in flight).
#include <portout/errors.hpp>
#include <portout/service.hpp>

#include "service_fixture.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

namespace portout {
namespace {

using testing_support::error_id_of;
using testing_support::kMinute;
using testing_support::kStart;
using testing_support::ServiceTest;

TEST_F(ServiceTest, TenantsAreCreatedReadRenamedListedAndRemoved) {
    auto s = open();
    const auto t = s->create_tenant("Contoso.com", "Contoso", "us");
    EXPECT_EQ(t.tenant_id, "contoso.com");
    EXPECT_EQ(t.country, "US");
    EXPECT_EQ(t.created_at, kStart);
    EXPECT_FALSE(t.pin_is_set);
    EXPECT_THROW(s->create_tenant("contoso.com", "Again", "US"), ResourceExistsError);
    s->create_tenant("fabrikam", "Fabrikam", "CA");
    clock->advance_ms(kMinute);
    const auto renamed = s->update_tenant("contoso.com", "Contoso Ltd", std::nullopt);
    EXPECT_EQ(renamed.display_name, "Contoso Ltd");
    EXPECT_EQ(renamed.modified_at, kStart + kMinute);
    const auto page = s->list_tenants("", 1);
    ASSERT_EQ(page.size(), 1U);
    EXPECT_EQ(page[0].tenant_id, "contoso.com");
    EXPECT_EQ(s->list_tenants("contoso.com", 10).at(0).tenant_id, "fabrikam");
    s->remove_tenant("fabrikam");
    EXPECT_THROW(s->get_tenant("fabrikam"), ObjectNotFoundError);
    EXPECT_THROW(s->remove_tenant("fabrikam"), ObjectNotFoundError);
    AuditQuery q;
    q.tenant_ids = {"fabrikam"};
    const auto history = s->audit_events(q);
    ASSERT_EQ(history.size(), 2U);  // the removed tenant's history stays
    EXPECT_EQ(history[1].event_type, "TenantRemoved");
}

TEST_F(ServiceTest, AnImportIsAllOrNothingAndAuditedTenantByTenant) {
    auto s = open();
    const std::vector<std::array<std::string, 3>> rows = {
        {"Contoso.com", "Contoso", "us"}, {"fabrikam.com", "Fabrikam", "CA"}, {"northwind.com", "Northwind", "US"}};
    EXPECT_EQ(s->import_tenants(rows), 3);
    const auto all = s->list_tenants("", 10);
    ASSERT_EQ(all.size(), 3U);
    EXPECT_EQ(all[0].tenant_id, "contoso.com");
    EXPECT_EQ(all[0].country, "US");
    EXPECT_EQ(all[1].country, "CA");
    AuditQuery q;
    q.event_types = {"TenantCreated", "TenantsImported"};
    const auto events = s->audit_events(q);
    ASSERT_EQ(events.size(), 4U);
    EXPECT_EQ(events[0].details, "country=US import");
    EXPECT_EQ(events[3].event_type, "TenantsImported");
    EXPECT_EQ(events[3].details, "count=3");

    // One bad row (a tenant that exists) and nothing of the import is kept.
    const std::vector<std::array<std::string, 3>> again = {{"woodgrove.com", "Woodgrove", "US"},
                                                           {"contoso.com", "Contoso", "US"}};
    EXPECT_THROW(s->import_tenants(again), ResourceExistsError);
    EXPECT_THROW(s->get_tenant("woodgrove.com"), ObjectNotFoundError);
    EXPECT_EQ(error_id_of([&] { s->import_tenants({{"ok.com", "Ok", "XX"}}); }), "InvalidCountryCode");
    EXPECT_EQ(s->list_tenants("", 10).size(), 3U);
    EXPECT_EQ(s->audit_events(q).size(), 4U);
}

TEST_F(ServiceTest, AnUpdateThatChangesNothingIsNotRecorded) {
    auto s = open();
    s->create_tenant("contoso", "Contoso", "US");
    const auto before = s->audit_events({}).size();
    clock->advance_ms(kMinute);
    const auto same = s->update_tenant("contoso", "Contoso", "us");
    EXPECT_EQ(same.modified_at, kStart) << "an update that changes nothing changed the tenant";
    EXPECT_EQ(s->audit_events({}).size(), before);
    const auto moved = s->update_tenant("contoso", std::nullopt, "CA");
    EXPECT_EQ(moved.country, "CA");
    EXPECT_EQ(moved.display_name, "Contoso");
    EXPECT_EQ(moved.modified_at, kStart + kMinute);
    const auto events = s->audit_events({});
    ASSERT_EQ(events.size(), before + 1);
    EXPECT_EQ(events.back().event_type, "TenantUpdated");
    EXPECT_EQ(events.back().details, "country=US->CA");
    EXPECT_THROW(s->update_tenant("nobody", "Nobody", std::nullopt), ObjectNotFoundError);
}

TEST_F(ServiceTest, ATenantWithAnOrderInFlightIsNotRemoved) {
    auto s = open();
    s->create_tenant("contoso", "Contoso", "US");
    s->set_pin("contoso", "602917");
    s->add_number("contoso", "+1 425 555 0100");
    s->add_number("contoso", "+1 425 555 0101");
    const auto order = s->submit_order("contoso", {"+14255550100"}, "602917", "Carrier A", std::nullopt);
    ASSERT_EQ(order.status, "PendingReview");
    EXPECT_EQ(error_id_of([&] { s->remove_tenant("contoso"); }), "TenantHasOpenOrders");
    s->confirm_order(order.order_id, kStart + 3 * 24 * 60 * kMinute);
    EXPECT_EQ(error_id_of([&] { s->remove_tenant("contoso"); }), "TenantHasOpenOrders");
    EXPECT_EQ(s->get_tenant("contoso").tenant_id, "contoso") << "a refused removal removed the tenant";
    s->cancel_order(order.order_id, "CustomerRequest");
    const auto before = s->receive_notifications("ops", 1000).size();

    s->remove_tenant("contoso");
    EXPECT_THROW(s->get_tenant("contoso"), ObjectNotFoundError);
    EXPECT_TRUE(s->list_numbers(std::nullopt, "", 10).empty()) << "the numbers are released";
    // The tenant's notifications stay, made store-wide, and one more tells of the removal.
    const auto notes = s->receive_notifications("ops", 1000);
    ASSERT_EQ(notes.size(), before + 1);
    EXPECT_EQ(before, 5U);  // PinSet, PortOutRequest, OrderApproved, OrderConfirmed, OrderCancelled
    for (const auto& n : notes) EXPECT_EQ(n.tenant_id, "") << n.kind;
    EXPECT_EQ(notes.back().kind, "TenantRemoved");
    AuditQuery q;
    q.event_types = {"TenantRemoved"};
    const auto removed = s->audit_events(q);
    ASSERT_EQ(removed.size(), 1U);
    EXPECT_EQ(removed[0].details,
              "had_pin=true numbers_released=2 orders_removed=1 notifications_made_store_wide=" +
                  std::to_string(before + 4))
        << "the tenant's side's, and the four the carrier was sent of its order";
}

TEST_F(ServiceTest, AScopedSessionSeesItsOwnTenantsOnly) {
    {
        auto s = open();
        for (const auto* id : {"contoso", "fabrikam", "northwind", "woodgrove"}) s->create_tenant(id, id, "US");
    }
    auto scoped = as(Role::TelephonyAdmin, {"woodgrove", "Contoso", "nobody"});
    auto ids = [](const std::vector<Tenant>& page) {
        std::vector<std::string> out;
        for (const auto& t : page) out.push_back(t.tenant_id);
        return out;
    };
    EXPECT_EQ(ids(scoped->list_tenants("", 100)), (std::vector<std::string>{"contoso", "woodgrove"}));
    EXPECT_EQ(ids(scoped->list_tenants("", 1)), std::vector<std::string>{"contoso"});
    EXPECT_EQ(ids(scoped->list_tenants("contoso", 10)), std::vector<std::string>{"woodgrove"});
    EXPECT_EQ(scoped->list_pin_status("", 100).size(), 2U);
    EXPECT_THROW(scoped->get_tenant("fabrikam"), PermissionDeniedError);
    EXPECT_EQ(error_id_of([&] { scoped->get_tenant("nobody"); }), "TenantNotFound");
    EXPECT_EQ(ids(open()->list_tenants("", 100)).size(), 4U) << "an unscoped session sees every tenant";
}

}  // namespace
}  // namespace portout
