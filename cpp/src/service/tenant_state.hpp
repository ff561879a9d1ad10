// Each tenant's security state, authenticated: its country, PIN record (the PIN's hash as the
// record opens) and version, failed attempts, lock, freeze and own policy; and the store's
// default policy (the state of tenant ""). Every change writes, in its own transaction, an audit
// event carrying a MAC of the state it left (the tenant's anchor, chained and MACed like every
// event); every read that decides anything computes the MAC of the state it read and compares it
// with the newest anchor. A value edited, rolled back to an older backup, copied from another
// tenant, or a row inserted or deleted by someone without the key, does not match.
#pragma once

#include <portout/store.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace portout {

struct ServiceContext;

// The MAC of the state of `tenant_id` ("": the store's default policy), given its row as read
// (none: absent) and its own policy as `tx` holds it. A PIN record that does not open (altered,
// or copied from another tenant) gives a MAC no anchor holds.
std::string state_mac(const ServiceContext& ctx, StoreTransaction& tx, std::string_view tenant_id,
                      const std::optional<TenantRecord>& row);

// Of `rows` (tenants as read in `tx`; a missing row as std::nullopt beside its id), and of the
// store's default policy (id ""), the ids whose state is not the one their newest anchor
// recorded. One statement for all of them.
std::vector<std::string> states_not_held(const ServiceContext& ctx, StoreTransaction& tx,
                                         const std::vector<std::pair<std::string, std::optional<TenantRecord>>>& rows);

// A store written before anchors existed: anchors the state every tenant and the default policy
// has now, once (an event each, "SecurityStateAnchored"), so that changes from now on are
// checked against it. Does nothing when any anchor exists. Returns how many were anchored.
std::int64_t anchor_existing_state(const ServiceContext& ctx);

}  // namespace portout
