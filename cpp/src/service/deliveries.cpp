#include "service/deliveries.hpp"

#include <portout/crypto.hpp>
#include <portout/errors.hpp>
#include <portout/identity.hpp>
#include "service/audit_chain.hpp"

#include <sodium.h>

#include <algorithm>
#include <iterator>
#include <cctype>
#include <ctime>
#include <map>

namespace portout {

namespace {

constexpr std::string_view kWebhook = "Webhook";
constexpr std::string_view kEmail = "Email";
constexpr std::string_view kPending = "Pending";
constexpr std::string_view kDelivered = "Delivered";
constexpr std::string_view kParked = "Parked";
constexpr std::size_t kMaxUrl = 2048;
constexpr std::size_t kMaxEmails = 10;

// What a subscription may ask for: the kinds of notification the outbox holds.
constexpr std::string_view kEventKinds[] = {
    "PortOutRequest", "OrderApproved",   "OrderDenied",      "OrderConfirmed",      "OrderFocChanged",
    "OrderCompleted", "OrderCancelled",  "PinSet",           "PinChanged",          "PinCheckFailed",
    "PinLockedOut",   "PortOutLocked",   "PinUnlocked",      "PortOutFrozen",       "PortOutUnfrozen",
    "TenantAccountUpdated", "TenantStateRepaired", "StoreTampered", "TenantRemoved", "KeyRotated",
    "AuditCheckpoint", "*",
};
// What a carrier is told of: its own orders.
constexpr std::string_view kCarrierKinds[] = {
    "PortOutRequest", "OrderApproved", "OrderDenied",    "OrderConfirmed",
    "OrderFocChanged", "OrderCompleted", "OrderCancelled", "*",
};

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool loopback_host(std::string_view host) {
    return host == "127.0.0.1" || host == "localhost" || host == "[::1]" ||
           (host.substr(0, 4) == "127." && std::all_of(host.begin(), host.end(), [](char c) {
                return std::isdigit(static_cast<unsigned char>(c)) != 0 || c == '.';
            }));
}

// An absolute https URL (http only to a loopback address), without credentials in it.
std::string canonical_url(std::string_view raw) {
    const auto bad = [](const std::string& why) {
        throw InvalidArgumentError("InvalidWebhookUrl", "A webhook's URL " + why);
    };
    if (raw.empty() || raw.size() > kMaxUrl || !is_visible_ascii(raw)) bad("is at most 2048 visible characters.");
    const auto scheme_end = raw.find("://");
    if (scheme_end == std::string_view::npos) bad("is absolute: https://host/path.");
    const auto scheme = lower(raw.substr(0, scheme_end));
    auto rest = raw.substr(scheme_end + 3);
    const auto authority = rest.substr(0, rest.find_first_of("/?#"));
    if (authority.find('@') != std::string_view::npos) bad("carries no user name or password.");
    auto host = authority;
    if (!host.empty() && host.front() == '[') {
        host = host.substr(0, host.find(']') + 1);
    } else {
        host = host.substr(0, host.find(':'));
    }
    if (host.empty()) bad("names a host.");
    if (scheme == "https") return std::string(raw);
    if (scheme == "http" && loopback_host(lower(host))) return std::string(raw);
    bad("is https: a notice travels only encrypted (http only to this machine's loopback address).");
    return {};
}

// One address: a local part and a domain, no spaces, quotes or angle brackets; the domain in
// lower case.
std::string canonical_email(std::string_view raw) {
    const auto at = raw.rfind('@');
    const bool shape = raw.size() <= 254 && is_visible_ascii(raw) && at != std::string_view::npos && at > 0 &&
                       at + 1 < raw.size() && raw.find('@') == at;
    const auto domain = shape ? raw.substr(at + 1) : std::string_view();
    const bool local_ok = shape && std::none_of(raw.begin(), raw.begin() + static_cast<std::ptrdiff_t>(at), [](char c) {
                              return c == '"' || c == '<' || c == '>' || c == ',' || c == ';' || c == '\\' || c == '(' ||
                                     c == ')';
                          });
    const bool domain_ok = !domain.empty() && domain.find('.') != std::string_view::npos &&
                           domain.front() != '.' && domain.back() != '.' &&
                           std::all_of(domain.begin(), domain.end(), [](char c) {
                               return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.';
                           });
    if (!local_ok || !domain_ok) {
        throw InvalidArgumentError("InvalidEmailAddress",
                                   "An e-mail contact is an address such as noc@contoso.com (at most 254 characters).");
    }
    return std::string(raw.substr(0, at + 1)) + lower(domain);
}

std::string json_string(std::string_view s) {
    std::string out = "\"";
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20 || u == 0x7F) {
            static constexpr char kHex[] = "0123456789abcdef";
            out += "\\u00";
            out += kHex[u >> 4];
            out += kHex[u & 0xF];
        } else {
            out += c;
        }
    }
    return out + "\"";
}

