#include "store/sql_transaction.hpp"

#include "store/sql_rows.hpp"
#include "store/sql_server_tables.hpp"
#include "store/sql_statements.hpp"

#include <portout/errors.hpp>
#include <portout/identity.hpp>

#include <algorithm>
#include <string>
#include <utility>

namespace portout {

namespace {

using sql::Binder;
using sql::Param;
using sql::Params;
using sql::Rows;
using sql::all;
using sql::select;
using sql::kTenantColumns;
using sql::kPolicyColumns;
using sql::kNumberColumns;
using sql::kOrderColumns;
using sql::kStepColumns;
using sql::kNotificationColumns;
using sql::kAuditColumns;
using sql::read_tenant;
using sql::tenant_params;
using sql::read_number;
using sql::read_order;
using sql::read_step;
using sql::read_notification;
using sql::read_audit;

// One tenant's newest anchoring event and its neighbours' links, as `m.`-prefixed columns.
std::string state_mark_select(const std::string& tenant_param) {
    std::string cols;
    for (const char* c : {"event_id", "occurred_at", "event_type", "tenant_id", "actor", "outcome", "reason",
                          "details", "prev_mac", "mac", "state_mac"}) {
        cols += std::string(cols.empty() ? "" : ", ") + "m." + c;
    }
    return "SELECT " + cols +
           ", (SELECT p.mac FROM audit_events p WHERE p.event_id = m.event_id - 1)"
           ", (SELECT n.prev_mac FROM audit_events n WHERE n.event_id = m.event_id + 1)"
           ", (SELECT max(event_id) FROM audit_events)"
           " FROM (SELECT * FROM audit_events WHERE tenant_id = " +
           tenant_param + " ORDER BY event_id DESC LIMIT 1) m";
}

// The server's tables (principals, the throttle, subscriptions, deliveries) are SqlServerTables'.
class SqlTransaction final : public SqlServerTables {
public:
    explicit SqlTransaction(std::unique_ptr<sql::Session> s) : SqlServerTables(std::move(s)) {}

    void commit() override { s_->commit(); }

