#include "store/sql_rows.hpp"

namespace portout::sql {

TenantRecord read_tenant(const Rows& r) {
    TenantRecord t;
    t.tenant_id = r.text(0);
    t.display_name = r.text(1);
    t.country = r.text(2);
    t.created_at = r.integer(3);
    t.modified_at = r.integer(4);
    t.modified_by = r.text(5);
    t.pin_record = r.optional_blob(6);
    t.pin_key_id = r.text(7);
    t.pin_set_at = r.optional_integer(8);
    t.pin_changed_at = r.optional_integer(9);
    t.pin_changed_by = r.text(10);
    t.failed_attempts = static_cast<int>(r.integer(11));
    t.locked_until = r.optional_integer(12);
    t.lock_level = static_cast<int>(r.integer(13));
    t.last_check_at = r.optional_integer(14);
    t.last_check_result = r.text(15);
    t.pin_version = r.integer(16);
    t.frozen = r.integer(17) != 0;
    t.account_number = r.text(18);
    t.service_zip = r.text(19);
    t.authorized_name = r.text(20);
    t.time_zone = r.text(21);
    t.carrier_attempts = r.text(22);
    return t;
}

// $1..$23 in the order of kTenantColumns.
Params tenant_params(const TenantRecord& t) {
    return {Param::of(std::string_view(t.tenant_id)),
            Param::of(std::string_view(t.display_name)),
            Param::of(std::string_view(t.country)),
            Param::of(t.created_at),
            Param::of(t.modified_at),
            Param::of(std::string_view(t.modified_by)),
            Param::blob_or_null(t.pin_record),
            Param::of(std::string_view(t.pin_key_id)),
            Param::of(t.pin_set_at),
            Param::of(t.pin_changed_at),
            Param::of(std::string_view(t.pin_changed_by)),
            Param::of(std::int64_t{t.failed_attempts}),
            Param::of(t.locked_until),
            Param::of(std::int64_t{t.lock_level}),
            Param::of(t.last_check_at),
            Param::of(std::string_view(t.last_check_result)),
            Param::of(t.pin_version),
            Param::of(std::int64_t{t.frozen ? 1 : 0}),
            Param::of(std::string_view(t.account_number)),
            Param::of(std::string_view(t.service_zip)),
            Param::of(std::string_view(t.authorized_name)),
            Param::of(std::string_view(t.time_zone)),
            Param::of(std::string_view(t.carrier_attempts))};
}

NumberRecord read_number(const Rows& r) { return {r.text(0), r.text(1), r.integer(2), r.text(3)}; }

OrderRecord read_order(const Rows& r) {
    OrderRecord o;
    o.seq = r.integer(0);
    o.order_id = r.text(1);
    o.tenant_id = r.text(2);
    o.carrier = r.text(3);
    o.submitted_by = r.text(4);
    o.status = r.text(5);
    o.reason = r.text(6);
    o.internal_reason = r.text(7);
    o.requested_foc = r.optional_integer(8);
    o.foc = r.optional_integer(9);
    o.created_at = r.integer(10);
    o.modified_at = r.integer(11);
    o.modified_by = r.text(12);
    o.account_number = r.text(13);
    o.service_zip = r.text(14);
    o.authorized_name = r.text(15);
    o.carrier_spid = r.text(16);
    o.pon = r.text(17);
    o.port_type = r.text(18);
    o.review_deadline = r.optional_integer(19);
    o.approved_at = r.optional_integer(20);
    o.comment = r.text(21);
    o.idempotency_key = r.text(22);
    o.request_hash = r.text(23);
    return o;
}

PrincipalRecord read_principal(const Rows& r) {
    PrincipalRecord p;
    p.principal_id = r.text(0);
    p.kind = r.text(1);
    p.name = r.text(2);
    p.role = r.text(3);
    p.tenant_scope = r.text(4);
    p.carrier_name = r.text(5);
    p.carrier_spid = r.text(6);
    p.secret_hash = r.blob(7);
    p.totp_secret = r.optional_blob(8);
    p.expires_at = r.optional_integer(9);
    p.created_at = r.integer(10);
    p.created_by = r.text(11);
    p.last_used_at = r.optional_integer(12);
    p.mac = r.blob(13);
    p.totp_last_step = r.optional_integer(14);
    return p;
}

SubscriptionRecord read_subscription(const Rows& r) {
    return {r.text(0), r.text(1), r.text(2), r.text(3), r.text(4), r.text(5), r.blob(6), r.integer(7), r.text(8), r.blob(9)};
}

DeliveryRecord read_delivery(const Rows& r) {
    return {r.integer(0), r.text(1), r.integer(2), r.text(3), r.text(4), static_cast<int>(r.integer(5)),
            r.integer(6), r.integer(7), r.optional_integer(8), r.text(9)};
}

DeliveryAttemptRecord read_delivery_attempt(const Rows& r) {
    return {r.integer(0), static_cast<int>(r.integer(1)), r.integer(2), r.integer(3), r.text(4),
            static_cast<int>(r.integer(5)), r.text(6)};
}

// $1..$15 in the order of kPrincipalColumns.
Params principal_params(const PrincipalRecord& p) {
    return {Param::of(std::string_view(p.principal_id)), Param::of(std::string_view(p.kind)),
            Param::of(std::string_view(p.name)),         Param::of(std::string_view(p.role)),
            Param::of(std::string_view(p.tenant_scope)), Param::of(std::string_view(p.carrier_name)),
            Param::of(std::string_view(p.carrier_spid)), Param::blob(p.secret_hash),
            Param::blob_or_null(p.totp_secret),          Param::of(p.expires_at),
            Param::of(p.created_at),                     Param::of(std::string_view(p.created_by)),
            Param::of(p.last_used_at),                   Param::blob(p.mac),
            Param::of(p.totp_last_step)};
}

OrderStep read_step(const Rows& r) {
    OrderStep s;
    s.order_id = r.text(0);
    s.step = static_cast<int>(r.integer(1));
    s.occurred_at = r.integer(2);
    s.actor = r.text(3);
    s.from_status = r.text(4);
    s.to_status = r.text(5);
    s.reason = r.text(6);
    s.internal_reason = r.text(7);
    s.comment = r.text(8);
    s.foc = r.optional_integer(9);
    return s;
}

NotificationRecord read_notification(const Rows& r) {
    return {r.integer(0), r.integer(1), r.text(2), r.text(3), r.text(4), r.text(5), r.text(6), r.text(7)};
}

AuditRecord read_audit(const Rows& r) {
    return {{r.integer(0), r.integer(1), r.text(2), r.text(3), r.text(4), r.text(5), r.text(6), r.text(7)},
            r.blob(8),
            r.blob(9),
            r.optional_blob(10).value_or("")};
}

}  // namespace portout::sql
