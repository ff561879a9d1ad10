#include "service/notifications.hpp"

#include "service/deliveries.hpp"

#include <portout/crypto.hpp>
#include <portout/errors.hpp>
#include <portout/identity.hpp>

#include <algorithm>
#include <utility>

namespace portout {

void notify(const ServiceContext& ctx, StoreTransaction& tx, std::string_view kind, std::string_view tenant_id,
            std::string_view order_id, std::string summary, std::string details, std::string_view audience) {
    NotificationRecord n;
    n.audience = audience;
    n.occurred_at = ctx.now();
    n.kind = kind;
    n.tenant_id = tenant_id;
    n.order_id = order_id;
    n.summary = std::move(summary);
    n.details = std::move(details);
    n.notification_id = tx.insert_notification(n);
    enqueue_deliveries(tx, n);
}

namespace {

std::string canonical_consumer(std::string_view raw) {
    const bool ok = !raw.empty() && raw.size() <= 128 && is_valid_utf8(raw) &&
                    std::all_of(raw.begin(), raw.end(), [](char c) {
                        const auto u = static_cast<unsigned char>(c);
                        return u >= 0x21 && u != 0x7F;
                    });
    if (!ok) {
        throw InvalidArgumentError("InvalidConsumer",
                                   "A consumer is named by 1 to 128 characters without spaces or "
                                   "control characters, such as pager or siem-feed.");
    }
    return std::string(raw);
}

}  // namespace

// A scoped session's consumer is its own: "pager" of a session scoped to contoso.com is not the
// provider's "pager", and neither acknowledges for the other. The key carries the scope's
// fingerprint after a space, which no consumer name holds.
// A carrier's consumers are its own in the same way, keyed by the carrier too.
std::string Notifications::consumer_key(const std::string& consumer) const {
    std::string key = consumer;
    if (ctx_.role() == Role::Carrier) key += " carrier:" + fingerprint(ctx_.actor);
    const auto& scope = ctx_.tenant_scope();
    if (scope.empty()) return key;
    std::string joined;
    for (const auto& t : scope) joined += t + '\n';
    return key + " scope:" + fingerprint(joined);
}

std::string Notifications::audience() const {
    return ctx_.role() == Role::Carrier ? ctx_.actor : std::string();
}

std::vector<Notification> Notifications::receive_notifications(std::string_view raw_consumer,
                                                                std::size_t max_count) {
    const auto consumer = canonical_consumer(raw_consumer);
    ctx_.authorize(Operation::Notifications);
    auto tx = ctx_.store.begin(TxMode::Read);
    return tx->unacknowledged(consumer_key(consumer), ctx_.tenant_scope(), audience(),
                              std::clamp<std::size_t>(max_count, 1, 10000));
}

std::int64_t Notifications::acknowledge_notifications(std::string_view raw_consumer,
                                                      const std::vector<std::int64_t>& ids) {
    const auto consumer = canonical_consumer(raw_consumer);
    ctx_.authorize(Operation::Notifications);
    auto tx = ctx_.store.begin(TxMode::Write);
    // Only notifications this session may see are acknowledged; others are as unknown ids.
    const auto& scope = ctx_.tenant_scope();
    const auto added = tx->acknowledge(consumer_key(consumer), scope, audience(), ids);
    if (added == 0) return 0;  // nothing changed, nothing is recorded
    ctx_.append_audit(*tx, "NotificationsAcknowledged", scope.size() == 1 ? scope[0] : std::string(), "Success",
                      "", "consumer=" + consumer + " acknowledged=" + std::to_string(added));
    tx->commit();
    return added;
}

}  // namespace portout