    std::optional<std::string> meta(std::string_view name) override {
        auto r = s_->query("SELECT value FROM meta WHERE name = $1", {Param::of(name)});
        if (!r->next()) return std::nullopt;
        return r->blob(0);
    }
    void set_meta(std::string_view name, std::string_view value) override {
        s_->execute("INSERT INTO meta (name, value) VALUES ($1, $2) "
                    "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                    {Param::of(name), Param::blob(value)});
    }
    void delete_meta(std::string_view name) override {
        s_->execute("DELETE FROM meta WHERE name = $1", {Param::of(name)});
    }

    std::optional<TenantRecord> tenant(std::string_view tenant_id) override {
        static const std::string sql = select(kTenantColumns, "FROM tenants WHERE tenant_id = $1");
        auto r = s_->query(sql, {Param::of(tenant_id)});
        if (!r->next()) return std::nullopt;
        return read_tenant(*r);
    }
    std::optional<TenantRecord> tenant_by_account(std::string_view account_number) override {
        static const std::string sql = select(kTenantColumns, "FROM tenants WHERE account_number = $1");
        auto r = s_->query(sql, {Param::of(account_number)});
        if (!r->next()) return std::nullopt;
        return read_tenant(*r);
    }
    void insert_tenant(const TenantRecord& t) override {
        static const std::string sql = std::string("INSERT INTO tenants (") + kTenantColumns +
                                       ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, "
                                       "$13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)";
        try {
            s_->execute(sql, tenant_params(t));
        } catch (const sql::UniqueViolation&) {
            throw ResourceExistsError("TenantExists", "A tenant with this id exists already.", t.tenant_id);
        }
    }
    void update_tenant(const TenantRecord& t) override {
        s_->execute("UPDATE tenants SET display_name = $2, country = $3, created_at = $4, modified_at = $5, "
                    "modified_by = $6, pin_record = $7, pin_key_id = $8, pin_set_at = $9, "
                    "pin_changed_at = $10, pin_changed_by = $11, failed_attempts = $12, "
                    "locked_until = $13, lock_level = $14, last_check_at = $15, last_check_result = $16, "
                    "pin_version = $17, frozen = $18, account_number = $19, service_zip = $20, "
                    "authorized_name = $21, time_zone = $22, carrier_attempts = $23 WHERE tenant_id = $1",
                    tenant_params(t));
    }
    void delete_tenant(std::string_view tenant_id) override {
        s_->execute("DELETE FROM tenants WHERE tenant_id = $1", {Param::of(tenant_id)});
    }
    TenantLeftovers remove_tenant_data(std::string_view tenant_id) override {
        const Params id = {Param::of(tenant_id)};
        TenantLeftovers out;
        out.numbers = s_->execute("DELETE FROM phone_numbers WHERE tenant_id = $1", id);
        s_->execute("DELETE FROM order_numbers WHERE order_id IN (SELECT order_id FROM orders WHERE tenant_id = $1)",
                    id);
        s_->execute("DELETE FROM order_steps WHERE order_id IN (SELECT order_id FROM orders WHERE tenant_id = $1)",
                    id);
        out.orders = s_->execute("DELETE FROM orders WHERE tenant_id = $1", id);
        out.notifications = s_->execute("UPDATE notifications SET tenant_id = '' WHERE tenant_id = $1", id);
        return out;
    }
    std::vector<TenantRecord> tenants_after(std::string_view after_id, std::size_t limit) override {
        static const std::string sql =
            select(kTenantColumns, "FROM tenants WHERE tenant_id > $1 ORDER BY tenant_id LIMIT $2");
        return all(s_->query(sql, {Param::of(after_id), Param::of(static_cast<std::int64_t>(limit))}),
                   read_tenant);
    }
    std::vector<TenantRecord> pin_records_not_under(std::string_view key_id, std::string_view after_id,
                                                    std::size_t limit) override {
        static const std::string sql =
            select(kTenantColumns,
                   "FROM tenants WHERE tenant_id > $1 AND pin_record IS NOT NULL AND pin_key_id <> $2 "
                   "ORDER BY tenant_id LIMIT $3");
        return all(s_->query(sql, {Param::of(after_id), Param::of(key_id),
                                   Param::of(static_cast<std::int64_t>(limit))}),
                   read_tenant);
    }
    std::int64_t count_pin_records_not_under(std::string_view key_id) override {
        auto r = s_->query("SELECT count(*) FROM tenants WHERE pin_record IS NOT NULL AND pin_key_id <> $1",
                           {Param::of(key_id)});
        return r->next() ? r->integer(0) : 0;
    }

    TenantCounts count_tenants(Millis now) override {
        auto r = s_->query(
            "SELECT count(*), "
            "coalesce(sum(CASE WHEN country = $2 THEN 1 ELSE 0 END), 0), "
            "coalesce(sum(CASE WHEN pin_record IS NOT NULL THEN 1 ELSE 0 END), 0), "
            "coalesce(sum(CASE WHEN frozen <> 0 THEN 1 ELSE 0 END), 0), "
            "coalesce(sum(CASE WHEN locked_until > $1 THEN 1 ELSE 0 END), 0) FROM tenants",
            {Param::of(now), Param::of(kPortOutCountry)});
        TenantCounts c;
        if (r->next()) {
            c.tenants = r->integer(0);
            c.us = r->integer(1);
            c.with_pin = r->integer(2);
            c.frozen = r->integer(3);
            c.locked = r->integer(4);
        }
        return c;
    }

    std::optional<PolicyRecord> policy(std::string_view scope) override {
        static const std::string sql = select(kPolicyColumns, "FROM policies WHERE scope = $1");
        auto r = s_->query(sql, {Param::of(scope)});
        if (!r->next()) return std::nullopt;
        PolicyRecord p;
        p.scope = r->text(0);
        if (auto v = r->optional_integer(1)) p.min_length = static_cast<int>(*v);
        if (auto v = r->optional_integer(2)) p.max_length = static_cast<int>(*v);
        if (auto v = r->optional_integer(3)) p.block_weak = *v != 0;
        if (auto v = r->optional_text(4)) p.blocklist = decode_list(*v);
        if (auto v = r->optional_integer(5)) p.max_failed_attempts = static_cast<int>(*v);
        p.lockout_ms = r->optional_integer(6);
        p.max_lockout_ms = r->optional_integer(7);
        p.modified_at = r->integer(8);
        p.modified_by = r->text(9);
        if (auto v = r->optional_integer(10)) p.tenant_max_failures = static_cast<int>(*v);
        p.failure_window_ms = r->optional_integer(11);
        p.review_window_ms = r->optional_integer(12);
        p.review_deadline_action = r->optional_text(13);
        if (auto v = r->optional_integer(14)) p.min_foc_business_days = static_cast<int>(*v);
        if (auto v = r->optional_integer(15)) p.max_foc_days = static_cast<int>(*v);
        p.cancel_cutoff_ms = r->optional_integer(16);
        if (auto v = r->optional_text(17)) p.holidays = decode_list(*v);
        return p;
    }
    void put_policy(const PolicyRecord& p) override {
        static const std::string sql =
            std::string("INSERT INTO policies (") + kPolicyColumns +
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) "
            "ON CONFLICT (scope) DO UPDATE SET "
            "min_length = excluded.min_length, max_length = excluded.max_length, "
            "block_weak = excluded.block_weak, blocklist = excluded.blocklist, "
            "max_failed_attempts = excluded.max_failed_attempts, lockout_ms = excluded.lockout_ms, "
            "max_lockout_ms = excluded.max_lockout_ms, modified_at = excluded.modified_at, "
            "modified_by = excluded.modified_by, tenant_max_failures = excluded.tenant_max_failures, "
            "failure_window_ms = excluded.failure_window_ms, review_window_ms = excluded.review_window_ms, "
            "review_deadline_action = excluded.review_deadline_action, "
            "min_foc_business_days = excluded.min_foc_business_days, max_foc_days = excluded.max_foc_days, "
            "cancel_cutoff_ms = excluded.cancel_cutoff_ms, holidays = excluded.holidays";
        std::optional<std::string> blocklist;
        if (p.blocklist) blocklist = encode_list(*p.blocklist);
        std::optional<std::string> holidays;
        if (p.holidays) holidays = encode_list(*p.holidays);
        std::optional<std::int64_t> block_weak;
        if (p.block_weak) block_weak = *p.block_weak ? 1 : 0;
        s_->execute(sql, {Param::of(std::string_view(p.scope)), Param::of(p.min_length), Param::of(p.max_length),
                          Param::of(block_weak), Param::text_or_null(blocklist), Param::of(p.max_failed_attempts),
                          Param::of(p.lockout_ms), Param::of(p.max_lockout_ms), Param::of(p.modified_at),
                          Param::of(std::string_view(p.modified_by)), Param::of(p.tenant_max_failures),
                          Param::of(p.failure_window_ms), Param::of(p.review_window_ms),
                          Param::text_or_null(p.review_deadline_action), Param::of(p.min_foc_business_days),
                          Param::of(p.max_foc_days), Param::of(p.cancel_cutoff_ms), Param::text_or_null(holidays)});
    }
    void delete_policy(std::string_view scope) override {
        s_->execute("DELETE FROM policies WHERE scope = $1", {Param::of(scope)});
    }

