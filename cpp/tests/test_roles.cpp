// Roles and tenant scopes, through the service: what each role may do, and refusals recorded.
#include <portout/errors.hpp>
#include <portout/service.hpp>
#include <portout/sqlite_store.hpp>

#include "service_fixture.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace portout {
namespace {

using testing_support::kMinute;
using testing_support::kStart;
using testing_support::ServiceTest;

class RoleTest : public ServiceTest {
protected:
    void SetUp() override {
        auto admin = open();
        admin->create_tenant("contoso", "Contoso", "US");
        admin->create_tenant("fabrikam", "Fabrikam", "US");
        admin->set_pin("contoso", "602917");
        admin->set_pin("fabrikam", "602917");
    }
    static bool allowed(const std::function<void()>& call) {
        try {
            call();
            return true;
        } catch (const PermissionDeniedError& e) {
            EXPECT_EQ(e.error_id(), "AccessDenied");
            return false;
        }
    }
};

TEST_F(RoleTest, EachRoleDoesWhatItMayAndNothingElse) {
    struct Call {
        const char* name;
        std::function<void(PortOutService&)> run;
    };
    const std::vector<Call> calls = {
        {"CreateTenant", [](PortOutService& s) { s.create_tenant("northwind", "Northwind", "US"); }},
        {"ReadTenant", [](PortOutService& s) { s.get_tenant("contoso"); }},
        {"UpdateTenant", [](PortOutService& s) { s.update_tenant("contoso", "Contoso 2", std::nullopt); }},
        {"SetPin", [](PortOutService& s) { s.set_pin("contoso", "481605"); }},
        {"ReadPinStatus", [](PortOutService& s) { s.pin_status("contoso"); }},
        {"CheckPin", [](PortOutService& s) { s.check_pin("contoso", "000001"); }},
        {"UnlockPin", [](PortOutService& s) { s.unlock_pin("contoso"); }},
        {"ReadPolicy", [](PortOutService& s) { s.get_policy("contoso"); }},
        {"SetPolicy", [](PortOutService& s) { PolicyChange c; c.min_length = 7; s.set_policy("contoso", c); }},
        {"SetDefaultPolicy", [](PortOutService& s) { PolicyChange c; c.min_length = 6; s.set_policy(std::nullopt, c); }},
        {"TestPolicy", [](PortOutService& s) { s.test_pin_policy("contoso", "602917"); }},
        {"ReadAudit", [](PortOutService& s) { s.audit_events({}); }},
        {"VerifyAudit", [](PortOutService& s) { s.verify_audit(); }},
        {"RotateKey", [](PortOutService& s) { s.rotate_key(s.store().location() + ".rotated.key"); }},
        {"RemoveTenant", [](PortOutService& s) { s.remove_tenant("fabrikam"); }},
        {"UpdateAccount", [](PortOutService& s) { TenantChange c; c.service_zip = "98052"; s.update_tenant("contoso", c); }},
    };
    const std::map<Role, std::set<std::string>> expected = {
        {Role::StoreAdmin, {"CreateTenant", "ReadTenant", "UpdateTenant", "SetPin", "ReadPinStatus",
                            "CheckPin", "UnlockPin", "ReadPolicy", "SetPolicy", "SetDefaultPolicy",
                            "TestPolicy", "ReadAudit", "VerifyAudit", "RotateKey", "RemoveTenant",
                            "UpdateAccount"}},
        // The tenant's admin lifts its tenant's locks (issue 17: a lock of every carrier is liftable
        // by the tenant's admin) and keeps its account details.
        {Role::TelephonyAdmin, {"ReadTenant", "SetPin", "ReadPinStatus", "CheckPin", "UnlockPin", "ReadPolicy",
                                "SetPolicy", "TestPolicy", "ReadAudit", "UpdateAccount"}},
        {Role::Auditor, {"ReadTenant", "ReadPinStatus", "ReadPolicy", "TestPolicy", "ReadAudit", "VerifyAudit"}},
        {Role::Carrier, {}},
    };
    for (auto role : {Role::Carrier, Role::Auditor, Role::TelephonyAdmin}) {
        for (const auto& call : calls) {
            auto s = as(role);
            const bool ok = allowed([&] { call.run(*s); });
            EXPECT_EQ(ok, expected.at(role).contains(call.name)) << to_string(role) << " " << call.name;
        }
    }
}

TEST_F(RoleTest, ScopeKeepsATelephonyAdminToItsTenants) {
    auto s = as(Role::TelephonyAdmin, {"Contoso"});
    EXPECT_NO_THROW(s->set_pin("contoso", "481605"));
    EXPECT_FALSE(allowed([&] { s->set_pin("fabrikam", "481605"); }));
    EXPECT_FALSE(allowed([&] { s->pin_status("fabrikam"); }));
    EXPECT_FALSE(allowed([&] { s->check_pin("nobody", "602917"); }));
    const auto tenants = s->list_tenants("", 100);
    ASSERT_EQ(tenants.size(), 1U);
    EXPECT_EQ(tenants[0].tenant_id, "contoso");
    for (const auto& e : s->audit_events({})) EXPECT_EQ(e.tenant_id, "contoso");
    auto admin = open();
    EXPECT_TRUE(admin->check_pin("fabrikam", "602917")) << "the denied change changed nothing";
    AuditQuery q;
    q.event_types = {"AccessDenied"};
    const auto denied = admin->audit_events(q);
    ASSERT_EQ(denied.size(), 3U);
    EXPECT_EQ(denied[0].actor, "TelephonyAdmin@example");
    EXPECT_EQ(denied[0].reason, "SetPin");
    EXPECT_EQ(denied[0].tenant_id, "fabrikam");
}

// The reported hang: the refusal was recorded in a second write transaction beside the
// caller's, which waited for the caller's own writer slot until the busy timeout (30 s), then
// answered StoreBusy, and the refusal was never recorded. Now: AccessDenied at once, recorded
// once, and the store free for the next writer.
TEST_F(RoleTest, AScopedAdminsRefusedOrderChangeAnswersAtOnceAndIsAuditedOnce) {
    auto admin = open();
    admin->add_number("fabrikam", "+1 425 555 0100");
    const auto order = admin->submit_order("fabrikam", {"+14255550100"}, "602917", "Carrier A", std::nullopt);
    ASSERT_EQ(order.status, "PendingReview");
    // A short busy timeout: the old code answered StoreBusy after it.
    auto telephony = as(Role::TelephonyAdmin, {"contoso"}, 2000);
    auto store_admin = as(Role::StoreAdmin, {"contoso"}, 2000);
    struct Attempt {
        PortOutService* session;
        std::string reason;
        std::function<void(PortOutService&)> call;
    };
    const std::vector<Attempt> attempts = {
        {telephony.get(), "CancelOrder", [&](PortOutService& s) { s.cancel_order(order.order_id, "CustomerRequest"); }},
        {store_admin.get(), "CancelOrder", [&](PortOutService& s) { s.cancel_order(order.order_id, "CustomerRequest"); }},
        {store_admin.get(), "ManageOrder",
         [&](PortOutService& s) { s.confirm_order(order.order_id, kStart + 3 * 24 * 60 * kMinute); }},
        {store_admin.get(), "ManageOrder", [&](PortOutService& s) { s.complete_order(order.order_id); }},
    };
    for (const auto& a : attempts) {
        AuditQuery q;
        q.event_types = {"AccessDenied"};
        const auto before = admin->audit_events(q).size();
        try {
            a.call(*a.session);
            ADD_FAILURE() << a.reason << " of another tenant's order was allowed";
        } catch (const PermissionDeniedError& e) {
            EXPECT_EQ(e.error_id(), "AccessDenied") << a.reason;
        }
        const auto denied = admin->audit_events(q);
        ASSERT_EQ(denied.size(), before + 1) << a.reason << ": the refusal is recorded exactly once";
        EXPECT_EQ(denied.back().tenant_id, "fabrikam");
        EXPECT_EQ(denied.back().actor, a.session->actor());
        EXPECT_EQ(denied.back().reason, a.reason);
        // The session's own writes go on.
        EXPECT_NO_THROW(a.session->set_pin("contoso", "48160" + std::to_string(before)));
    }
    EXPECT_EQ(admin->get_order(order.order_id).status, "PendingReview") << "the refused change changed the order";
    EXPECT_TRUE(admin->verify_audit().is_valid);
}

TEST_F(RoleTest, ScopedAdminsCannotMakeStoreWideChanges) {
    auto s = as(Role::StoreAdmin, {"contoso"});
    EXPECT_NO_THROW(s->unlock_pin("contoso"));
    EXPECT_FALSE(allowed([&] { PolicyChange c; c.min_length = 8; s->set_policy(std::nullopt, c); }));
    EXPECT_FALSE(allowed([&] { s->create_tenant("northwind", "Northwind", "US"); }));
    EXPECT_FALSE(allowed([&] { s->rotate_key(dir.file("x.key")); }));
}

}  // namespace
}  // namespace portout
