#include "store/sql_server_tables.hpp"

#include "store/sql_rows.hpp"
#include "store/sql_statements.hpp"

#include <string>
#include <utility>

namespace portout {

using sql::Binder;
using sql::Params;
using sql::Param;
using sql::all;
using sql::select;
using sql::kDeliveryAttemptColumns;
using sql::kDeliveryColumns;
using sql::kNotificationColumns;
using sql::kPrincipalColumns;
using sql::kSubscriptionColumns;
using sql::principal_params;
using sql::read_delivery;
using sql::read_delivery_attempt;
using sql::read_notification;
using sql::read_principal;
using sql::read_subscription;

std::optional<PrincipalRecord> SqlServerTables::principal(std::string_view principal_id) {
    static const std::string sql = select(kPrincipalColumns, "FROM principals WHERE principal_id = $1");
    auto r = s_->query(sql, {Param::of(principal_id)});
    if (!r->next()) return std::nullopt;
    return read_principal(*r);
}

std::optional<PrincipalRecord> SqlServerTables::principal_by_name(std::string_view kind, std::string_view name) {
    static const std::string sql = select(kPrincipalColumns, "FROM principals WHERE kind = $1 AND name = $2");
    auto r = s_->query(sql, {Param::of(kind), Param::of(name)});
    if (!r->next()) return std::nullopt;
    return read_principal(*r);
}

std::vector<PrincipalRecord> SqlServerTables::principals(std::string_view kind) {
    static const std::string sql = select(kPrincipalColumns, "FROM principals WHERE kind = $1 ORDER BY name");
    return all(s_->query(sql, {Param::of(kind)}), read_principal);
}

void SqlServerTables::insert_principal(const PrincipalRecord& p) {
    static const std::string sql = std::string("INSERT INTO principals (") + kPrincipalColumns +
                                   ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)";
    s_->execute(sql, principal_params(p));
}

void SqlServerTables::update_principal(const PrincipalRecord& p) {
    s_->execute("UPDATE principals SET kind = $2, name = $3, role = $4, tenant_scope = $5, carrier_name = $6, "
                "carrier_spid = $7, secret_hash = $8, totp_secret = $9, expires_at = $10, created_at = $11, "
                "created_by = $12, last_used_at = $13, mac = $14, totp_last_step = $15 WHERE principal_id = $1",
                principal_params(p));
}

void SqlServerTables::delete_principal(std::string_view principal_id) {
    s_->execute("DELETE FROM principals WHERE principal_id = $1", {Param::of(principal_id)});
}

std::optional<ThrottleRecord> SqlServerTables::throttle(std::string_view subject) {
    auto r = s_->query("SELECT subject, failures, window_start, blocked_until FROM auth_throttle WHERE subject = $1",
                       {Param::of(subject)});
    if (!r->next()) return std::nullopt;
    return ThrottleRecord{r->text(0), static_cast<int>(r->integer(1)), r->integer(2), r->optional_integer(3)};
}

void SqlServerTables::put_throttle(const ThrottleRecord& t) {
    s_->execute("DELETE FROM auth_throttle WHERE subject = $1", {Param::of(std::string_view(t.subject))});
    s_->execute("INSERT INTO auth_throttle (subject, failures, window_start, blocked_until) VALUES ($1, $2, $3, $4)",
                {Param::of(std::string_view(t.subject)), Param::of(std::int64_t{t.failures}),
                 Param::of(t.window_start), Param::of(t.blocked_until)});
}

namespace {
constexpr const char* kWebSessionColumns =
    "session_id, principal_id, state, secret_hash, created_at, last_seen_at, client_address, mac";

Params web_session_params(const WebSessionRecord& w) {
    return {Param::of(std::string_view(w.session_id)), Param::of(std::string_view(w.principal_id)),
            Param::of(std::string_view(w.state)),      Param::blob(w.secret_hash),
            Param::of(w.created_at),                   Param::of(w.last_seen_at),
            Param::of(std::string_view(w.client_address)), Param::blob(w.mac)};
}
}  // namespace

