#include "service/tenants.hpp"

#include <portout/business_calendar.hpp>
#include <portout/crypto.hpp>
#include <portout/errors.hpp>
#include <portout/identity.hpp>
#include "service/deliveries.hpp"
#include "service/notifications.hpp"
#include "service/orders.hpp"
#include "service/tenant_state.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

namespace portout {

Tenant tenant_of(const TenantRecord& r, bool whole_account) {
    Tenant t;
    t.tenant_id = r.tenant_id;
    t.display_name = r.display_name;
    t.country = r.country;
    t.created_at = r.created_at;
    t.modified_at = r.modified_at;
    t.modified_by = r.modified_by;
    t.pin_is_set = r.pin_record.has_value();
    t.port_out_frozen = r.frozen;
    t.account_number = whole_account ? r.account_number : masked_account_number(r.account_number);
    t.service_zip = r.service_zip;
    t.authorized_name = r.authorized_name.empty() ? r.display_name : r.authorized_name;
    t.time_zone = r.time_zone.empty() ? std::string(kDefaultTimeZone) : r.time_zone;
    return t;
}

std::string masked_account_number(std::string_view account_number) {
    if (account_number.size() <= 4) return std::string(account_number);
    return std::string(account_number.size() - 4, '*') + std::string(account_number.substr(account_number.size() - 4));
}

std::string new_account_number(StoreTransaction& tx) {
    for (int round = 0; round < 100; ++round) {
        const auto bytes = random_bytes(12);
        std::string digits;
        for (std::size_t i = 0; i < 12; ++i) {
            const auto b = static_cast<unsigned char>(bytes[i]);
            digits += static_cast<char>('0' + (i == 0 ? 1 + b % 9 : b % 10));
        }
        if (!tx.tenant_by_account(digits)) return digits;
    }
    throw ResourceUnavailableError("AccountNumbersExhausted", "No free account number could be drawn.");
}

std::string canonical_account_number(std::string_view raw) {
    std::string out;
    for (const char c : raw) {
        if (c == ' ' || c == '-') continue;  // as printed on a bill: "4021 8833 0571"
        if (!std::isalnum(static_cast<unsigned char>(c))) {
            out.clear();
            break;
        }
        out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    if (out.size() < 4 || out.size() > 20) {
        throw InvalidArgumentError("InvalidAccountNumber",
                                   "An account number has 4 to 20 letters and digits (spaces and hyphens "
                                   "between them are ignored).");
    }
    return out;
}

std::string canonical_zip(std::string_view raw) {
    const auto digits = [](std::string_view s) {
        return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    const bool five = raw.size() == 5 && digits(raw);
    const bool nine = raw.size() == 10 && raw[5] == '-' && digits(raw.substr(0, 5)) && digits(raw.substr(6));
    if (!five && !nine) {
        throw InvalidArgumentError("InvalidPostalCode", "A ZIP code is five digits, or ZIP+4 (12345-6789).");
    }
    return std::string(raw);
}

TenantRecord require_tenant(StoreTransaction& tx, const std::string& tenant_id) {
    auto t = tx.tenant(tenant_id);
    if (!t) throw ObjectNotFoundError("TenantNotFound", "No tenant has this id.", tenant_id);
    return std::move(*t);
}

std::vector<TenantRecord> visible_tenants(const ServiceContext& ctx, std::string_view after, std::size_t limit) {
    limit = std::clamp<std::size_t>(limit, 1, 100000);
    const auto& scope = ctx.tenant_scope();
    auto tx = ctx.store.begin(TxMode::Read);
    std::vector<TenantRecord> out;
    if (scope.empty()) {
        out = tx->tenants_after(after, limit);
    } else {
        for (auto it = std::upper_bound(scope.begin(), scope.end(), after); it != scope.end() && out.size() < limit;
             ++it) {
            if (auto t = tx->tenant(*it)) out.push_back(std::move(*t));
        }
    }
    ctx.require_states(*tx, out);  // in the same snapshot as the rows
    return out;
}

Tenant Tenants::create_tenant(std::string_view raw_id, std::string_view display_name, std::string_view country) {
    TenantRecord r;
    r.tenant_id = canonical_tenant_id(raw_id);
    r.display_name = canonical_display_name(display_name);
    r.country = canonical_country(country);
    ctx_.authorize(Operation::CreateTenant, r.tenant_id);
    auto tx = ctx_.store.begin(TxMode::Write);
    r.created_at = r.modified_at = ctx_.now();
    r.modified_by = ctx_.actor;
    // A tenant whose row was deleted outside portout is not made anew over its history.
    if (auto existing = tx->tenant(r.tenant_id); !existing) ctx_.require_state(*tx, r.tenant_id, std::nullopt, true);
    r.account_number = new_account_number(*tx);
    tx->insert_tenant(r);
    ctx_.append_state_change(*tx, "TenantCreated", r.tenant_id, r, "Success", "", "country=" + r.country);
    tx->commit();
    return tenant_of(r);
}

std::int64_t Tenants::import_tenants(const std::vector<std::array<std::string, 3>>& rows) {
    ctx_.authorize(Operation::CreateTenant);
    std::vector<TenantRecord> records;
    records.reserve(rows.size());
    const Millis at = ctx_.now();
    for (const auto& [id, name, country] : rows) {
        TenantRecord r;
        r.tenant_id = canonical_tenant_id(id);
        r.display_name = canonical_display_name(name);
        r.country = canonical_country(country);
        r.created_at = r.modified_at = at;
        r.modified_by = ctx_.actor;
        records.push_back(std::move(r));
    }
    // Each tenant's creation is in the log as if made one by one, then the import as a whole.
    std::vector<AuditRecord> events(records.size() + 1);
    for (std::size_t i = 0; i < records.size(); ++i) {
        events[i].event_type = "TenantCreated";
        events[i].tenant_id = records[i].tenant_id;
        events[i].outcome = "Success";
        events[i].details = "country=" + records[i].country + " import";
    }
    events.back().event_type = "TenantsImported";
    events.back().outcome = "Success";
    events.back().details = "count=" + std::to_string(records.size());
    auto tx = ctx_.store.begin(TxMode::Write);
    // As for one: a tenant whose row was deleted outside portout is not made anew.
    std::vector<std::pair<std::string, std::optional<TenantRecord>>> found;
    found.reserve(records.size());
    for (const auto& r : records) found.emplace_back(r.tenant_id, tx->tenant(r.tenant_id));
    if (const auto bad = states_not_held(ctx_, *tx, found); !bad.empty()) ctx_.state_tampered(bad.front(), tx.get());
    for (std::size_t i = 0; i < records.size(); ++i) {
        records[i].account_number = new_account_number(*tx);
        tx->insert_tenant(records[i]);
        events[i].state_mac = state_mac(ctx_, *tx, records[i].tenant_id, records[i]);
    }
    ctx_.append_audit_events(*tx, events);
    tx->commit();
    return static_cast<std::int64_t>(records.size());
}

Tenant Tenants::get_tenant(std::string_view raw_id) {
    const auto id = canonical_tenant_id(raw_id);
    ctx_.authorize(Operation::ReadTenant, id);
    auto tx = ctx_.store.begin(TxMode::Read);
    return tenant_of(ctx_.verified_tenant(*tx, id, false), ctx_.role() != Role::Auditor);
}

std::vector<Tenant> Tenants::list_tenants(std::string_view after, std::size_t limit) {
    ctx_.authorize(Operation::ReadTenant);
    std::vector<Tenant> out;
    for (const auto& r : visible_tenants(ctx_, after, limit)) out.push_back(tenant_of(r, ctx_.role() != Role::Auditor));
    return out;
}

TenantCounts Tenants::count_tenants() {
    ctx_.authorize(Operation::ReadPinStatus);
    const auto now = ctx_.now();
    auto tx = ctx_.store.begin(TxMode::Read);
    const auto& scope = ctx_.tenant_scope();
    if (scope.empty()) return tx->count_tenants(now);
    TenantCounts c;  // a scope is a short list: its tenants, one by one
    for (const auto& id : scope) {
        const auto t = tx->tenant(id);
        if (!t) continue;
        ++c.tenants;
        c.us += t->country == kPortOutCountry ? 1 : 0;
        c.with_pin += t->pin_record ? 1 : 0;
        c.frozen += t->frozen ? 1 : 0;
        c.locked += t->locked_until && *t->locked_until > now ? 1 : 0;
    }
    return c;
}

Tenant Tenants::update_tenant(std::string_view raw_id, std::optional<std::string_view> display_name,
                              std::optional<std::string_view> country) {
    TenantChange change;
    if (display_name) change.display_name = std::string(*display_name);
    if (country) change.country = std::string(*country);
    return update_tenant(raw_id, change);
}

// Every value checked and the session authorized for each part before anything is read, then
// one transaction: a change is made whole or not at all.
Tenant Tenants::update_tenant(std::string_view raw_id, const TenantChange& change) {
    const auto id = canonical_tenant_id(raw_id);
    std::optional<std::string> display, code, account, zip, name, zone;
    if (change.display_name) display = canonical_display_name(*change.display_name);
    if (change.country) code = canonical_country(*change.country);
    if (change.account_number && change.new_account_number) {
        throw InvalidArgumentError("AmbiguousAccountNumber",
                                   "Give an account number or ask for a new one, not both.", id);
    }
    if (change.account_number) account = canonical_account_number(*change.account_number);
    if (change.service_zip) zip = change.service_zip->empty() ? std::string() : canonical_zip(*change.service_zip);
    if (change.authorized_name) {
        name = change.authorized_name->empty() ? std::string() : canonical_display_name(*change.authorized_name);
    }
    if (change.time_zone) zone = change.time_zone->empty() ? std::string() : canonical_time_zone(*change.time_zone);
    std::optional<std::vector<std::string>> emails;
    if (change.notification_emails) emails = canonical_emails(*change.notification_emails, id);
    const bool tenant_part = display || code;
    const bool account_part = account || change.new_account_number || zip || name || zone;
    if (tenant_part || (!account_part && !emails)) ctx_.authorize(Operation::UpdateTenant, id);
    if (account_part) ctx_.authorize(Operation::UpdateAccount, id);
    if (emails) ctx_.authorize(Operation::Notifications, id);
    auto tx = ctx_.store.begin(TxMode::Write);
    auto r = ctx_.verified_tenant(*tx, id, true);
    std::string tenant_details, account_details;
    const auto note = [](std::string& to, const std::string& what) { to += (to.empty() ? "" : " ") + what; };
    if (display && *display != r.display_name) {
        r.display_name = *display;
        note(tenant_details, "display_name");
    }
    if (code && *code != r.country) {
        note(tenant_details, "country=" + r.country + "->" + *code);
        r.country = *code;
    }
    if (change.new_account_number) account = new_account_number(*tx);
    if (account && *account != r.account_number) {
        if (const auto other = tx->tenant_by_account(*account); other && other->tenant_id != id) {
            throw ResourceExistsError("AccountNumberInUse", "Another tenant has this account number.", id);
        }
        r.account_number = *account;
        note(account_details, "account_number");
    }
    if (zip && *zip != r.service_zip) {
        r.service_zip = *zip;
        note(account_details, "service_zip=" + (zip->empty() ? std::string("(none)") : *zip));
    }
    if (name && *name != r.authorized_name) {
        r.authorized_name = *name;
        note(account_details, "authorized_name");
    }
    if (zone && *zone != r.time_zone) {
        r.time_zone = *zone;
        note(account_details, "time_zone=" + (zone->empty() ? std::string(kDefaultTimeZone) : *zone));
    }
    // The contacts in the same transaction: the whole change is made, or none of it.
    const bool emails_changed = emails && replace_notification_emails(ctx_, *tx, id, *emails);
    if (tenant_details.empty() && account_details.empty()) {
        if (emails_changed) tx->commit();
        return tenant_of(r);  // nothing else changes, nothing else is recorded
    }
    r.modified_at = ctx_.now();
    r.modified_by = ctx_.actor;
    tx->update_tenant(r);
    // The country is security state (it decides whether a PIN exists): anchored anew.
    if (!tenant_details.empty()) ctx_.append_state_change(*tx, "TenantUpdated", id, r, "Success", "", tenant_details);
    if (!account_details.empty()) {
        ctx_.append_audit(*tx, "TenantAccountUpdated", id, "Success", "", account_details);
        notify(ctx_, *tx, "TenantAccountUpdated", id, "",
               "The port-out account details (" + account_details + ") were changed by " + ctx_.actor + ".",
               account_details);
    }
    tx->commit();
    return tenant_of(r);
}

void Tenants::assign_account_numbers(const std::string& mark) {
    auto tx = ctx_.store.begin(TxMode::Write);
    if (tx->meta(mark)) return;  // another session did it first
    std::int64_t assigned = 0;
    std::string after;
    while (true) {
        auto page = tx->tenants_after(after, 1000);
        if (page.empty()) break;
        after = page.back().tenant_id;
        for (auto& t : page) {
            if (!t.account_number.empty()) continue;
            t.account_number = new_account_number(*tx);
            tx->update_tenant(t);
            ++assigned;
        }
    }
    tx->set_meta(mark, "1");
    if (assigned > 0) {
        ctx_.append_audit(*tx, "AccountNumbersAssigned", "", "Success", "",
                          "tenants=" + std::to_string(assigned) + " (a store made before account numbers)");
    }
    tx->commit();
}

void Tenants::remove_tenant(std::string_view raw_id) {
    const auto id = canonical_tenant_id(raw_id);
    ctx_.authorize(Operation::RemoveTenant, id);
    auto tx = ctx_.store.begin(TxMode::Write);
    const auto r = require_tenant(*tx, id);
    // An order in flight is cancelled on purpose, with its notice to the carrier, never swept
    // away with the tenant.
    for (const auto status : order_state::kOpen) {
        OrderQuery open;
        open.tenant_ids = {id};
        open.status = std::string(status);
        open.limit = 1;
        if (!tx->orders(open).empty()) {
            throw InvalidOperationError("TenantHasOpenOrders",
                                        "The tenant has a port-out order in progress (" + std::string(status) +
                                            "); cancel or complete it before the tenant is removed.",
                                        id);
        }
    }
    tx->delete_tenant(id);
    tx->delete_policy(id);
    const auto left = tx->remove_tenant_data(id);
    const std::string details = std::string("had_pin=") + (r.pin_record ? "true" : "false") +
                                " numbers_released=" + std::to_string(left.numbers) +
                                " orders_removed=" + std::to_string(left.orders) +
                                " notifications_made_store_wide=" + std::to_string(left.notifications);
    // Removal anchors the tenant's absence: a row put back from a backup is not taken for it.
    ctx_.append_state_change(*tx, "TenantRemoved", id, std::nullopt, "Success", "", details);
    notify(ctx_, *tx, "TenantRemoved", "", "", "The tenant " + id + " was removed by " + ctx_.actor + ".",
           "tenant=" + id + " " + details);
    tx->commit();
}

}  // namespace portout
