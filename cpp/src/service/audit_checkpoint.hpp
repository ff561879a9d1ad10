// Checkpoints of the audit chain, kept outside the store: taking one (the chain verified, the
// taking audited, the head signed with the store's checkpoint key, the document handed to the
// outbox), and checking a walk of the chain against those given. The chain proves that no event
// was edited, moved or removed from its middle; only a checkpoint kept elsewhere proves that the
// newest events were not removed, nor the whole store put back to an older copy.
#pragma once

#include <portout/crypto.hpp>
#include "service/context.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace portout {

// The checks of one walk of the chain against the checkpoints given.
class CheckpointCheck {
public:
    // Reads every document first: CheckpointMalformed (naming its position) before any walk.
    explicit CheckpointCheck(const std::vector<std::string>& documents);

    bool empty() const noexcept { return checkpoints_.empty(); }
    // Called with each event of the walk, in chain order.
    void visit(const AuditRecord& e);
    // Once the walk is done: each checkpoint judged (its signature, its store, its key, the
    // chain's event at its id). A chain found broken keeps its own problem; else the first
    // checkpoint's finding becomes the result's.
    void finish(const ServiceContext& ctx, StoreTransaction& tx, AuditVerification& result) const;

private:
    struct Seen {
        std::string mac;
        std::int64_t count = 0;  // events walked up to and with it
    };
    std::vector<AuditCheckpoint> checkpoints_;
    std::map<std::int64_t, Seen> seen_;  // the chain's events at the checkpoints' ids
    std::int64_t count_ = 0;
    std::int64_t last_id_ = 0;
};

class AuditCheckpoints {
public:
    explicit AuditCheckpoints(const ServiceContext& ctx) : ctx_(ctx) {}

    // A StoreAdmin or an Auditor, without a tenant scope. The whole chain is verified first
    // (AuditChainBroken, and nothing written, when it does not hold: a checkpoint never vouches
    // for a broken chain); then AuditCheckpointTaken is appended and the checkpoint signed of
    // the chain up to and with that event, and handed to the outbox (kind AuditCheckpoint), in
    // one transaction.
    AuditCheckpoint audit_checkpoint();

private:
    const ServiceContext& ctx_;
};

// The checkpoint of `head` (the chain's newest event, `count` events long), signed.
AuditCheckpoint sign_checkpoint(const SigningKey& key, std::string_view key_id, std::string_view store_id,
                                const AuditRecord& head, std::int64_t count, Millis taken_at);

}  // namespace portout
