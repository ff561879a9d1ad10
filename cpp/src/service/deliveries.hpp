// Notifications delivered: subscriptions (a webhook, or a tenant's e-mail contact), a delivery
// for each notification a subscription is owed, made in the transaction that writes the
// notification (so it is sent at least once, whatever happens to the sender), and the
// sender's side: claims of what is due, each built and signed here, and each attempt recorded,
// retried with exponential backoff and parked after the policy's attempts.
//
// A subscription is the tenants' side's (audience "": a StoreAdmin's, or a TelephonyAdmin's
// within its scope, or a tenant's e-mail contacts) or one carrier's (its own orders' notices,
// which say only what a carrier may know). Its fields are under a MAC, and a webhook's signing
// secret derives from the store's audit key and a salt, so neither a database reader learns a
// secret nor a writer without the key adds a subscription that would be sent anything.
#pragma once

#include "service/context.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace portout {

// The deliveries `n` (just written in `tx`) is owed, added in `tx`.
void enqueue_deliveries(StoreTransaction& tx, const NotificationRecord& n);

// A tenant's e-mail contacts, checked (InvalidEmailAddress, TooManyEmailAddresses), the domain in
// lower case, sorted, each once.
std::vector<std::string> canonical_emails(const std::vector<std::string>& addresses, std::string_view tenant_id);
// Makes `addresses` (canonical) the tenant's e-mail contacts in `tx`, audited; false when they
// were already.
bool replace_notification_emails(const ServiceContext& ctx, StoreTransaction& tx, const std::string& tenant_id,
                                 const std::vector<std::string>& addresses);

class Deliveries {
public:
    explicit Deliveries(const ServiceContext& ctx) : ctx_(ctx) {}

    IssuedWebhook create_webhook(std::string_view url, const std::vector<std::string>& events,
                                 const std::vector<std::string>& tenant_scope);
    std::vector<Subscription> list_subscriptions();
    void remove_subscription(std::string_view subscription_id);
    std::vector<Subscription> set_notification_emails(std::string_view tenant_id,
                                                      const std::vector<std::string>& addresses);
    std::vector<Delivery> list_deliveries(const DeliveryQuery& query);
    Delivery redeliver(std::int64_t delivery_id);
    std::vector<DueDelivery> claim(const std::vector<std::string>& kinds, std::size_t max_count,
                                   const DeliveryPolicy& policy);
    Delivery record(std::int64_t delivery_id, const DeliveryResult& result, const DeliveryPolicy& policy);

private:
    std::string mac(const SubscriptionRecord& s) const;
    std::string signing_secret(const SubscriptionRecord& s) const;
    // Whether this session may see (and remove) the subscription, and its deliveries.
    bool visible(const SubscriptionRecord& s) const;
    Delivery delivery_of(StoreTransaction& tx, const DeliveryRecord& d) const;
    DueDelivery build(const SubscriptionRecord& s, const NotificationRecord& n, const DeliveryRecord& d,
                      Millis now) const;

    const ServiceContext& ctx_;
};

}  // namespace portout