std::string utc_text(Millis ms) {
    const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    char millis[8];
    std::snprintf(millis, sizeof millis, ".%03dZ", static_cast<int>(ms % 1000));
    return std::string(buf) + millis;
}

// A line of a header: no line breaks, at most `n` characters.
std::string one_line(std::string_view s, std::size_t n) {
    std::string out;
    for (const char c : s) out += (c == '\r' || c == '\n') ? ' ' : c;
    if (out.size() > n) out = out.substr(0, n - 3) + "...";
    return out;
}

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()), key.size());
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()), message.size());
    std::string mac(crypto_auth_hmacsha256_BYTES, '\0');
    crypto_auth_hmacsha256_final(&state, reinterpret_cast<unsigned char*>(mac.data()));
    sodium_memzero(&state, sizeof state);
    return to_hex(mac);
}

std::string base64url(std::string_view bytes) {
    std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    out.resize(out.size() - 1);
    return out;
}

bool wants(const SubscriptionRecord& s, const NotificationRecord& n) {
    if (s.audience != n.audience) return false;
    const auto events = decode_list(s.events);
    if (std::find(events.begin(), events.end(), "*") == events.end() &&
        std::find(events.begin(), events.end(), n.kind) == events.end()) {
        return false;
    }
    if (s.tenant_scope.empty()) return true;
    const auto scope = decode_list(s.tenant_scope);
    return std::find(scope.begin(), scope.end(), n.tenant_id) != scope.end();
}

Subscription subscription_of(const SubscriptionRecord& r) {
    return {r.subscription_id, r.kind, r.target, decode_list(r.events), decode_list(r.tenant_scope),
            r.audience, r.created_at, r.created_by};
}

std::string new_id(StoreTransaction& tx) {
    std::string id;
    do {
        id = to_hex(random_bytes(8));
    } while (tx.subscription(id));
    return id;
}

std::string subscription_mac(const ServiceContext& ctx, const SubscriptionRecord& s) {
    auto b = ctx.audit.principal_mac();
    b.add("subscription").add(s.subscription_id).add(s.kind).add(s.target).add(s.events).add(s.tenant_scope);
    b.add(s.audience).add(s.secret_salt).add(s.created_at).add(s.created_by);
    return b.finish();
}

}  // namespace

void enqueue_deliveries(StoreTransaction& tx, const NotificationRecord& n) {
    for (const auto& s : tx.subscriptions()) {
        if (!wants(s, n)) continue;
        DeliveryRecord d;
        d.subscription_id = s.subscription_id;
        d.notification_id = n.notification_id;
        d.tenant_id = n.tenant_id;
        d.status = kPending;
        d.created_at = n.occurred_at;
        d.next_attempt_at = n.occurred_at;
        tx.insert_delivery(d);
    }
}

std::string Deliveries::mac(const SubscriptionRecord& s) const { return subscription_mac(ctx_, s); }

std::string Deliveries::signing_secret(const SubscriptionRecord& s) const {
    std::string key = ctx_.audit.principal_mac().add("webhook-secret").add(s.subscription_id).add(s.secret_salt).finish();
    std::string secret = "whsec_" + base64url(key);
    sodium_memzero(key.data(), key.size());
    return secret;
}

bool Deliveries::visible(const SubscriptionRecord& s) const {
    if (ctx_.role() == Role::Carrier) return !ctx_.actor.empty() && s.audience == ctx_.actor;
    if (ctx_.tenant_scope().empty()) return ctx_.role() == Role::StoreAdmin || s.audience.empty();
    if (!s.audience.empty() || s.tenant_scope.empty()) return false;
    const auto scope = decode_list(s.tenant_scope);
    return std::all_of(scope.begin(), scope.end(), [&](const std::string& t) { return ctx_.in_scope(t); });
}