    std::optional<NumberRecord> number(std::string_view e164) override {
        static const std::string sql = select(kNumberColumns, "FROM phone_numbers WHERE number = $1");
        auto r = s_->query(sql, {Param::of(e164)});
        if (!r->next()) return std::nullopt;
        return read_number(*r);
    }
    void insert_number(const NumberRecord& n) override {
        static const std::string sql =
            std::string("INSERT INTO phone_numbers (") + kNumberColumns + ") VALUES ($1, $2, $3, $4)";
        try {
            s_->execute(sql, {Param::of(std::string_view(n.number)), Param::of(std::string_view(n.tenant_id)),
                              Param::of(n.added_at), Param::of(std::string_view(n.added_by))});
        } catch (const sql::UniqueViolation&) {
            throw ResourceExistsError("PhoneNumberInUse", "The number is in an inventory already.", n.number);
        }
    }
    void delete_number(std::string_view e164) override {
        s_->execute("DELETE FROM phone_numbers WHERE number = $1", {Param::of(e164)});
    }
    std::vector<NumberRecord> numbers(const std::vector<std::string>& tenant_ids, std::string_view after,
                                      std::size_t limit) override {
        Binder b;
        std::string sql = select(kNumberColumns, "FROM phone_numbers WHERE number > ") + b.add(Param::of(after));
        if (!tenant_ids.empty()) sql += " AND tenant_id IN (" + b.add_all(tenant_ids) + ")";
        sql += " ORDER BY number LIMIT " + b.add(Param::of(static_cast<std::int64_t>(limit)));
        return all(s_->query(sql, b.params()), read_number);
    }

