#include "service/audit_chain.hpp"

#include <sodium.h>

#include <algorithm>
#include <unordered_set>
#include <utility>

namespace portout {

namespace {

std::string encode_head(std::int64_t event_id, std::string_view mac, std::string_view head_mac) {
    std::string out(8, '\0');
    for (int i = 7; i >= 0; --i) {
        out[static_cast<std::size_t>(i)] = static_cast<char>(event_id & 0xFF);
        event_id >>= 8;
    }
    out.append(mac);
    out.append(head_mac);
    return out;
}

struct Head {
    std::int64_t event_id = 0;
    std::string mac;
    std::string head_mac;
};

std::optional<Head> decode_head(const std::optional<std::string>& raw) {
    if (!raw || raw->size() != 8 + 2 * AuditMac::kSize) return std::nullopt;
    Head h;
    for (int i = 0; i < 8; ++i) h.event_id = (h.event_id << 8) | static_cast<unsigned char>((*raw)[static_cast<std::size_t>(i)]);
    h.mac = raw->substr(8, AuditMac::kSize);
    h.head_mac = raw->substr(8 + AuditMac::kSize);
    return h;
}

}  // namespace

namespace {

Secret derived_key(const AuditMac& audit, std::string_view purpose) {
    std::string raw = audit.begin().add(purpose).finish();
    Secret key(raw);
    sodium_memzero(raw.data(), raw.size());
    return key;
}

}  // namespace

AuditChain::AuditChain(Secret key, std::string store_id)
    : mac_(std::move(key)),
      state_(derived_key(mac_, "portout tenant state key")),
      principal_(derived_key(mac_, "portout principal key")),
      store_id_(std::move(store_id)) {}

bool AuditChain::anchors(const StateMark& m) const {
    const auto& e = m.event;
    if (!constant_time_equal(mac_of(e), e.mac)) return false;
    const std::string before = m.mac_before ? *m.mac_before : e.event_id == 1 ? genesis() : std::string();
    if (!constant_time_equal(e.prev_mac, before)) return false;
    if (!m.prev_of_next) return e.event_id == m.newest_event_id;  // no gap after it
    return constant_time_equal(*m.prev_of_next, e.mac);
}

std::string AuditChain::carried_state(const std::optional<StateMark>& newest) const {
    if (!newest) return {};
    if (anchors(*newest)) return newest->event.state_mac;
    return state_.begin().add("the state's anchor was not authentic").add(newest->event.tenant_id).finish();
}

std::string AuditChain::genesis() const {
    return mac_.begin().add("portout audit genesis").add(store_id_).finish();
}

std::string AuditChain::mac_of(const AuditRecord& e) const {
    // The number is not in the MAC: order is proven by the chain, so a moved event still
    // verifies by itself and is reported as moved, not as edited.
    auto b = mac_.begin();
    b.add(e.occurred_at)
        .add(e.event_type)
        .add(e.tenant_id)
        .add(e.actor)
        .add(e.outcome)
        .add(e.reason)
        .add(e.details)
        .add(e.prev_mac);
    // An anchoring event's MAC covers the state it records; other events' MACs are as they
    // were before anchors existed.
    if (!e.state_mac.empty()) b.add("state").add(e.state_mac);
    return b.finish();
}

std::string AuditChain::head_mac(std::int64_t event_id, std::string_view mac) const {
    return mac_.begin().add("portout audit head").add(event_id).add(mac).finish();
}

void AuditChain::append(StoreTransaction& tx, std::vector<AuditRecord>& events, std::string_view actor,
                        Millis now) const {
    if (events.empty()) return;
    const auto last = tx.last_audit_event();
    std::int64_t event_id = last ? last->event_id : 0;
    std::string prev_mac = last ? last->mac : genesis();
    // Time never runs backwards in the log, even if the clock does.
    const Millis at = std::max(now, last ? last->occurred_at : Millis{0});
    for (auto& e : events) {
        e.event_id = ++event_id;
        e.prev_mac = std::move(prev_mac);
        e.occurred_at = at;
        e.actor = actor;
        e.mac = mac_of(e);
        tx.insert_audit_event(e);
        prev_mac = e.mac;
    }
    // The head is written once, after the last event of the batch.
    tx.set_meta(kMetaHead, encode_head(event_id, prev_mac, head_mac(event_id, prev_mac)));
}

std::optional<std::int64_t> AuditChain::head_event_id(StoreTransaction& tx) const {
    const auto head = decode_head(tx.meta(kMetaHead));
    if (!head || !constant_time_equal(head->head_mac, head_mac(head->event_id, head->mac))) return std::nullopt;
    return head->event_id;
}

AuditVerification AuditChain::verify(StoreTransaction& tx, const ProgressHook& progress,
                                     const std::function<void(const AuditRecord&)>& visit) const {
    AuditVerification result;
    const auto head = decode_head(tx.meta(kMetaHead));
    const bool head_ok = head && constant_time_equal(head->head_mac, head_mac(head->event_id, head->mac));
    auto fail = [&](std::int64_t id, std::string problem) {
        if (result.is_valid) {
            result.is_valid = false;
            result.first_broken_event_id = id;
            result.problem = std::move(problem);
        }
    };
    if (!head_ok) fail(head ? head->event_id : 1, "HeadAltered");
    ProgressMeter meter(progress, head_ok ? head->event_id : 0);

    std::string prev_mac = genesis();
    std::int64_t expected = 1;
    std::int64_t last_id = 0;
    std::string last_mac;
    std::optional<AuditRecord> unlinked;  // the first authentic event out of its place
    AuditQuery q;
    q.limit = 5000;
    while (true) {
        auto batch = tx.audit_events(q);
        if (batch.empty()) break;
        for (const auto& e : batch) {
            ++result.event_count;
            meter.add();
            if (visit) visit(e);
            if (result.is_valid) {
                if (head_ok && e.event_id > head->event_id) {
                    fail(e.event_id, "Inserted");
                } else if (e.event_id != expected) {
                    fail(expected, "Deleted");
                } else if (!constant_time_equal(mac_of(e), e.mac)) {
                    fail(e.event_id, "Edited");
                } else if (!constant_time_equal(e.prev_mac, prev_mac)) {
                    fail(e.event_id, "Reordered");
                    unlinked = e;
                }
            }
            prev_mac = e.mac;
            expected = e.event_id + 1;
            last_id = e.event_id;
            last_mac = e.mac;
        }
        q.after_event_id = batch.back().event_id;
    }
    meter.finish();
    if (result.is_valid && head_ok) {
        if (head->event_id > last_id) {
            fail(last_id + 1, "Deleted");
        } else if (!constant_time_equal(head->mac, last_mac)) {
            fail(last_id, "Edited");
        }
    }
    if (unlinked) {
        // Out of place, or its predecessor deleted? Look for the event it was chained to.
        std::unordered_set<std::string> macs;
        AuditQuery all;
        all.limit = 5000;
        bool duplicate = false;
        while (true) {
            auto batch = tx.audit_events(all);
            if (batch.empty()) break;
            for (const auto& e : batch) {
                if (e.event_id != unlinked->event_id && e.mac == unlinked->mac) duplicate = true;
                macs.insert(e.mac);
            }
            all.after_event_id = batch.back().event_id;
        }
        if (duplicate) {
            result.problem = "Inserted";
        } else if (!macs.contains(unlinked->prev_mac) && unlinked->prev_mac != genesis()) {
            result.problem = "Deleted";
        }
    }
    return result;
}

}  // namespace portout