IssuedWebhook Deliveries::create_webhook(std::string_view raw_url, const std::vector<std::string>& raw_events,
                                         const std::vector<std::string>& raw_scope) {
    const auto url = canonical_url(raw_url);
    const bool carrier = ctx_.role() == Role::Carrier;
    if (raw_events.empty()) {
        throw InvalidArgumentError("EventsRequired", "A webhook names the kinds of notification it is sent, or *.");
    }
    std::vector<std::string> events;
    for (const auto& e : raw_events) {
        const bool known = carrier ? std::find(std::begin(kCarrierKinds), std::end(kCarrierKinds), e) != std::end(kCarrierKinds)
                                   : std::find(std::begin(kEventKinds), std::end(kEventKinds), e) != std::end(kEventKinds);
        if (!known) {
            throw InvalidArgumentError("UnknownEventKind",
                                       carrier ? "A carrier's webhook is sent its orders' notices: PortOutRequest, "
                                                 "OrderApproved, OrderDenied, OrderConfirmed, OrderFocChanged, "
                                                 "OrderCompleted, OrderCancelled, or *."
                                               : "No notification has this kind (Get-Help New-PortOutWebhook lists "
                                                 "them).",
                                       is_visible_ascii(e) && e.size() <= 64 ? e : std::string());
        }
        events.push_back(e);
    }
    std::sort(events.begin(), events.end());
    events.erase(std::unique(events.begin(), events.end()), events.end());
    if (std::find(events.begin(), events.end(), "*") != events.end()) events = {"*"};
    std::vector<std::string> scope;
    for (const auto& t : raw_scope) scope.push_back(canonical_tenant_id(t));
    std::sort(scope.begin(), scope.end());
    scope.erase(std::unique(scope.begin(), scope.end()), scope.end());
    if (carrier && !scope.empty()) {
        throw InvalidArgumentError("ScopeNotAllowed", "A carrier's webhook is sent its own orders' notices, of any tenant.");
    }
    // A scoped session's webhook is within its scope: its tenants, when it names none.
    if (!carrier && scope.empty()) scope = ctx_.tenant_scope();
    ctx_.authorize(Operation::Notifications);
    for (const auto& t : scope) ctx_.authorize(Operation::Notifications, t);
    if (carrier && ctx_.actor.empty()) {
        throw InvalidOperationError("CarrierRequired", "A carrier's webhook is made by the carrier's own session.");
    }

    auto tx = ctx_.store.begin(TxMode::Write);
    SubscriptionRecord r;
    r.subscription_id = new_id(*tx);
    r.kind = kWebhook;
    r.target = url;
    r.events = encode_list(events);
    r.tenant_scope = encode_list(scope);
    r.audience = carrier ? ctx_.actor : std::string();
    r.secret_salt = random_bytes(32);
    r.created_at = ctx_.now();
    r.created_by = ctx_.actor;
    r.mac = mac(r);
    tx->insert_subscription(r);
    std::string details = "id=" + r.subscription_id + " url=" + url + " events=" + r.events;
    if (!scope.empty()) details += " scope=" + r.tenant_scope;
    if (!r.audience.empty()) details += " audience=" + r.audience;
    ctx_.append_audit(*tx, "WebhookCreated", scope.size() == 1 ? scope.front() : std::string(), "Success", "", details);
    tx->commit();
    std::string secret = signing_secret(r);
    IssuedWebhook issued{subscription_of(r), Secret(secret)};
    sodium_memzero(secret.data(), secret.size());
    return issued;
}

std::vector<Subscription> Deliveries::list_subscriptions() {
    ctx_.authorize(Operation::Notifications);
    auto tx = ctx_.store.begin(TxMode::ReadOneStatement);
    std::vector<Subscription> out;
    for (const auto& s : tx->subscriptions()) {
        if (visible(s)) out.push_back(subscription_of(s));
    }
    return out;
}

void Deliveries::remove_subscription(std::string_view raw_id) {
    ctx_.authorize(Operation::Notifications);
    const std::string id = lower(raw_id);
    auto tx = ctx_.store.begin(TxMode::Write);
    const auto s = id.size() == 16 && is_visible_ascii(id) ? tx->subscription(id) : std::nullopt;
    if (!s || !visible(*s)) {
        throw ObjectNotFoundError("SubscriptionNotFound", "No subscription this session may see has this id.",
                                  id.size() <= 64 && is_visible_ascii(id) ? id : std::string());
    }
    tx->delete_subscription(id);
    ctx_.append_audit(*tx, s->kind == kWebhook ? "WebhookRemoved" : "NotificationEmailRemoved",
                      s->tenant_scope.find(',') == std::string::npos ? s->tenant_scope : std::string(), "Success", "",
                      "id=" + id + " target=" + s->target);
    tx->commit();
}