    void insert_order(OrderRecord& o, const std::vector<OrderNumber>& numbers) override {
        {
            auto r = s_->query(
                "INSERT INTO orders (order_id, tenant_id, carrier, submitted_by, status, reason, internal_reason, "
                "requested_foc, foc, created_at, modified_at, modified_by, account_number, service_zip, "
                "authorized_name, carrier_spid, pon, port_type, review_deadline, approved_at, comment, "
                "idempotency_key, request_hash) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, "
                "$20, $21, $22, $23) RETURNING seq",
                {Param::of(std::string_view(o.order_id)), Param::of(std::string_view(o.tenant_id)),
                 Param::of(std::string_view(o.carrier)), Param::of(std::string_view(o.submitted_by)),
                 Param::of(std::string_view(o.status)), Param::of(std::string_view(o.reason)),
                 Param::of(std::string_view(o.internal_reason)), Param::of(o.requested_foc), Param::of(o.foc),
                 Param::of(o.created_at), Param::of(o.modified_at), Param::of(std::string_view(o.modified_by)),
                 Param::of(std::string_view(o.account_number)), Param::of(std::string_view(o.service_zip)),
                 Param::of(std::string_view(o.authorized_name)), Param::of(std::string_view(o.carrier_spid)),
                 Param::of(std::string_view(o.pon)), Param::of(std::string_view(o.port_type)),
                 Param::of(o.review_deadline), Param::of(o.approved_at), Param::of(std::string_view(o.comment)),
                 Param::of(std::string_view(o.idempotency_key)), Param::of(std::string_view(o.request_hash))});
            r->next();
            o.seq = r->integer(0);
        }
        const std::int64_t open = o.status == "Rejected" || o.status == "Denied" || o.status == "Completed" ||
                                          o.status == "Cancelled"
                                      ? 0
                                      : 1;
        for (const auto& n : numbers) {
            s_->execute("INSERT INTO order_numbers (order_id, number, problem, open) VALUES ($1, $2, $3, $4)",
                        {Param::of(std::string_view(o.order_id)), Param::of(std::string_view(n.number)),
                         Param::of(std::string_view(n.problem)), Param::of(open)});
        }
    }
    std::optional<OrderRecord> order(std::string_view order_id) override {
        static const std::string sql = select(kOrderColumns, "FROM orders WHERE order_id = $1");
        auto r = s_->query(sql, {Param::of(order_id)});
        if (!r->next()) return std::nullopt;
        return read_order(*r);
    }
    void update_order(const OrderRecord& o) override {
        s_->execute("UPDATE orders SET status = $2, reason = $3, internal_reason = $4, foc = $5, "
                    "modified_at = $6, modified_by = $7, review_deadline = $8, approved_at = $9, comment = $10 "
                    "WHERE order_id = $1",
                    {Param::of(std::string_view(o.order_id)), Param::of(std::string_view(o.status)),
                     Param::of(std::string_view(o.reason)), Param::of(std::string_view(o.internal_reason)),
                     Param::of(o.foc), Param::of(o.modified_at), Param::of(std::string_view(o.modified_by)),
                     Param::of(o.review_deadline), Param::of(o.approved_at), Param::of(std::string_view(o.comment))});
    }
    void insert_order_step(const OrderStep& st) override {
        static const std::string sql = std::string("INSERT INTO order_steps (") + kStepColumns +
                                       ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
        s_->execute(sql, {Param::of(std::string_view(st.order_id)), Param::of(std::int64_t{st.step}),
                          Param::of(st.occurred_at), Param::of(std::string_view(st.actor)),
                          Param::of(std::string_view(st.from_status)), Param::of(std::string_view(st.to_status)),
                          Param::of(std::string_view(st.reason)), Param::of(std::string_view(st.internal_reason)),
                          Param::of(std::string_view(st.comment)), Param::of(st.foc)});
    }
    std::vector<OrderStep> order_steps(std::string_view order_id) override {
        static const std::string sql = select(kStepColumns, "FROM order_steps WHERE order_id = $1 ORDER BY step");
        return all(s_->query(sql, {Param::of(order_id)}), read_step);
    }
    void close_order_numbers(std::string_view order_id) override {
        s_->execute("UPDATE order_numbers SET open = 0 WHERE order_id = $1", {Param::of(order_id)});
    }
    std::optional<OrderRecord> order_by_idempotency_key(std::string_view submitted_by, std::string_view key) override {
        static const std::string sql =
            select(kOrderColumns, "FROM orders WHERE submitted_by = $1 AND idempotency_key = $2");
        auto r = s_->query(sql, {Param::of(submitted_by), Param::of(key)});
        if (!r->next()) return std::nullopt;
        return read_order(*r);
    }

