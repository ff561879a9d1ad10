// The audit chain: every event carries a MAC under the store's audit key over its fields and
// the MAC of the event before it (the first, over a genesis value bound to the store's id),
// and the head (the newest event's id and MAC, itself MACed) is kept in the store's meta, so
// an edit, a deletion, an insertion, a reordering or a truncation of the log is found.
#pragma once

#include <portout/audit.hpp>
#include <portout/clock.hpp>
#include <portout/crypto.hpp>
#include <portout/progress.hpp>
#include <portout/store.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace portout {

class AuditChain {
public:
    static constexpr std::string_view kMetaHead = "audit_head";

    // The chain of the store `store_id`, under its audit key.
    AuditChain(Secret key, std::string store_id);

    // Chains `events` (type, tenant, outcome, reason and details filled in) after the newest
    // event of the store: each gets the next id, `actor`, a time that never runs backwards
    // (`now`, or the newest event's time if the clock is behind it) and its MAC; the head is
    // written once, after the last of them.
    void append(StoreTransaction& tx, std::vector<AuditRecord>& events, std::string_view actor, Millis now) const;

    // Walks the whole chain in `tx` (one snapshot), reporting events walked of the head's count
    // to `progress` as it goes, and `visit` with each event in chain order; reports the first break and
    // what it is.
    AuditVerification verify(StoreTransaction& tx, const ProgressHook& progress,
                             const std::function<void(const AuditRecord&)>& visit = {}) const;

    // The newest event's id as the head records it, when the head's own MAC holds.
    std::optional<std::int64_t> head_event_id(StoreTransaction& tx) const;

    // The audit key, to seal it again under a new store key.
    const Secret& key() const noexcept { return mac_.key(); }

    // A MAC under the key of tenants' security state (derived from the audit key, so it holds
    // across key rotations and travels with the chain in a copy of the store).
    AuditMac::Builder state_mac() const { return state_.begin(); }
    // A MAC under the key of principals' records (who signs in to the server, what each may
    // do) and of their tokens, derived from the audit key as the state's is.
    AuditMac::Builder principal_mac() const { return principal_.begin(); }
    // Whether a tenant's newest event is authentic and still linked into the chain where it
    // stands (its own MAC, and its neighbours' links to it; the newest of the chain when none
    // follows it): an event edited, moved, or left after the events that followed it were
    // removed from the middle, is not.
    bool anchors(const StateMark& mark) const;
    // What an event that changes no state carries: the state its tenant's newest event
    // carries, when that event is authentic; else a value no state's MAC ever equals.
    std::string carried_state(const std::optional<StateMark>& newest) const;

private:
    std::string genesis() const;
    std::string mac_of(const AuditRecord& e) const;
    std::string head_mac(std::int64_t event_id, std::string_view mac) const;

    AuditMac mac_;
    AuditMac state_;
    AuditMac principal_;
    std::string store_id_;
};

}  // namespace portout
