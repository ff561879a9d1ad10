#include "service/tenant_state.hpp"

#include <portout/errors.hpp>
#include "service/audit_chain.hpp"
#include "service/context.hpp"
#include "service/key_ring.hpp"

#include <algorithm>
#include <utility>

namespace portout {

namespace {

std::int64_t opt(const std::optional<Millis>& v) {
    return v ? *v : -1;
}

void add_policy(AuditMac::Builder& b, const std::optional<PolicyRecord>& p) {
    if (!p) {
        b.add("no policy");
        return;
    }
    const auto flag = [](const auto& v) { return v ? static_cast<std::int64_t>(*v) : std::int64_t{-1}; };
    b.add("policy")
        .add(flag(p->min_length))
        .add(flag(p->max_length))
        .add(flag(p->block_weak))
        .add(p->blocklist ? encode_list(*p->blocklist) : std::string("\x01 none"))
        .add(flag(p->max_failed_attempts))
        .add(flag(p->lockout_ms))
        .add(flag(p->max_lockout_ms));
    // The settings of schema 4, each only when set, so that anchors made before them hold.
    const auto tagged = [&](const char* tag, std::int64_t v) { b.add(tag).add(v); };
    if (p->tenant_max_failures) tagged("tenant_max_failures", *p->tenant_max_failures);
    if (p->failure_window_ms) tagged("failure_window_ms", *p->failure_window_ms);
    if (p->review_window_ms) tagged("review_window_ms", *p->review_window_ms);
    if (p->review_deadline_action) b.add("review_deadline_action").add(*p->review_deadline_action);
    if (p->min_foc_business_days) tagged("min_foc_business_days", *p->min_foc_business_days);
    if (p->max_foc_days) tagged("max_foc_days", *p->max_foc_days);
    if (p->cancel_cutoff_ms) tagged("cancel_cutoff_ms", *p->cancel_cutoff_ms);
    if (p->holidays) b.add("holidays").add(encode_list(*p->holidays));
}

}  // namespace

std::string state_mac(const ServiceContext& ctx, StoreTransaction& tx, std::string_view tenant_id,
                      const std::optional<TenantRecord>& row) {
    auto b = ctx.audit.state_mac();
    if (tenant_id.empty()) {
        b.add("default policy");
        add_policy(b, tx.policy(""));
        return b.finish();
    }
    b.add("tenant").add(tenant_id);
    if (!row) {
        b.add("absent");
        return b.finish();
    }
    const TenantRecord& t = *row;
    b.add("present").add(t.tenant_id).add(t.country);
    if (t.pin_record) {
        bool opens = true;
        try {
            const Secret encoded = ctx.keys.open_pin_record(t);
            b.add("pin").add(encoded.view());
        } catch (const InvalidDataError&) {
            opens = false;  // altered, or sealed for another tenant
        } catch (const ResourceUnavailableError& e) {
            if (e.error_id() != "KeyUnavailable") throw;
            // A key this session lacks: a session from before a rotation says so (KeyRotated);
            // a session that holds every key the store names has a record under a key the
            // store never had (its key id edited).
            ctx.keys.require_store_keys(tx);
            opens = false;
        }
        if (!opens) b.add("a record that does not open").add(random_bytes(16));  // no anchor holds this
    } else {
        b.add("no pin");
    }
    b.add(t.pin_version)
        .add(opt(t.pin_set_at))
        .add(opt(t.pin_changed_at))
        .add(t.pin_changed_by)
        .add(std::int64_t{t.failed_attempts})
        .add(opt(t.locked_until))
        .add(std::int64_t{t.lock_level})
        .add(std::int64_t{t.frozen ? 1 : 0});
    // Failed checks by carrier (schema 4), only when there are any, so older anchors hold.
    if (!t.carrier_attempts.empty()) b.add("carrier attempts").add(t.carrier_attempts);
    add_policy(b, tx.policy(tenant_id));
    return b.finish();
}

std::vector<std::string> states_not_held(const ServiceContext& ctx, StoreTransaction& tx,
                                         const std::vector<std::pair<std::string, std::optional<TenantRecord>>>& rows) {
    std::vector<std::string> ids{""};
    for (const auto& [id, row] : rows) ids.push_back(id);
    std::vector<StateMark> marks = tx.state_marks(ids);
    const auto mark_of = [&](std::string_view id) -> const StateMark* {
        const auto it = std::find_if(marks.begin(), marks.end(), [&](const StateMark& m) { return m.event.tenant_id == id; });
        return it == marks.end() ? nullptr : &*it;
    };
    std::vector<std::string> bad;
    const auto check = [&](const std::string& id, const std::optional<TenantRecord>& row) {
        const StateMark* mark = mark_of(id);
        if (mark && !ctx.audit.anchors(*mark)) {
            bad.push_back(id);
            return;
        }
        const bool anchored = mark && !mark->event.state_mac.empty();
        if (!anchored) {
            // No anchor: a tenant portout never made (only an absent one holds), or a default
            // policy never written (which an anchored store always has).
            if (id.empty() || row) bad.push_back(id);
            return;
        }
        if (!constant_time_equal(state_mac(ctx, tx, id, row), mark->event.state_mac)) bad.push_back(id);
    };
    check("", std::nullopt);
    for (const auto& [id, row] : rows) check(id, row);
    return bad;
}

std::int64_t anchor_existing_state(const ServiceContext& ctx) {
    auto tx = ctx.store.begin(TxMode::Write);
    if (tx->has_state_marks()) return 0;
    // Only a store whose whole chain holds was written before anchors: one whose anchors were
    // removed (the state MACs nulled, the column dropped) does not verify, and what its
    // database holds now is never taken as authentic. It is recorded, once, and every tenant
    // stays refused until repaired.
    const auto chain = ctx.audit.verify(*tx, {});
    if (!chain.is_valid || chain.event_count == 0) {
        AuditRecord e;
        e.event_type = "StoreTampered";
        e.outcome = "Failure";
        e.reason = "StateAnchorsRemoved";
        e.details = "no event anchors any state and the audit chain does not verify (" +
                    (chain.problem.empty() ? std::string("empty") : chain.problem) + "); nothing was anchored: every tenant is refused until repaired";
        e.state_mac = ctx.audit.carried_state(StateMark{AuditRecord{}, std::nullopt, std::nullopt, -1});
        std::vector<AuditRecord> one{std::move(e)};
        ctx.append_audit_events(*tx, one);
        tx->commit();
        return 0;
    }
    std::vector<AuditRecord> events;
    const auto anchor = [&](const std::string& id, const std::optional<TenantRecord>& row) {
        AuditRecord e;
        e.event_type = "SecurityStateAnchored";
        e.tenant_id = id;
        e.outcome = "Success";
        e.details = "anchored the state found when the store was upgraded";
        e.state_mac = state_mac(ctx, *tx, id, row);
        events.push_back(std::move(e));
    };
    anchor("", std::nullopt);
    std::string after;
    while (true) {
        auto page = tx->tenants_after(after, 1000);
        if (page.empty()) break;
        after = page.back().tenant_id;
        for (const auto& t : page) anchor(t.tenant_id, t);
    }
    ctx.append_audit_events(*tx, events);
    tx->commit();
    return static_cast<std::int64_t>(events.size());
}

}  // namespace portout