    std::vector<OrderRecord> orders(const OrderQuery& query) override {
        Binder b;
        std::string sql = select(kOrderColumns, "FROM orders WHERE seq ");
        sql += query.newest_first && query.after_seq > 0 ? "< " : "> ";
        sql += b.add(Param::of(query.newest_first && query.after_seq <= 0 ? std::int64_t{0} : query.after_seq));
        auto equal = [&](const char* column, const std::optional<std::string>& value) {
            if (value) sql += std::string(" AND ") + column + " = " + b.add(Param::of(std::string_view(*value)));
        };
        equal("order_id", query.order_id);
        if (!query.tenant_ids.empty()) sql += " AND tenant_id IN (" + b.add_all(query.tenant_ids) + ")";
        equal("status", query.status);
        equal("carrier", query.carrier);
        equal("submitted_by", query.submitted_by);
        if (query.review_due_by) {
            sql += " AND status = 'PendingReview' AND review_deadline <= " + b.add(Param::of(*query.review_due_by));
        }
        sql += query.newest_first ? " ORDER BY seq DESC LIMIT " : " ORDER BY seq LIMIT ";
        sql += b.add(Param::of(static_cast<std::int64_t>(query.limit)));
        return all(s_->query(sql, b.params()), read_order);
    }
    std::vector<OrderNumber> order_numbers(std::string_view order_id) override {
        auto r = s_->query("SELECT number, problem FROM order_numbers WHERE order_id = $1 ORDER BY number",
                           {Param::of(order_id)});
        return all(std::move(r), [](const Rows& row) { return OrderNumber{row.text(0), row.text(1)}; });
    }
    std::optional<std::string> open_order_holding(std::string_view e164) override {
        auto r = s_->query("SELECT order_id FROM order_numbers WHERE number = $1 AND open = 1 LIMIT 1",
                           {Param::of(e164)});
        if (!r->next()) return std::nullopt;
        return r->text(0);
    }

