// How each record is a row of its table: the columns a statement names, in order, and the
// record read from a row or bound as a statement's parameters, for every backend.
#pragma once

#include "store/sql.hpp"

#include <portout/store.hpp>

namespace portout::sql {

inline constexpr const char* kTenantColumns =
    "tenant_id, display_name, country, created_at, modified_at, modified_by, pin_record, "
    "pin_key_id, pin_set_at, pin_changed_at, pin_changed_by, failed_attempts, locked_until, "
    "lock_level, last_check_at, last_check_result, pin_version, frozen, account_number, service_zip, "
    "authorized_name, time_zone, carrier_attempts";
inline constexpr const char* kPolicyColumns =
    "scope, min_length, max_length, block_weak, blocklist, max_failed_attempts, lockout_ms, "
    "max_lockout_ms, modified_at, modified_by, tenant_max_failures, failure_window_ms, review_window_ms, "
    "review_deadline_action, min_foc_business_days, max_foc_days, cancel_cutoff_ms, holidays";
inline constexpr const char* kNumberColumns =
    "number, tenant_id, added_at, added_by";
inline constexpr const char* kOrderColumns =
    "seq, order_id, tenant_id, carrier, submitted_by, status, reason, internal_reason, "
    "requested_foc, foc, created_at, modified_at, modified_by, account_number, service_zip, "
    "authorized_name, carrier_spid, pon, port_type, review_deadline, approved_at, comment, idempotency_key, "
    "request_hash";
inline constexpr const char* kPrincipalColumns =
    "principal_id, kind, name, role, tenant_scope, carrier_name, carrier_spid, secret_hash, totp_secret, "
    "expires_at, created_at, created_by, last_used_at, mac, totp_last_step";
inline constexpr const char* kSubscriptionColumns =
    "subscription_id, kind, target, events, tenant_scope, audience, secret_salt, created_at, created_by, mac";
inline constexpr const char* kDeliveryColumns =
    "delivery_id, subscription_id, notification_id, tenant_id, status, attempts, created_at, next_attempt_at, "
    "delivered_at, last_error";
inline constexpr const char* kDeliveryAttemptColumns =
    "delivery_id, attempt, started_at, duration_ms, outcome, status_code, error";
inline constexpr const char* kStepColumns =
    "order_id, step, occurred_at, actor, from_status, to_status, reason, internal_reason, comment, foc";
inline constexpr const char* kNotificationColumns =
    "notification_id, occurred_at, kind, tenant_id, order_id, summary, details, audience";
inline constexpr const char* kAuditColumns =
    "event_id, occurred_at, event_type, tenant_id, actor, outcome, reason, details, prev_mac, mac, state_mac";

TenantRecord read_tenant(const Rows& r);
Params tenant_params(const TenantRecord& t);
NumberRecord read_number(const Rows& r);
OrderRecord read_order(const Rows& r);
PrincipalRecord read_principal(const Rows& r);
Params principal_params(const PrincipalRecord& p);
SubscriptionRecord read_subscription(const Rows& r);
DeliveryRecord read_delivery(const Rows& r);
DeliveryAttemptRecord read_delivery_attempt(const Rows& r);
OrderStep read_step(const Rows& r);
NotificationRecord read_notification(const Rows& r);
AuditRecord read_audit(const Rows& r);

}  // namespace portout::sql
