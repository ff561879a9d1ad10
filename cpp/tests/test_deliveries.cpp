// Notifications delivered (issue 18): a delivery made with each notification a subscription is
// owed, in the notification's transaction; claimed, built and signed for the sender, retried
// with backoff and parked; a carrier's webhook sent only its own orders' notices; a
// subscription added or redirected in the database without the key sent nothing.
#include <portout/crypto.hpp>
#include <portout/errors.hpp>
#include <portout/service.hpp>

#include "service_fixture.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <algorithm>
#include <string>
#include <vector>

namespace portout {
namespace {

using testing_support::error_id_of;
using testing_support::kMinute;
using testing_support::ServiceTest;

const std::string kPin = "602917";
const std::string N1 = "+14255550100";

std::string hmac_hex(std::string_view key, std::string_view message) {
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key.data()), key.size());
    crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(message.data()), message.size());
    std::string mac(crypto_auth_hmacsha256_BYTES, '\0');
    crypto_auth_hmacsha256_final(&st, reinterpret_cast<unsigned char*>(mac.data()));
    return to_hex(mac);
}

class DeliveriesTest : public ServiceTest {
protected:
    void SetUp() override {
        admin = open();
        admin->create_tenant("contoso", "Contoso Ltd.", "US");
        admin->create_tenant("fabrikam", "Fabrikam", "US");
        admin->set_pin("contoso", kPin);
        admin->add_number("contoso", N1);
        server = open();
    }
    std::unique_ptr<PortOutService> carrier(const std::string& name, const std::string& carrier,
                                            const std::string& spid) {
        CredentialRequest r;
        r.name = name;
        r.role = "Carrier";
        r.carrier_name = carrier;
        r.carrier_spid = spid;
        return server->authenticate(std::string(admin->create_credential(r).token.view()), "192.0.2.7");
    }
    Order submit(PortOutService& s) {
        PortOutRequest r;
        r.tenant_id = "contoso";
        r.numbers = {N1};
        return s.submit_order(r, kPin);
    }
    std::vector<DueDelivery> claim(const std::vector<std::string>& kinds = {"Webhook", "Email"}) {
        return server->claim_deliveries(kinds, 100, policy);
    }

    DeliveryPolicy policy;
    std::unique_ptr<PortOutService> admin;
    std::unique_ptr<PortOutService> server;
};

TEST_F(DeliveriesTest, AWebhookIsSentWhatItAskedForSignedWithItsSecret) {
    const auto hook = admin->create_webhook("https://hooks.contoso.example/portout", {"PinChanged"}, {"contoso"});
    const std::string secret(hook.secret.view());
    EXPECT_EQ(secret.rfind("whsec_", 0), 0U);
    EXPECT_EQ(secret.size(), 6U + 43U);
    admin->set_pin("contoso", "719304");   // PinChanged, contoso: sent
    admin->set_pin("fabrikam", "719304");  // another tenant: not
    auto due = claim();
    ASSERT_EQ(due.size(), 1U);
    EXPECT_EQ(due[0].event, "PinChanged");
    EXPECT_EQ(due[0].attempt, 1);
    EXPECT_EQ(due[0].body.find("719304"), std::string::npos);
    EXPECT_NE(due[0].body.find("\"type\":\"PinChanged\""), std::string::npos);
    // The receiver's check: t=<unix>,v1=HMAC-SHA256(secret, "<t>.<body>").
    const auto t = due[0].signature.substr(2, due[0].signature.find(',') - 2);
    EXPECT_EQ(std::stoll(t), clock->now_ms() / 1000);
    EXPECT_EQ(due[0].signature, "t=" + t + ",v1=" + hmac_hex(secret, t + "." + due[0].body));
    // Claimed: not handed out again while the lease runs.
    EXPECT_TRUE(claim().empty());
    server->record_delivery(due[0].delivery_id, {true, 204, "", clock->now_ms(), 12}, policy);
    const auto list = admin->list_deliveries({});
    ASSERT_EQ(list.size(), 1U);
    EXPECT_EQ(list[0].status, "Delivered");
    ASSERT_EQ(list[0].attempt_log.size(), 1U);
    EXPECT_EQ(list[0].attempt_log[0].status_code, 204);
    clock->advance_ms(2 * policy.lease_ms);
    EXPECT_TRUE(claim().empty());
}