std::optional<WebSessionRecord> SqlServerTables::web_session(std::string_view session_id) {
    static const std::string sql = select(kWebSessionColumns, "FROM web_sessions WHERE session_id = $1");
    auto r = s_->query(sql, {Param::of(session_id)});
    if (!r->next()) return std::nullopt;
    return WebSessionRecord{r->text(0),    r->text(1),    r->text(2), r->blob(3),
                            r->integer(4), r->integer(5), r->text(6), r->blob(7)};
}

void SqlServerTables::insert_web_session(const WebSessionRecord& w) {
    static const std::string sql =
        std::string("INSERT INTO web_sessions (") + kWebSessionColumns + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
    s_->execute(sql, web_session_params(w));
}

void SqlServerTables::update_web_session(const WebSessionRecord& w) {
    s_->execute("UPDATE web_sessions SET principal_id = $2, state = $3, secret_hash = $4, created_at = $5, "
                "last_seen_at = $6, client_address = $7, mac = $8 WHERE session_id = $1",
                web_session_params(w));
}

void SqlServerTables::delete_web_session(std::string_view session_id) {
    s_->execute("DELETE FROM web_sessions WHERE session_id = $1", {Param::of(session_id)});
}

std::int64_t SqlServerTables::delete_stale_web_sessions(Millis created_before, Millis seen_before) {
    return s_->execute("DELETE FROM web_sessions WHERE created_at < $1 OR last_seen_at < $2",
                       {Param::of(created_before), Param::of(seen_before)});
}

std::vector<SubscriptionRecord> SqlServerTables::subscriptions() {
    static const std::string sql = select(kSubscriptionColumns, "FROM subscriptions ORDER BY subscription_id");
    return all(s_->query(sql, {}), read_subscription);
}

std::optional<SubscriptionRecord> SqlServerTables::subscription(std::string_view id) {
    static const std::string sql = select(kSubscriptionColumns, "FROM subscriptions WHERE subscription_id = $1");
    auto r = s_->query(sql, {Param::of(id)});
    if (!r->next()) return std::nullopt;
    return read_subscription(*r);
}

void SqlServerTables::insert_subscription(const SubscriptionRecord& s) {
    static const std::string sql = std::string("INSERT INTO subscriptions (") + kSubscriptionColumns +
                                   ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
    s_->execute(sql, {Param::of(std::string_view(s.subscription_id)), Param::of(std::string_view(s.kind)),
                      Param::of(std::string_view(s.target)), Param::of(std::string_view(s.events)),
                      Param::of(std::string_view(s.tenant_scope)), Param::of(std::string_view(s.audience)),
                      Param::blob(s.secret_salt), Param::of(s.created_at),
                      Param::of(std::string_view(s.created_by)), Param::blob(s.mac)});
}

void SqlServerTables::delete_subscription(std::string_view id) {
    s_->execute("DELETE FROM delivery_attempts WHERE delivery_id IN "
                "(SELECT delivery_id FROM deliveries WHERE subscription_id = $1)",
                {Param::of(id)});
    s_->execute("DELETE FROM deliveries WHERE subscription_id = $1", {Param::of(id)});
    s_->execute("DELETE FROM subscriptions WHERE subscription_id = $1", {Param::of(id)});
}

std::optional<NotificationRecord> SqlServerTables::notification(std::int64_t id) {
    static const std::string sql = select(kNotificationColumns, "FROM notifications WHERE notification_id = $1");
    auto r = s_->query(sql, {Param::of(id)});
    if (!r->next()) return std::nullopt;
    return read_notification(*r);
}

std::int64_t SqlServerTables::insert_delivery(DeliveryRecord& d) {
    auto r = s_->query("INSERT INTO deliveries (subscription_id, notification_id, tenant_id, status, attempts, "
                       "created_at, next_attempt_at, delivered_at, last_error) VALUES ($1, $2, $3, $4, $5, $6, "
                       "$7, $8, $9) RETURNING delivery_id",
                       {Param::of(std::string_view(d.subscription_id)), Param::of(d.notification_id),
                        Param::of(std::string_view(d.tenant_id)), Param::of(std::string_view(d.status)),
                        Param::of(std::int64_t{d.attempts}), Param::of(d.created_at), Param::of(d.next_attempt_at),
                        Param::of(d.delivered_at), Param::of(std::string_view(d.last_error))});
    r->next();
    d.delivery_id = r->integer(0);
    return d.delivery_id;
}