std::vector<std::string> canonical_emails(const std::vector<std::string>& raw, std::string_view tenant_id) {
    std::vector<std::string> addresses;
    for (const auto& a : raw) addresses.push_back(canonical_email(a));
    std::sort(addresses.begin(), addresses.end());
    addresses.erase(std::unique(addresses.begin(), addresses.end()), addresses.end());
    if (addresses.size() > kMaxEmails) {
        throw InvalidArgumentError("TooManyEmailAddresses", "A tenant has at most 10 e-mail contacts.",
                                   std::string(tenant_id));
    }
    return addresses;
}

bool replace_notification_emails(const ServiceContext& ctx, StoreTransaction& tx, const std::string& tenant,
                                 const std::vector<std::string>& addresses) {
    std::vector<SubscriptionRecord> before;
    for (const auto& s : tx.subscriptions()) {
        if (s.kind == kEmail && s.tenant_scope == tenant) before.push_back(s);
    }
    std::vector<std::string> targets;
    for (const auto& s : before) targets.push_back(s.target);
    std::sort(targets.begin(), targets.end());
    if (targets == addresses) return false;
    for (const auto& s : before) tx.delete_subscription(s.subscription_id);
    for (const auto& address : addresses) {
        SubscriptionRecord r;
        r.subscription_id = new_id(tx);
        r.kind = kEmail;
        r.target = address;
        r.events = "*";
        r.tenant_scope = tenant;
        r.secret_salt = random_bytes(32);
        r.created_at = ctx.now();
        r.created_by = ctx.actor;
        r.mac = subscription_mac(ctx, r);
        tx.insert_subscription(r);
    }
    ctx.append_audit(tx, "NotificationEmailsSet", tenant, "Success", "",
                     "count=" + std::to_string(addresses.size()) + " addresses=" + encode_list(addresses));
    return true;
}

std::vector<Subscription> Deliveries::set_notification_emails(std::string_view raw_tenant,
                                                              const std::vector<std::string>& raw_addresses) {
    const auto tenant = canonical_tenant_id(raw_tenant);
    const auto addresses = canonical_emails(raw_addresses, tenant);
    ctx_.authorize(Operation::Notifications, tenant);
    auto tx = ctx_.store.begin(TxMode::Write);
    if (!tx->tenant(tenant)) throw ObjectNotFoundError("TenantNotFound", "No tenant has this id.", tenant);
    replace_notification_emails(ctx_, *tx, tenant, addresses);
    std::vector<Subscription> out;
    for (const auto& s : tx->subscriptions()) {
        if (s.kind == kEmail && s.tenant_scope == tenant) out.push_back(subscription_of(s));
    }
    tx->commit();
    return out;
}

Delivery Deliveries::delivery_of(StoreTransaction& tx, const DeliveryRecord& d) const {
    Delivery out;
    out.delivery_id = d.delivery_id;
    out.subscription_id = d.subscription_id;
    if (const auto s = tx.subscription(d.subscription_id)) {
        out.kind = s->kind;
        out.target = s->target;
    }
    out.notification_id = d.notification_id;
    if (const auto n = tx.notification(d.notification_id)) {
        out.event = n->kind;
        out.order_id = n->order_id;
    }
    out.tenant_id = d.tenant_id;
    out.status = d.status;
    out.attempts = d.attempts;
    out.created_at = d.created_at;
    out.next_attempt_at = d.next_attempt_at;
    out.delivered_at = d.delivered_at;
    out.last_error = d.last_error;
    for (const auto& a : tx.delivery_attempts(d.delivery_id)) {
        out.attempt_log.push_back({a.attempt, a.started_at, a.duration_ms, a.outcome, a.status_code, a.error});
    }
    return out;
}

