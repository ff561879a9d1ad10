#include "store/schema.hpp"

#include <portout/store.hpp>

#include <string_view>
#include <vector>

namespace portout {

namespace {

using K = Field::Kind;

struct Column {
    std::string_view name;
    K kind;
    std::string_view constraint;  // "NOT NULL", "PRIMARY KEY"...; "serial" for a numbered key
    int since = 1;
};

struct Table {
    std::string_view name;
    std::vector<Column> columns;
    std::string_view key;  // a key over several columns, "" when a column says PRIMARY KEY
    int since = 1;
    // Rows kept in key order, for tables of short rows looked up by key (SQLite: WITHOUT
    // ROWID); the others are numbered by the database.
    bool keyed = true;
};

struct Index {
    std::string_view name;
    std::string_view table;
    std::string_view columns;
    std::string_view where;
    int since = 1;
    bool unique = false;
};

constexpr std::string_view kSerial = "serial";

// Version 1: the tenants, their PINs, policies and the audit chain. Version 2: the freeze, the
// number inventory, port-out orders and the notification outbox. Version 3: the audit events
// that anchor a tenant's security state (their MAC of it). Version 4: port-out requests as carriers
// send them (the tenant's account details, the request's fields, the review window, FOC rules,
// each order's history, failed PINs by carrier, notifications for a carrier). Version 5: who
// signs in to the server (API credentials and accounts), the throttle of failed sign-ins, and
// a carrier's idempotency keys. Version 6: notifications delivered (webhooks and e-mail
// subscriptions, each delivery and its attempts), and the last TOTP step an account used.
const std::vector<Table>& tables() {
    static const std::vector<Table> t = {
        {"meta", {{"name", K::Text, "PRIMARY KEY"}, {"value", K::Blob, "NOT NULL"}}, ""},
        {"tenants",
         {{"tenant_id", K::Text, "PRIMARY KEY"},
          {"display_name", K::Text, "NOT NULL"},
          {"country", K::Text, "NOT NULL"},
          {"created_at", K::Integer, "NOT NULL"},
          {"modified_at", K::Integer, "NOT NULL"},
          {"modified_by", K::Text, "NOT NULL"},
          {"pin_record", K::Blob, ""},
          {"pin_key_id", K::Text, "NOT NULL DEFAULT ''"},
          {"pin_set_at", K::Integer, ""},
          {"pin_changed_at", K::Integer, ""},
          {"pin_changed_by", K::Text, "NOT NULL DEFAULT ''"},
          {"failed_attempts", K::Integer, "NOT NULL DEFAULT 0"},
          {"locked_until", K::Integer, ""},
          {"lock_level", K::Integer, "NOT NULL DEFAULT 0"},
          {"last_check_at", K::Integer, ""},
          {"last_check_result", K::Text, "NOT NULL DEFAULT ''"},
          {"pin_version", K::Integer, "NOT NULL DEFAULT 0"},
          {"frozen", K::Integer, "NOT NULL DEFAULT 0", 2},
          {"account_number", K::Text, "NOT NULL DEFAULT ''", 4},
          {"service_zip", K::Text, "NOT NULL DEFAULT ''", 4},
          {"authorized_name", K::Text, "NOT NULL DEFAULT ''", 4},
          {"time_zone", K::Text, "NOT NULL DEFAULT ''", 4},
          {"carrier_attempts", K::Text, "NOT NULL DEFAULT ''", 4}},
         ""},
        {"policies",
         {{"scope", K::Text, "PRIMARY KEY"},
          {"min_length", K::Integer, ""},
          {"max_length", K::Integer, ""},
          {"block_weak", K::Integer, ""},
          {"blocklist", K::Text, ""},
          {"max_failed_attempts", K::Integer, ""},
          {"lockout_ms", K::Integer, ""},
          {"max_lockout_ms", K::Integer, ""},
          {"modified_at", K::Integer, "NOT NULL"},
          {"modified_by", K::Text, "NOT NULL"},
          {"tenant_max_failures", K::Integer, "", 4},
          {"failure_window_ms", K::Integer, "", 4},
          {"review_window_ms", K::Integer, "", 4},
          {"review_deadline_action", K::Text, "", 4},
          {"min_foc_business_days", K::Integer, "", 4},
          {"max_foc_days", K::Integer, "", 4},
          {"cancel_cutoff_ms", K::Integer, "", 4},
          {"holidays", K::Text, "", 4}},
         ""},
        {"audit_events",
         {{"event_id", K::Integer, "PRIMARY KEY"},
          {"occurred_at", K::Integer, "NOT NULL"},
          {"event_type", K::Text, "NOT NULL"},
          {"tenant_id", K::Text, "NOT NULL"},
          {"actor", K::Text, "NOT NULL"},
          {"outcome", K::Text, "NOT NULL"},
          {"reason", K::Text, "NOT NULL"},
          {"details", K::Text, "NOT NULL"},
          {"prev_mac", K::Blob, "NOT NULL"},
          {"mac", K::Blob, "NOT NULL"},
          {"state_mac", K::Blob, "", 3}},
         "",
         1,
         false},
        {"phone_numbers",
         {{"number", K::Text, "PRIMARY KEY"},
          {"tenant_id", K::Text, "NOT NULL"},
          {"added_at", K::Integer, "NOT NULL"},
          {"added_by", K::Text, "NOT NULL"}},
         "",
         2},
        {"orders",
         {{"seq", K::Integer, kSerial},
          {"order_id", K::Text, "NOT NULL UNIQUE"},
          {"tenant_id", K::Text, "NOT NULL"},
          {"carrier", K::Text, "NOT NULL"},
          {"submitted_by", K::Text, "NOT NULL"},
          {"status", K::Text, "NOT NULL"},
          {"reason", K::Text, "NOT NULL"},
          {"internal_reason", K::Text, "NOT NULL"},
          {"requested_foc", K::Integer, ""},
          {"foc", K::Integer, ""},
          {"created_at", K::Integer, "NOT NULL"},
          {"modified_at", K::Integer, "NOT NULL"},
          {"modified_by", K::Text, "NOT NULL"},
          {"account_number", K::Text, "NOT NULL DEFAULT ''", 4},
          {"service_zip", K::Text, "NOT NULL DEFAULT ''", 4},
          {"authorized_name", K::Text, "NOT NULL DEFAULT ''", 4},
          {"carrier_spid", K::Text, "NOT NULL DEFAULT ''", 4},
          {"pon", K::Text, "NOT NULL DEFAULT ''", 4},
          {"port_type", K::Text, "NOT NULL DEFAULT ''", 4},
          {"review_deadline", K::Integer, "", 4},
          {"approved_at", K::Integer, "", 4},
          {"comment", K::Text, "NOT NULL DEFAULT ''", 4},
          {"idempotency_key", K::Text, "NOT NULL DEFAULT ''", 5},
          {"request_hash", K::Text, "NOT NULL DEFAULT ''", 5}},
         "",
         2,
         false},
        {"order_steps",
         {{"order_id", K::Text, "NOT NULL"},
          {"step", K::Integer, "NOT NULL"},
          {"occurred_at", K::Integer, "NOT NULL"},
          {"actor", K::Text, "NOT NULL"},
          {"from_status", K::Text, "NOT NULL"},
          {"to_status", K::Text, "NOT NULL"},
          {"reason", K::Text, "NOT NULL"},
          {"internal_reason", K::Text, "NOT NULL"},
          {"comment", K::Text, "NOT NULL"},
          {"foc", K::Integer, ""}},
         "order_id, step",
         4},
        {"order_numbers",
         {{"order_id", K::Text, "NOT NULL"},
          {"number", K::Text, "NOT NULL"},
          {"problem", K::Text, "NOT NULL"},
          {"open", K::Integer, "NOT NULL"}},
         "order_id, number",
         2},
        {"notifications",
         {{"notification_id", K::Integer, kSerial},
          {"occurred_at", K::Integer, "NOT NULL"},
          {"kind", K::Text, "NOT NULL"},
          {"tenant_id", K::Text, "NOT NULL"},
          {"order_id", K::Text, "NOT NULL"},
          {"summary", K::Text, "NOT NULL"},
          {"details", K::Text, "NOT NULL"},
          {"audience", K::Text, "NOT NULL DEFAULT ''", 4}},
         "",
         2,
         false},
        {"notification_consumers",
         {{"consumer", K::Text, "PRIMARY KEY"}, {"acknowledged_through", K::Integer, "NOT NULL"}},
         "",
         2},
        {"notification_acks",
         {{"consumer", K::Text, "NOT NULL"}, {"notification_id", K::Integer, "NOT NULL"}},
         "consumer, notification_id",
         2},
        {"principals",
         {{"principal_id", K::Text, "PRIMARY KEY"},
          {"kind", K::Text, "NOT NULL"},
          {"name", K::Text, "NOT NULL"},
          {"role", K::Text, "NOT NULL"},
          {"tenant_scope", K::Text, "NOT NULL"},
          {"carrier_name", K::Text, "NOT NULL"},
          {"carrier_spid", K::Text, "NOT NULL"},
          {"secret_hash", K::Blob, "NOT NULL"},
          {"totp_secret", K::Blob, ""},
          {"expires_at", K::Integer, ""},
          {"created_at", K::Integer, "NOT NULL"},
          {"created_by", K::Text, "NOT NULL"},
          {"last_used_at", K::Integer, ""},
          {"mac", K::Blob, "NOT NULL"},
          {"totp_last_step", K::Integer, "", 6}},
         "",
         5},
        {"auth_throttle",
         {{"subject", K::Text, "PRIMARY KEY"},
          {"failures", K::Integer, "NOT NULL"},
          {"window_start", K::Integer, "NOT NULL"},
          {"blocked_until", K::Integer, ""}},
         "",
         5},
        {"subscriptions",
         {{"subscription_id", K::Text, "PRIMARY KEY"},
          {"kind", K::Text, "NOT NULL"},
          {"target", K::Text, "NOT NULL"},
          {"events", K::Text, "NOT NULL"},
          {"tenant_scope", K::Text, "NOT NULL"},
          {"audience", K::Text, "NOT NULL"},
          {"secret_salt", K::Blob, "NOT NULL"},
          {"created_at", K::Integer, "NOT NULL"},
          {"created_by", K::Text, "NOT NULL"},
          {"mac", K::Blob, "NOT NULL"}},
         "",
         6},
        {"deliveries",
         {{"delivery_id", K::Integer, kSerial},
          {"subscription_id", K::Text, "NOT NULL"},
          {"notification_id", K::Integer, "NOT NULL"},
          {"tenant_id", K::Text, "NOT NULL"},
          {"status", K::Text, "NOT NULL"},
          {"attempts", K::Integer, "NOT NULL"},
          {"created_at", K::Integer, "NOT NULL"},
          {"next_attempt_at", K::Integer, "NOT NULL"},
          {"delivered_at", K::Integer, ""},
          {"last_error", K::Text, "NOT NULL"}},
         "",
         6,
         false},
        {"delivery_attempts",
         {{"delivery_id", K::Integer, "NOT NULL"},
          {"attempt", K::Integer, "NOT NULL"},
          {"started_at", K::Integer, "NOT NULL"},
          {"duration_ms", K::Integer, "NOT NULL"},
          {"outcome", K::Text, "NOT NULL"},
          {"status_code", K::Integer, "NOT NULL"},
          {"error", K::Text, "NOT NULL"}},
         "delivery_id, attempt",
         6},
        {"web_sessions",
         {{"session_id", K::Text, "PRIMARY KEY"},
          {"principal_id", K::Text, "NOT NULL"},
          {"state", K::Text, "NOT NULL"},
          {"secret_hash", K::Blob, "NOT NULL"},
          {"created_at", K::Integer, "NOT NULL"},
          {"last_seen_at", K::Integer, "NOT NULL"},
          {"client_address", K::Text, "NOT NULL"},
          {"mac", K::Blob, "NOT NULL"}},
         "",
         7},
    };
    return t;
}

const std::vector<Index>& indexes() {
    static const std::vector<Index> i = {
        {"audit_events_by_tenant", "audit_events", "tenant_id, event_id", ""},
        {"audit_events_by_time", "audit_events", "occurred_at", ""},
        {"phone_numbers_by_tenant", "phone_numbers", "tenant_id, number", "", 2},
        {"orders_by_tenant", "orders", "tenant_id, seq", "", 2},
        {"order_numbers_open", "order_numbers", "number", "open = 1", 2},
        {"audit_events_state", "audit_events", "tenant_id, event_id", "state_mac IS NOT NULL", 3},
        {"orders_in_review", "orders", "review_deadline", "status = 'PendingReview'", 4},
        {"tenants_by_account", "tenants", "account_number", "account_number <> ''", 4, true},
        {"orders_by_idempotency_key", "orders", "submitted_by, idempotency_key", "idempotency_key <> ''", 5, true},
        {"principals_by_name", "principals", "kind, name", "", 5, true},
        {"deliveries_due", "deliveries", "next_attempt_at", "status = 'Pending'", 6},
        {"deliveries_by_subscription", "deliveries", "subscription_id, delivery_id", "", 6},
        {"web_sessions_by_last_seen", "web_sessions", "last_seen_at", "", 7},
    };
    return i;
}

std::string column_sql(const sql::Dialect& d, const Column& c) {
    std::string out = std::string(c.name) + " ";
    if (c.constraint == kSerial) return out + d.serial_key;
    out += c.kind == K::Integer ? d.integer : c.kind == K::Blob ? d.blob : d.text;
    if (!c.constraint.empty()) out += " " + std::string(c.constraint);
    return out;
}

}  // namespace

namespace sql {

std::string migration(const Dialect& d, int to) {
    std::string out;
    for (const auto& t : tables()) {
        if (t.since == to) {
            out += "CREATE TABLE " + std::string(t.name) + " (\n";
            bool first = true;
            for (const auto& c : t.columns) {
                if (c.since > to) continue;
                out += (first ? "    " : ",\n    ") + column_sql(d, c);
                first = false;
            }
            if (!t.key.empty()) out += ",\n    PRIMARY KEY (" + std::string(t.key) + ")";
            out += "\n)";
            if (t.keyed) out += d.keyed_table_suffix;
            out += ";\n";
        } else if (t.since < to) {
            for (const auto& c : t.columns) {
                if (c.since == to) {
                    out += "ALTER TABLE " + std::string(t.name) + " ADD COLUMN " + column_sql(d, c) + ";\n";
                }
            }
        }
    }
    for (const auto& i : indexes()) {
        if (i.since != to) continue;
        out += std::string(i.unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ") + std::string(i.name) + " ON " + std::string(i.table) + " (" +
               std::string(i.columns) + ")";
        if (!i.where.empty()) out += " WHERE " + std::string(i.where);
        out += ";\n";
    }
    return out;
}

}  // namespace sql

const std::vector<TableSpec>& store_tables() {
    static const std::vector<TableSpec> specs = [] {
        std::vector<TableSpec> out;
        for (const auto& t : tables()) {
            TableSpec spec{t.name, {}};
            for (const auto& c : t.columns) spec.columns.emplace_back(c.name, c.kind);
            out.push_back(std::move(spec));
        }
        return out;
    }();
    return specs;
}

std::string column_list(const TableSpec& table) {
    std::string out;
    for (const auto& [name, kind] : table.columns) {
        if (!out.empty()) out += ", ";
        out += name;
    }
    return out;
}

}  // namespace portout