std::optional<DeliveryRecord> SqlServerTables::delivery(std::int64_t id) {
    static const std::string sql = select(kDeliveryColumns, "FROM deliveries WHERE delivery_id = $1");
    auto r = s_->query(sql, {Param::of(id)});
    if (!r->next()) return std::nullopt;
    return read_delivery(*r);
}

void SqlServerTables::update_delivery(const DeliveryRecord& d) {
    s_->execute("UPDATE deliveries SET status = $2, attempts = $3, next_attempt_at = $4, delivered_at = $5, "
                "last_error = $6 WHERE delivery_id = $1",
                {Param::of(d.delivery_id), Param::of(std::string_view(d.status)), Param::of(std::int64_t{d.attempts}),
                 Param::of(d.next_attempt_at), Param::of(d.delivered_at), Param::of(std::string_view(d.last_error))});
}

constexpr const char* kDueColumns =
    "d.delivery_id, d.subscription_id, d.notification_id, d.tenant_id, d.status, d.attempts, d.created_at, "
    "d.next_attempt_at, d.delivered_at, d.last_error";

std::vector<DeliveryRecord> SqlServerTables::due_deliveries(Millis now, const std::vector<std::string>& kinds,
                                           std::size_t limit) {
    if (kinds.empty()) return {};
    Binder b;
    std::string sql = std::string("SELECT ") + kDueColumns + " FROM deliveries d JOIN subscriptions s ON s.subscription_id = "
                      "d.subscription_id WHERE d.status = 'Pending' AND d.next_attempt_at <= " +
                      b.add(Param::of(now)) + " AND s.kind IN (" + b.add_all(kinds) +
                      ") ORDER BY d.next_attempt_at, d.delivery_id LIMIT " +
                      b.add(Param::of(static_cast<std::int64_t>(limit)));
    return all(s_->query(sql, b.params()), read_delivery);
}

std::vector<DeliveryRecord> SqlServerTables::deliveries(const DeliveryQuery& q) {
    Binder b;
    std::string sql = select(kDeliveryColumns, "FROM deliveries WHERE 1 = 1");
    if (!q.subscription_ids.empty()) sql += " AND subscription_id IN (" + b.add_all(q.subscription_ids) + ")";
    if (q.status) sql += " AND status = " + b.add(Param::of(std::string_view(*q.status)));
    if (q.before_id) sql += " AND delivery_id < " + b.add(Param::of(*q.before_id));
    sql += " ORDER BY delivery_id DESC LIMIT " + b.add(Param::of(static_cast<std::int64_t>(q.limit)));
    return all(s_->query(sql, b.params()), read_delivery);
}

void SqlServerTables::insert_delivery_attempt(const DeliveryAttemptRecord& a) {
    static const std::string sql = std::string("INSERT INTO delivery_attempts (") + kDeliveryAttemptColumns +
                                   ") VALUES ($1, $2, $3, $4, $5, $6, $7)";
    s_->execute(sql, {Param::of(a.delivery_id), Param::of(std::int64_t{a.attempt}), Param::of(a.started_at),
                      Param::of(a.duration_ms), Param::of(std::string_view(a.outcome)),
                      Param::of(std::int64_t{a.status_code}), Param::of(std::string_view(a.error))});
}

std::vector<DeliveryAttemptRecord> SqlServerTables::delivery_attempts(std::int64_t id) {
    static const std::string sql =
        select(kDeliveryAttemptColumns, "FROM delivery_attempts WHERE delivery_id = $1 ORDER BY attempt");
    return all(s_->query(sql, {Param::of(id)}), read_delivery_attempt);
}

}  // namespace portout
