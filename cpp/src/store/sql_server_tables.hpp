// The store contract's tables of the server (portout serve), in SQL for every backend: who
// signs in (principals, the throttle of failed sign-ins, the admin center's sessions) and what is delivered
// (subscriptions, deliveries and their attempts). SqlTransaction (sql_transaction.cpp) is the
// rest of the contract, built on this.
#pragma once

#include "store/sql.hpp"

#include <portout/store.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace portout {

class SqlServerTables : public StoreTransaction {
public:
    std::optional<PrincipalRecord> principal(std::string_view principal_id) override;
    std::optional<PrincipalRecord> principal_by_name(std::string_view kind, std::string_view name) override;
    std::vector<PrincipalRecord> principals(std::string_view kind) override;
    void insert_principal(const PrincipalRecord& p) override;
    void update_principal(const PrincipalRecord& p) override;
    void delete_principal(std::string_view principal_id) override;
    std::optional<ThrottleRecord> throttle(std::string_view subject) override;
    void put_throttle(const ThrottleRecord& t) override;
    std::optional<WebSessionRecord> web_session(std::string_view session_id) override;
    void insert_web_session(const WebSessionRecord& w) override;
    void update_web_session(const WebSessionRecord& w) override;
    void delete_web_session(std::string_view session_id) override;
    std::int64_t delete_stale_web_sessions(Millis created_before, Millis seen_before) override;
    std::vector<SubscriptionRecord> subscriptions() override;
    std::optional<SubscriptionRecord> subscription(std::string_view id) override;
    void insert_subscription(const SubscriptionRecord& s) override;
    void delete_subscription(std::string_view id) override;
    std::optional<NotificationRecord> notification(std::int64_t id) override;
    std::int64_t insert_delivery(DeliveryRecord& d) override;
    std::optional<DeliveryRecord> delivery(std::int64_t id) override;
    void update_delivery(const DeliveryRecord& d) override;
    std::vector<DeliveryRecord> due_deliveries(Millis now, const std::vector<std::string>& kinds,
                                               std::size_t limit) override;
    std::vector<DeliveryRecord> deliveries(const DeliveryQuery& q) override;
    void insert_delivery_attempt(const DeliveryAttemptRecord& a) override;
    std::vector<DeliveryAttemptRecord> delivery_attempts(std::int64_t id) override;

protected:
    explicit SqlServerTables(std::unique_ptr<sql::Session> s) : s_(std::move(s)) {}
    std::unique_ptr<sql::Session> s_;
};

}  // namespace portout