TEST_F(DeliveriesTest, FailuresBackOffExponentiallyAndParkAfterThePolicysAttempts) {
    admin->create_webhook("https://hooks.contoso.example/portout", {"*"}, {});
    admin->set_freeze("contoso", true);
    policy.max_attempts = 3;
    auto due = claim();
    ASSERT_EQ(due.size(), 1U);
    const auto id = due[0].delivery_id;
    auto d = server->record_delivery(id, {false, 500, "HTTP 500", clock->now_ms(), 30}, policy);
    EXPECT_EQ(d.status, "Pending");
    const auto first_wait = d.next_attempt_at - clock->now_ms();
    EXPECT_GT(first_wait, policy.first_retry_ms * 4 / 5 - 1);
    EXPECT_LE(first_wait, policy.first_retry_ms);
    EXPECT_TRUE(claim().empty());  // not yet
    clock->advance_ms(policy.first_retry_ms);
    due = claim();
    ASSERT_EQ(due.size(), 1U);
    EXPECT_EQ(due[0].attempt, 2);
    d = server->record_delivery(id, {false, 0, "connection refused", clock->now_ms(), 1}, policy);
    EXPECT_GT(d.next_attempt_at - clock->now_ms(), policy.first_retry_ms * 2 * 4 / 5 - 1);
    clock->advance_ms(2 * policy.first_retry_ms);
    ASSERT_EQ(claim().size(), 1U);
    d = server->record_delivery(id, {false, 503, "HTTP 503", clock->now_ms(), 1}, policy);
    EXPECT_EQ(d.status, "Parked");
    EXPECT_EQ(d.attempt_log.size(), 3U);
    clock->advance_ms(60 * kMinute);
    EXPECT_TRUE(claim().empty());
    // Sent once more by hand.
    EXPECT_EQ(admin->redeliver(id).status, "Pending");
    ASSERT_EQ(claim().size(), 1U);
    EXPECT_EQ(server->record_delivery(id, {true, 200, "", clock->now_ms(), 1}, policy).status, "Delivered");
    EXPECT_EQ(error_id_of([&] { admin->redeliver(424242); }), "DeliveryNotFound");
}

TEST_F(DeliveriesTest, ADeliveryClaimedByASenderThatDiedIsSentAgainAfterTheLease) {
    admin->create_webhook("https://hooks.contoso.example/portout", {"*"}, {});
    admin->set_freeze("contoso", true);
    ASSERT_EQ(claim().size(), 1U);  // and the sender dies
    EXPECT_TRUE(claim().empty());
    clock->advance_ms(policy.lease_ms);
    ASSERT_EQ(claim().size(), 1U);
}

TEST_F(DeliveriesTest, ACarrierIsSentOnlyItsOwnOrdersNotices) {
    auto lumen = carrier("lumen-prod", "Lumen", "6529");
    auto other = carrier("zayo-prod", "Zayo", "7321");
    const auto lumen_hook = lumen->create_webhook("https://lumen.example/hooks", {"*"}, {});
    const auto zayo_hook = other->create_webhook("https://zayo.example/hooks", {"*"}, {});
    EXPECT_EQ(lumen_hook.subscription.audience, "Lumen");
    EXPECT_EQ(error_id_of([&] { lumen->create_webhook("https://lumen.example/h", {"PinChanged"}, {}); }),
              "UnknownEventKind");
    EXPECT_EQ(error_id_of([&] { lumen->create_webhook("https://lumen.example/h", {"*"}, {"contoso"}); }),
              "ScopeNotAllowed");
    const auto o = submit(*lumen);
    admin->approve_order(o.order_id, "");
    const auto due = claim();
    ASSERT_EQ(due.size(), 2U);  // the request and its approval, to Lumen only
    for (const auto& d : due) {
        EXPECT_EQ(d.subscription_id, lumen_hook.subscription.subscription_id);
        EXPECT_EQ(d.body.find("internal"), std::string::npos);
    }
    // Each sees its own subscriptions and deliveries only.
    EXPECT_EQ(lumen->list_subscriptions().size(), 1U);
    EXPECT_EQ(other->list_deliveries({}).size(), 0U);
    EXPECT_EQ(lumen->list_deliveries({}).size(), 2U);
    EXPECT_EQ(error_id_of([&] { other->remove_subscription(lumen_hook.subscription.subscription_id); }),
              "SubscriptionNotFound");
    EXPECT_EQ(error_id_of([&] { lumen->claim_deliveries({"Webhook"}, 10, policy); }), "AccessDenied");
}

TEST_F(DeliveriesTest, ATenantsEmailContactsAreToldOfAPortOutRequest) {
    admin->set_notification_emails("contoso", {"NOC@Contoso.COM", "security@contoso.com"});
    auto lumen = carrier("lumen-prod", "Lumen", "6529");
    const auto o = submit(*lumen);
    const auto due = claim({"Email"});
    ASSERT_EQ(due.size(), 2U);
    EXPECT_EQ(due[0].kind, "Email");
    std::vector<std::string> targets{due[0].target, due[1].target};
    std::sort(targets.begin(), targets.end());
    EXPECT_EQ(targets, (std::vector<std::string>{"NOC@contoso.com", "security@contoso.com"}));
    EXPECT_NE(due[0].body.find(o.order_id), std::string::npos);
    EXPECT_NE(due[0].body.find("Deny-PortOutOrder"), std::string::npos);
    EXPECT_EQ(due[0].subject.find('\n'), std::string::npos);
    // Webhook senders are not handed e-mail, nor the reverse.
    EXPECT_TRUE(claim({"Webhook"}).empty());
    // The list replaces the one before.
    EXPECT_EQ(admin->set_notification_emails("contoso", {"noc@contoso.com"}).size(), 1U);
    EXPECT_EQ(admin->list_subscriptions().size(), 1U);
}