    std::int64_t insert_notification(NotificationRecord& n) override {
        auto r = s_->query("INSERT INTO notifications (occurred_at, kind, tenant_id, order_id, summary, details, "
                           "audience) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING notification_id",
                           {Param::of(n.occurred_at), Param::of(std::string_view(n.kind)),
                            Param::of(std::string_view(n.tenant_id)), Param::of(std::string_view(n.order_id)),
                            Param::of(std::string_view(n.summary)), Param::of(std::string_view(n.details)),
                            Param::of(std::string_view(n.audience))});
        r->next();
        n.notification_id = r->integer(0);
        return n.notification_id;
    }
    std::vector<NotificationRecord> unacknowledged(std::string_view consumer,
                                                   const std::vector<std::string>& tenant_ids,
                                                   std::string_view audience, std::size_t limit) override {
        Binder b;
        const auto who = b.add(Param::of(consumer));
        std::string sql = "SELECT " + std::string(kNotificationColumns) +
                          " FROM notifications n WHERE notification_id > coalesce((SELECT acknowledged_through "
                          "FROM notification_consumers WHERE consumer = " + who + "), 0) AND NOT EXISTS "
                          "(SELECT 1 FROM notification_acks a WHERE a.consumer = " + who +
                          " AND a.notification_id = n.notification_id) AND audience = " +
                          b.add(Param::of(audience));
        if (!tenant_ids.empty()) sql += " AND tenant_id IN (" + b.add_all(tenant_ids) + ")";
        sql += " ORDER BY notification_id LIMIT " + b.add(Param::of(static_cast<std::int64_t>(limit)));
        return all(s_->query(sql, b.params()), read_notification);
    }
    std::int64_t acknowledge(std::string_view consumer, const std::vector<std::string>& tenant_ids,
                             std::string_view audience, const std::vector<std::int64_t>& ids) override {
        std::int64_t through = 0;
        {
            auto r = s_->query("SELECT acknowledged_through FROM notification_consumers WHERE consumer = $1",
                               {Param::of(consumer)});
            if (r->next()) through = r->integer(0);
        }
        // "$1" is a notification id, "$2" the audience, "$3..." the tenants of the scope.
        Binder scope;
        scope.add(Param::null());
        const std::string in_scope =
            " AND audience = " + scope.add(Param::of(audience)) +
            (tenant_ids.empty() ? std::string() : " AND tenant_id IN (" + scope.add_all(tenant_ids) + ")");
        auto with_id = [&](std::int64_t id) {
            Params p = scope.params();
            p.front() = Param::of(id);
            return p;
        };
        const std::string visible = "SELECT 1 FROM notifications WHERE notification_id = $1" + in_scope;
        const std::string next_visible =
            "SELECT min(notification_id) FROM notifications WHERE notification_id > $1" + in_scope;
        std::int64_t added = 0;
        for (const auto id : ids) {
            if (id <= through || !s_->query(visible, with_id(id))->next()) continue;
            added += s_->execute("INSERT INTO notification_acks (consumer, notification_id) VALUES ($1, $2) "
                                 "ON CONFLICT DO NOTHING",
                                 {Param::of(consumer), Param::of(id)});
        }
        // Move the consumer's mark over every notification it may see that it has acknowledged
        // since, unbroken (ids it may not see, or never made, are no gap).
        while (true) {
            std::int64_t id = 0;
            {
                auto next = s_->query(next_visible, with_id(through));
                if (!next->next() || next->is_null(0)) break;
                id = next->integer(0);
            }
            if (!s_->query("SELECT 1 FROM notification_acks WHERE consumer = $1 AND notification_id = $2",
                           {Param::of(consumer), Param::of(id)})->next()) {
                break;
            }
            through = id;
        }
        s_->execute("INSERT INTO notification_consumers (consumer, acknowledged_through) VALUES ($1, $2) "
                    "ON CONFLICT (consumer) DO UPDATE SET acknowledged_through = excluded.acknowledged_through",
                    {Param::of(consumer), Param::of(through)});
        s_->execute("DELETE FROM notification_acks WHERE consumer = $1 AND notification_id <= $2",
                    {Param::of(consumer), Param::of(through)});
        return added;
    }

    std::int64_t count_rows(const TableSpec& table) override {
        auto r = s_->query("SELECT count(*) FROM " + std::string(table.name), {});
        return r->next() ? r->integer(0) : 0;
    }
    void export_rows(const TableSpec& table,
                     const std::function<void(const std::vector<Field>&)>& sink) override {
        auto r = s_->query("SELECT " + column_list(table) + " FROM " + std::string(table.name) + " ORDER BY 1", {});
        std::vector<Field> row(table.columns.size());
        while (r->next()) {
            for (std::size_t i = 0; i < row.size(); ++i) {
                const int col = static_cast<int>(i);
                const auto kind = table.columns[i].second;
                if (r->is_null(col)) {
                    row[i] = {Field::Kind::Null, {}};
                } else if (kind == Field::Kind::Integer) {
                    row[i] = {kind, std::to_string(r->integer(col))};
                } else {
                    row[i] = {kind, kind == Field::Kind::Blob ? r->blob(col) : r->text(col)};
                }
            }
            sink(row);
        }
    }
    void import_row(const TableSpec& table, const std::vector<Field>& row) override {
        Binder b;
        std::string marks;
        for (const auto& f : row) {
            Param p;
            switch (f.kind) {
                case Field::Kind::Null: p = Param::null(); break;
                case Field::Kind::Integer: p = Param::of(static_cast<std::int64_t>(std::stoll(f.value))); break;
                case Field::Kind::Text: p = Param::of(std::string_view(f.value)); break;
                case Field::Kind::Blob: p = Param::blob(f.value); break;
            }
            marks += (marks.empty() ? "" : ", ") + b.add(p);
        }
        s_->execute("INSERT INTO " + std::string(table.name) + " (" + column_list(table) + ") VALUES (" + marks + ")",
                    b.params());
    }
    void after_import() override { s_->after_import(); }
    std::optional<Millis> server_time() override { return s_->server_time(); }