std::vector<Delivery> Deliveries::list_deliveries(const DeliveryQuery& query) {
    if (query.status && *query.status != kPending && *query.status != kDelivered && *query.status != kParked) {
        throw InvalidArgumentError("InvalidDeliveryStatus", "A delivery's status is Pending, Delivered or Parked.");
    }
    ctx_.authorize(Operation::Notifications);
    auto tx = ctx_.store.begin(TxMode::Read);
    DeliveryQuery q = query;
    q.limit = std::clamp<std::size_t>(q.limit, 1, 1000);
    q.subscription_ids.clear();
    for (const auto& s : tx->subscriptions()) {
        if (!visible(s)) continue;
        if (!query.subscription_ids.empty() &&
            std::find(query.subscription_ids.begin(), query.subscription_ids.end(), s.subscription_id) ==
                query.subscription_ids.end()) {
            continue;
        }
        q.subscription_ids.push_back(s.subscription_id);
    }
    std::vector<Delivery> out;
    if (q.subscription_ids.empty()) return out;
    for (const auto& d : tx->deliveries(q)) out.push_back(delivery_of(*tx, d));
    return out;
}

Delivery Deliveries::redeliver(std::int64_t delivery_id) {
    ctx_.authorize(Operation::Notifications);
    auto tx = ctx_.store.begin(TxMode::Write);
    auto d = tx->delivery(delivery_id);
    const auto s = d ? tx->subscription(d->subscription_id) : std::nullopt;
    if (!d || !s || !visible(*s)) {
        throw ObjectNotFoundError("DeliveryNotFound", "No delivery this session may see has this id.",
                                  std::to_string(delivery_id));
    }
    if (d->status == kPending) {
        throw InvalidOperationError("DeliveryPending", "The delivery is being sent already.",
                                    std::to_string(delivery_id));
    }
    d->status = kPending;
    d->next_attempt_at = ctx_.now();
    tx->update_delivery(*d);
    ctx_.append_audit(*tx, "DeliveryResumed", d->tenant_id, "Success", "",
                      "delivery=" + std::to_string(delivery_id) + " subscription=" + d->subscription_id);
    tx->commit();
    auto rtx = ctx_.store.begin(TxMode::Read);
    return delivery_of(*rtx, *d);
}

DueDelivery Deliveries::build(const SubscriptionRecord& s, const NotificationRecord& n, const DeliveryRecord& d,
                              Millis now) const {
    DueDelivery out;
    out.delivery_id = d.delivery_id;
    out.subscription_id = s.subscription_id;
    out.kind = s.kind;
    out.target = s.target;
    out.event = n.kind;
    out.attempt = d.attempts + 1;
    if (s.kind == kWebhook) {
        out.body = "{\"id\":" + json_string("evt_" + std::to_string(n.notification_id)) +
                   ",\"type\":" + json_string(n.kind) + ",\"created\":" + std::to_string(n.occurred_at / 1000) +
                   ",\"occurred_at\":" + json_string(utc_text(n.occurred_at)) +
                   ",\"tenant_id\":" + json_string(n.tenant_id) + ",\"order_id\":" + json_string(n.order_id) +
                   ",\"summary\":" + json_string(n.summary) + ",\"details\":" + json_string(n.details) + "}";
        const std::string t = std::to_string(now / 1000);
        std::string secret = signing_secret(s);
        out.signature = "t=" + t + ",v1=" + hmac_sha256_hex(secret, t + "." + out.body);
        sodium_memzero(secret.data(), secret.size());
        return out;
    }
    out.subject = one_line("portout: " + n.summary, 180);
    out.body = n.summary + "\n\n";
    if (!n.tenant_id.empty()) out.body += "Tenant:  " + n.tenant_id + "\n";
    if (!n.order_id.empty()) out.body += "Order:   " + n.order_id + "\n";
    out.body += "Event:   " + n.kind + "\nWhen:    " + utc_text(n.occurred_at) + " (UTC)\n";
    if (!n.details.empty()) out.body += "Details: " + n.details + "\n";
    if (n.kind == "PortOutRequest") {
        out.body += "\nA carrier asked to move this tenant's phone numbers to another provider. If nobody at your "
                    "organization asked for this, deny the order before its review deadline (Deny-PortOutOrder "
                    "-Identity " + n.order_id + ", or in the admin center), set a port-out freeze, and tell your "
                    "provider.\n";
    }
    out.body += "\nYou receive this as a notification contact of the tenant in portout.\n";
    return out;
}