TEST_F(DeliveriesTest, BadSubscriptionsAreTypedAndChangeNothing) {
    EXPECT_EQ(error_id_of([&] { admin->create_webhook("http://hooks.example/x", {"*"}, {}); }), "InvalidWebhookUrl");
    EXPECT_EQ(error_id_of([&] { admin->create_webhook("https://user:pw@hooks.example/x", {"*"}, {}); }),
              "InvalidWebhookUrl");
    EXPECT_EQ(error_id_of([&] { admin->create_webhook("hooks.example", {"*"}, {}); }), "InvalidWebhookUrl");
    EXPECT_EQ(error_id_of([&] { admin->create_webhook("https://hooks.example/x", {}, {}); }), "EventsRequired");
    EXPECT_EQ(error_id_of([&] { admin->create_webhook("https://hooks.example/x", {"Nope"}, {}); }), "UnknownEventKind");
    EXPECT_EQ(error_id_of([&] { admin->set_notification_emails("contoso", {"not an address"}); }),
              "InvalidEmailAddress");
    EXPECT_EQ(error_id_of([&] { admin->set_notification_emails("nobody", {"a@b.example"}); }), "TenantNotFound");
    EXPECT_EQ(error_id_of([&] { as(Role::Auditor)->create_webhook("https://hooks.example/x", {"*"}, {}); }),
              "AccessDenied");
    EXPECT_EQ(error_id_of([&] {
                  as(Role::TelephonyAdmin, {"fabrikam"})->create_webhook("https://hooks.example/x", {"*"}, {"contoso"});
              }),
              "AccessDenied");
    std::vector<std::string> eleven;
    for (int i = 0; i < 11; ++i) eleven.push_back("noc" + std::to_string(i) + "@contoso.com");
    EXPECT_EQ(error_id_of([&] { admin->set_notification_emails("contoso", eleven); }), "TooManyEmailAddresses");
    EXPECT_EQ(column("SELECT count(*) FROM subscriptions"), "0");
    // A loopback receiver may be plain http (a test, a local relay).
    EXPECT_NO_THROW(admin->create_webhook("http://127.0.0.1:8080/hook", {"*"}, {}));
}

TEST_F(DeliveriesTest, BadDeliveryRequestsAreTypedAndChangeNothing) {
    admin->create_webhook("https://hooks.contoso.example/portout", {"*"}, {});
    admin->set_freeze("contoso", true);
    const auto before = column("SELECT group_concat(delivery_id || status || attempts || next_attempt_at) FROM deliveries");
    DeliveryQuery q;
    q.status = "Lost";
    EXPECT_EQ(error_id_of([&] { admin->list_deliveries(q); }), "InvalidDeliveryStatus");
    EXPECT_EQ(error_id_of([&] { server->claim_deliveries({"Pigeon"}, 10, policy); }), "InvalidSubscriptionKind");
    const auto id = admin->list_deliveries({}).front().delivery_id;
    EXPECT_EQ(error_id_of([&] { admin->redeliver(id); }), "DeliveryPending");  // not parked: being sent
    DeliveryPolicy none = policy;
    none.max_attempts = 0;
    EXPECT_EQ(error_id_of([&] { server->record_delivery(id, {false, 500, "HTTP 500", clock->now_ms(), 1}, none); }),
              "InvalidDeliveryPolicy");
    EXPECT_EQ(error_id_of([&] { server->record_delivery(424242, {true, 200, "", clock->now_ms(), 1}, policy); }),
              "DeliveryNotFound");
    EXPECT_EQ(column("SELECT group_concat(delivery_id || status || attempts || next_attempt_at) FROM deliveries"),
              before);
    EXPECT_EQ(column("SELECT count(*) FROM delivery_attempts"), "0");
}

TEST_F(DeliveriesTest, ASubscriptionAddedOrRedirectedInTheDatabaseWithoutTheKeyIsSentNothing) {
    admin->create_webhook("https://hooks.contoso.example/portout", {"*"}, {});
    sql("UPDATE subscriptions SET target = 'https://attacker.example/steal'");
    admin->set_freeze("contoso", true);
    EXPECT_TRUE(claim().empty());
    const auto list = admin->list_deliveries({});
    ASSERT_EQ(list.size(), 1U);
    EXPECT_EQ(list[0].status, "Parked");
    EXPECT_EQ(list[0].last_error.rfind("SubscriptionNotAuthentic", 0), 0U);
}

}  // namespace
}  // namespace portout
