#include "service/audit_log.hpp"

#include <portout/identity.hpp>
#include "service/audit_chain.hpp"
#include "service/audit_checkpoint.hpp"

#include <algorithm>
#include <iterator>
#include <string>
#include <utility>

namespace portout {

AuditVerification AuditLog::verify_audit(const ProgressHook& progress,
                                         const std::vector<std::string>& checkpoints) {
    CheckpointCheck check(checkpoints);  // a document that is no checkpoint is refused first
    ctx_.authorize(Operation::VerifyAudit);
    auto tx = ctx_.store.begin(TxMode::Read);  // one snapshot for the whole walk
    const auto& scope = ctx_.tenant_scope();
    const auto visit = [&check](const AuditRecord& e) { check.visit(e); };
    if (scope.empty()) {
        auto result = ctx_.audit.verify(*tx, progress, check.empty() ? std::function<void(const AuditRecord&)>{} : visit);
        check.finish(ctx_, *tx, result);
        return result;
    }
    // A scoped session: the chain is one, so it is walked whole, but reported within the scope:
    // its tenants' events counted, a break named only when it is one of theirs (a break
    // elsewhere still makes the chain invalid, as their events' order rests on it). Progress is
    // of the walk.
    auto whole = ctx_.audit.verify(*tx, progress, check.empty() ? std::function<void(const AuditRecord&)>{} : visit);
    check.finish(ctx_, *tx, whole);
    AuditVerification out;
    out.is_valid = whole.is_valid;
    out.problem = whole.problem;
    out.checkpoints_checked = whole.checkpoints_checked;
    out.failed_checkpoint = whole.failed_checkpoint;
    AuditQuery q;
    q.tenant_ids = scope;
    q.limit = 10000;
    while (true) {
        const auto page = tx->audit_events(q);
        out.event_count += static_cast<std::int64_t>(page.size());
        for (const auto& e : page) {
            if (whole.first_broken_event_id == e.event_id) out.first_broken_event_id = e.event_id;
        }
        if (page.size() < q.limit) break;
        q.after_event_id = page.back().event_id;
    }
    return out;
}

std::vector<AuditEvent> AuditLog::audit_events(const AuditQuery& query) {
    AuditQuery q = query;
    for (auto& id : q.tenant_ids) id = canonical_tenant_id(id);
    if (q.tenant_ids.empty()) {
        ctx_.authorize(Operation::ReadAudit);
        q.tenant_ids = ctx_.tenant_scope();  // a scoped session reads its own tenants' events only
    } else {
        for (const auto& id : q.tenant_ids) ctx_.authorize(Operation::ReadAudit, id);
    }
    q.limit = std::clamp<std::size_t>(q.limit, 1, 100000);
    auto tx = ctx_.store.begin(TxMode::Read);
    // A tenant's history starts at its latest creation: an id removed and created again does
    // not show the removed tenant's events. (A store-wide query, naming no tenant, shows all.)
    std::vector<std::string> plain;
    std::vector<std::pair<std::string, std::int64_t>> recreated;
    for (const auto& id : q.tenant_ids) {
        std::int64_t removed_at = 0;
        if (tx->tenant(id)) {
            AuditQuery removals;
            removals.tenant_ids = {id};
            removals.event_types = {"TenantRemoved"};
            removals.limit = 100000;
            const auto found = tx->audit_events(removals);
            if (!found.empty()) removed_at = found.back().event_id;
        }
        if (removed_at) {
            recreated.emplace_back(id, removed_at);
        } else {
            plain.push_back(id);
        }
    }
    std::vector<AuditRecord> rows;
    if (recreated.empty()) {
        rows = tx->audit_events(q);
    } else {
        // One query for the tenants never removed, one for each created again; merged in chain
        // order, the first `limit` of them.
        auto add = [&](AuditQuery part, std::int64_t floor) {
            auto more = part.tenant_ids.empty() ? std::vector<AuditRecord>{} : tx->audit_events(part);
            for (auto& r : more) {
                if (r.event_id > floor) rows.push_back(std::move(r));
            }
        };
        AuditQuery part = q;
        part.tenant_ids = plain;
        add(part, 0);
        for (const auto& [id, removed_at] : recreated) {
            part.tenant_ids = {id};
            // Oldest first, the query starts after the removal; newest first, it stops there.
            if (!q.newest_first) part.after_event_id = std::max(q.after_event_id, removed_at);
            add(part, removed_at);
        }
        std::sort(rows.begin(), rows.end(), [&](const auto& a, const auto& b) {
            return q.newest_first ? a.event_id > b.event_id : a.event_id < b.event_id;
        });
        if (rows.size() > q.limit) rows.resize(q.limit);
    }
    std::vector<AuditEvent> out;
    out.reserve(rows.size());
    for (auto& r : rows) out.push_back(std::move(static_cast<AuditEvent&>(r)));
    return out;
}

}  // namespace portout