std::vector<DueDelivery> Deliveries::claim(const std::vector<std::string>& kinds, std::size_t max_count,
                                           const DeliveryPolicy& policy) {
    ctx_.authorize(Operation::DeliverNotifications);
    for (const auto& k : kinds) {
        if (k != kWebhook && k != kEmail) {
            throw InvalidArgumentError("InvalidSubscriptionKind", "A subscription is a Webhook or an Email.");
        }
    }
    const auto limit = std::clamp<std::size_t>(max_count, 1, 100);
    {
        // A look first: a sender polling an outbox with nothing due takes no writer's lock.
        auto look = ctx_.store.begin(TxMode::ReadOneStatement);
        if (look->due_deliveries(ctx_.now(), kinds, 1).empty()) return {};
    }
    auto tx = ctx_.store.begin(TxMode::Write);
    const Millis now = ctx_.now();
    std::map<std::string, std::optional<SubscriptionRecord>> subscriptions;
    std::vector<DueDelivery> out;
    for (auto& d : tx->due_deliveries(now, kinds, limit)) {
        auto& s = subscriptions[d.subscription_id];
        if (!s) s = tx->subscription(d.subscription_id);
        const auto n = tx->notification(d.notification_id);
        std::string refusal;
        if (!s || !constant_time_equal(mac(*s), s->mac)) {
            refusal = "SubscriptionNotAuthentic: changed in the database by someone without the store's key";
        } else if (!n) {
            refusal = "NotificationGone";
        }
        if (!refusal.empty()) {
            d.status = kParked;
            d.last_error = refusal;
            tx->update_delivery(d);
            ctx_.append_audit(*tx, "DeliveryParked", d.tenant_id, "Failure", refusal.substr(0, refusal.find(':')),
                              "delivery=" + std::to_string(d.delivery_id) + " subscription=" + d.subscription_id);
            continue;
        }
        d.next_attempt_at = now + policy.lease_ms;
        tx->update_delivery(d);
        out.push_back(build(*s, *n, d, now));
    }
    tx->commit();
    return out;
}

Delivery Deliveries::record(std::int64_t delivery_id, const DeliveryResult& result, const DeliveryPolicy& policy) {
    ctx_.authorize(Operation::DeliverNotifications);
    if (policy.max_attempts < 1 || policy.first_retry_ms < 0 || policy.max_retry_ms < policy.first_retry_ms) {
        throw InvalidArgumentError("InvalidDeliveryPolicy", "A delivery policy allows at least one attempt.");
    }
    auto tx = ctx_.store.begin(TxMode::Write);
    auto d = tx->delivery(delivery_id);
    if (!d) throw ObjectNotFoundError("DeliveryNotFound", "No delivery has this id.", std::to_string(delivery_id));
    const Millis now = ctx_.now();
    std::string error;
    for (const char c : result.error) {
        if (error.size() >= 300) break;
        const auto u = static_cast<unsigned char>(c);
        error += (u < 0x20 || u == 0x7F) ? ' ' : c;
    }
    if (!is_valid_utf8(error)) error = "(the error was not text)";
    const int attempt = d->attempts + 1;
    tx->insert_delivery_attempt({delivery_id, attempt, result.started_at ? result.started_at : now,
                                 std::max<std::int64_t>(0, result.duration_ms),
                                 std::string(result.delivered ? kDelivered : "Failed"), result.status_code, error});
    d->attempts = attempt;
    if (result.delivered) {
        d->status = kDelivered;
        d->delivered_at = now;
        d->last_error.clear();
    } else if (d->status == kPending) {
        d->last_error = error;
        if (attempt >= policy.max_attempts) {
            d->status = kParked;
            ctx_.append_audit(*tx, "DeliveryParked", d->tenant_id, "Failure", "AttemptsExhausted",
                              "delivery=" + std::to_string(delivery_id) + " subscription=" + d->subscription_id +
                                  " attempts=" + std::to_string(attempt));
        } else {
            Millis wait = policy.first_retry_ms;
            for (int i = 1; i < attempt && wait < policy.max_retry_ms; ++i) wait *= 2;
            wait = std::min(wait, policy.max_retry_ms);
            // Less up to a fifth at random: senders that failed together do not retry together.
            wait -= static_cast<Millis>(randombytes_uniform(static_cast<std::uint32_t>(wait / 5 + 1)));
            d->next_attempt_at = now + wait;
        }
    }
    tx->update_delivery(*d);
    auto out = delivery_of(*tx, *d);
    tx->commit();
    return out;
}

}  // namespace portout
