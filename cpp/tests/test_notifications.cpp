// The outbox, through the service: every change tells its consumers, each consumer is handed
// what it has not acknowledged, oldest first, as often as it asks; acknowledgements in any
// order, audited when they change something; a scoped session's consumers are its own and see
// and acknowledge its tenants' notifications only.
#include <portout/errors.hpp>
#include <portout/service.hpp>

#include "service_fixture.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace portout {
namespace {

using testing_support::error_id_of;
using testing_support::kStart;
using testing_support::ServiceTest;

std::vector<std::string> kinds_of(const std::vector<Notification>& notes) {
    std::vector<std::string> out;
    for (const auto& n : notes) out.push_back(n.kind);
    return out;
}

std::vector<std::int64_t> ids_of(const std::vector<Notification>& notes) {
    std::vector<std::int64_t> out;
    for (const auto& n : notes) out.push_back(n.notification_id);
    return out;
}

class NotificationTest : public ServiceTest {
protected:
    void SetUp() override {
        admin = open();
        admin->create_tenant("contoso", "Contoso", "US");
        admin->set_pin("contoso", "602917");
    }
    std::unique_ptr<PortOutService> admin;
};

TEST_F(NotificationTest, EveryChangeIsNotifiedInItsOwnTransaction) {
    admin->add_number("contoso", "+1 425 555 0100");
    auto carrier = as(Role::Carrier, {}, 30000, "northwind-carrier");
    admin->check_pin("contoso", "000001");
    admin->unlock_pin("contoso");
    admin->set_pin("contoso", "481605");
    admin->set_freeze("contoso", true);
    admin->set_freeze("contoso", false);
    const auto order = carrier->submit_order("contoso", {"+14255550100"}, "481605", "Northwind", std::nullopt);
    carrier->cancel_order(order.order_id, "CustomerRequest");
    PolicyChange c;
    c.max_failed_attempts = 1;
    admin->set_policy("contoso", c);
    admin->check_pin("contoso", "000001");
    admin->rotate_key(dir.file("new.key"));
    const auto notes = admin->receive_notifications("audit-trail", 1000);
    EXPECT_EQ(kinds_of(notes),
              (std::vector<std::string>{"PinSet", "PinCheckFailed", "PinUnlocked", "PinChanged", "PortOutFrozen",
                                        "PortOutUnfrozen", "PortOutRequest", "OrderCancelled", "PinCheckFailed",
                                        "PinLockedOut", "KeyRotated"}));
    EXPECT_EQ(notes[0].occurred_at, kStart);
    EXPECT_EQ(notes[0].tenant_id, "contoso");
    EXPECT_EQ(notes[6].order_id, order.order_id);
    EXPECT_EQ(notes.back().tenant_id, "") << "a key rotation is store-wide";
    EXPECT_TRUE(std::is_sorted(notes.begin(), notes.end(), [](const auto& a, const auto& b) {
        return a.notification_id < b.notification_id;
    }));
}

TEST_F(NotificationTest, EachConsumerSeesEverythingUntilItAcknowledges) {
    const auto first = admin->receive_notifications("pager", 100);
    ASSERT_EQ(kinds_of(first), std::vector<std::string>{"PinSet"});
    EXPECT_EQ(ids_of(admin->receive_notifications("pager", 100)), ids_of(first)) << "not acknowledged: again";
    EXPECT_EQ(admin->acknowledge_notifications("pager", ids_of(first)), 1);
    EXPECT_EQ(admin->acknowledge_notifications("pager", {first[0].notification_id, 999}), 0)
        << "acknowledged already, and an id never handed out";
    EXPECT_TRUE(admin->receive_notifications("pager", 100).empty());
    EXPECT_EQ(ids_of(admin->receive_notifications("siem", 100)), ids_of(first)) << "another consumer sees it";

    admin->set_freeze("contoso", true);
    admin->set_freeze("contoso", false);
    const auto pending = admin->receive_notifications("pager", 100);
    ASSERT_EQ(kinds_of(pending), (std::vector<std::string>{"PortOutFrozen", "PortOutUnfrozen"}));
    EXPECT_EQ(admin->receive_notifications("pager", 1).size(), 1U) << "at most max_count";
    EXPECT_EQ(admin->receive_notifications("pager", 0).size(), 1U) << "at least one";
    EXPECT_EQ(admin->acknowledge_notifications("pager", {pending[1].notification_id}), 1);  // out of order
    EXPECT_EQ(ids_of(admin->receive_notifications("pager", 100)),
              std::vector<std::int64_t>{pending[0].notification_id});
    EXPECT_EQ(admin->acknowledge_notifications("pager", {pending[0].notification_id}), 1);
    EXPECT_TRUE(admin->receive_notifications("pager", 100).empty());
}

TEST_F(NotificationTest, AnAcknowledgementIsAuditedWhenItChangesSomething) {
    AuditQuery q;
    q.event_types = {"NotificationsAcknowledged"};
    const auto notes = admin->receive_notifications("pager", 100);
    admin->acknowledge_notifications("pager", {});
    admin->acknowledge_notifications("pager", {12345});
    EXPECT_TRUE(admin->audit_events(q).empty()) << "nothing acknowledged, nothing recorded";
    admin->acknowledge_notifications("pager", ids_of(notes));
    admin->acknowledge_notifications("pager", ids_of(notes));
    const auto events = admin->audit_events(q);
    ASSERT_EQ(events.size(), 1U);
    EXPECT_EQ(events[0].details, "consumer=pager acknowledged=1");
    EXPECT_EQ(events[0].tenant_id, "");
    EXPECT_EQ(events[0].actor, "admin@contoso.com");
}

TEST_F(NotificationTest, AConsumerIsNamedWithoutSpacesOrControlCharacters) {
    for (const auto& name : {std::string(), std::string("no spaces"), std::string("tab\there"),
                                   std::string(129, 'a'), std::string("bad\xff"), std::string("del\x7f")}) {
        EXPECT_EQ(error_id_of([&] { admin->receive_notifications(name, 10); }), "InvalidConsumer");
        EXPECT_EQ(error_id_of([&] { admin->acknowledge_notifications(name, {1}); }), "InvalidConsumer");
    }
    EXPECT_EQ(admin->receive_notifications(std::string(128, 'a'), 10).size(), 1U);
    EXPECT_EQ(admin->receive_notifications("siem-feed/eu#1", 10).size(), 1U);
    EXPECT_THROW(as(Role::Auditor)->receive_notifications("pager", 10), PermissionDeniedError);
}

// The reported case: a session scoped to one tenant cleared another tenant's alerts.
TEST_F(NotificationTest, AScopedSessionAcknowledgesItsOwnTenantsOnly) {
    admin->create_tenant("fabrikam", "Fabrikam", "US");
    admin->set_pin("fabrikam", "602917");
    admin->set_freeze("fabrikam", true);
    auto scoped = as(Role::TelephonyAdmin, {"contoso"}, 30000, "contoso-admin");
    auto fabrikam = as(Role::TelephonyAdmin, {"fabrikam"}, 30000, "fabrikam-admin");
    const auto everything = ids_of(admin->receive_notifications("pager", 1000));
    const auto theirs = ids_of(fabrikam->receive_notifications("pager", 1000));
    ASSERT_EQ(theirs.size(), 2U);
    for (const auto& n : fabrikam->receive_notifications("pager", 1000)) EXPECT_EQ(n.tenant_id, "fabrikam");
    ASSERT_EQ(everything.size(), 3U);

    EXPECT_EQ(scoped->acknowledge_notifications("pager", theirs), 0) << "another scope's ids";
    std::vector<std::int64_t> sweep;
    for (std::int64_t id = 1; id < 1000; ++id) sweep.push_back(id);
    EXPECT_EQ(scoped->acknowledge_notifications("pager", sweep), 1) << "its own PinSet, nothing else";
    EXPECT_TRUE(scoped->receive_notifications("pager", 1000).empty());
    EXPECT_EQ(ids_of(fabrikam->receive_notifications("pager", 1000)), theirs);
    EXPECT_EQ(ids_of(admin->receive_notifications("pager", 1000)), everything)
        << "the provider's own pager lost alerts to a scoped session";

    AuditQuery q;
    q.event_types = {"NotificationsAcknowledged"};
    const auto acks = admin->audit_events(q);
    ASSERT_EQ(acks.size(), 1U);
    EXPECT_EQ(acks[0].actor, "contoso-admin");
    EXPECT_EQ(acks[0].tenant_id, "contoso");
    EXPECT_EQ(acks[0].details, "consumer=pager acknowledged=1");

    // The scoped consumer keeps up while the other tenant's notifications pile up unseen by it.
    for (int i = 0; i < 5; ++i) {
        admin->set_freeze("contoso", true);
        admin->set_freeze("fabrikam", false);
        admin->set_freeze("contoso", false);
        admin->set_freeze("fabrikam", true);
        const auto mine = scoped->receive_notifications("pager", 1000);
        for (const auto& n : mine) EXPECT_EQ(n.tenant_id, "contoso");
        EXPECT_EQ(scoped->acknowledge_notifications("pager", ids_of(mine)), 2);
    }
    EXPECT_TRUE(scoped->receive_notifications("pager", 1000).empty());
    EXPECT_EQ(fabrikam->receive_notifications("pager", 1000).size(), 2U + 10U);
}

}  // namespace
}  // namespace portout