    std::vector<StateMark> state_marks(const std::vector<std::string>& tenant_ids) override {
        // SQLite joins at most 500 SELECTs in one compound statement: a page of tenants is
        // asked for in groups well under that.
        constexpr std::size_t kGroup = 100;
        std::vector<StateMark> out;
        for (std::size_t from = 0; from < tenant_ids.size(); from += kGroup) {
            Binder b;
            std::string sql;
            for (std::size_t i = from; i < std::min(tenant_ids.size(), from + kGroup); ++i) {
                sql += (sql.empty() ? "" : " UNION ALL ") +
                       state_mark_select(b.add(Param::of(std::string_view(tenant_ids[i]))));
            }
            auto r = s_->query(sql, b.params());
            while (r->next()) {
                out.push_back(StateMark{read_audit(*r), r->optional_blob(11), r->optional_blob(12), r->integer(13)});
            }
        }
        return out;
    }
    bool has_state_marks() override {
        static const std::string sql = "SELECT 1 FROM audit_events WHERE state_mac IS NOT NULL LIMIT 1";
        return s_->query(sql, {})->next();
    }

    std::optional<AuditRecord> last_audit_event() override {
        static const std::string sql = select(kAuditColumns, "FROM audit_events ORDER BY event_id DESC LIMIT 1");
        auto r = s_->query(sql, {});
        if (!r->next()) return std::nullopt;
        return read_audit(*r);
    }
    void insert_audit_event(const AuditRecord& e) override {
        static const std::string sql = std::string("INSERT INTO audit_events (") + kAuditColumns +
                                       ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
        try {
            s_->execute(sql, {Param::of(e.event_id), Param::of(e.occurred_at), Param::of(std::string_view(e.event_type)),
                              Param::of(std::string_view(e.tenant_id)), Param::of(std::string_view(e.actor)),
                              Param::of(std::string_view(e.outcome)), Param::of(std::string_view(e.reason)),
                              Param::of(std::string_view(e.details)), Param::blob(e.prev_mac), Param::blob(e.mac),
                              e.state_mac.empty() ? Param::null() : Param::blob(e.state_mac)});
        } catch (const sql::UniqueViolation&) {
            throw InvalidDataError("AuditSequenceConflict", "An audit event with this number exists already.",
                                   s_->where());
        }
    }
    std::vector<AuditRecord> audit_events(const AuditQuery& query) override {
        Binder b;
        const bool before = query.newest_first && query.after_event_id > 0;
        std::string sql = select(kAuditColumns, before ? "FROM audit_events WHERE event_id < "
                                                       : "FROM audit_events WHERE event_id > ") +
                          b.add(Param::of(query.newest_first && !before ? std::int64_t{0} : query.after_event_id));
        if (!query.tenant_ids.empty()) sql += " AND tenant_id IN (" + b.add_all(query.tenant_ids) + ")";
        if (query.since) sql += " AND occurred_at >= " + b.add(Param::of(*query.since));
        if (query.until) sql += " AND occurred_at < " + b.add(Param::of(*query.until));
        if (!query.event_types.empty()) sql += " AND event_type IN (" + b.add_all(query.event_types) + ")";
        sql += query.newest_first ? " ORDER BY event_id DESC LIMIT " : " ORDER BY event_id LIMIT ";
        sql += b.add(Param::of(static_cast<std::int64_t>(query.limit)));
        return all(s_->query(sql, b.params()), read_audit);
    }
};

}  // namespace

std::unique_ptr<StoreTransaction> make_sql_transaction(std::unique_ptr<sql::Session> session) {
    return std::make_unique<SqlTransaction>(std::move(session));
}

}  // namespace portout
