// What a walk of the audit chain finds, and the signed checkpoints of its head kept outside the
// store, against which a walk also proves that no newest event was removed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace portout {

struct AuditVerification {
    bool is_valid = true;
    std::int64_t event_count = 0;
    std::optional<std::int64_t> first_broken_event_id;
    // Edited, Deleted, Inserted, Reordered, HeadAltered (the chain itself); Truncated,
    // RolledBack, CheckpointInvalid, CheckpointOfAnotherStore (against a checkpoint); empty when
    // valid. A break of the chain itself is named before any checkpoint's finding.
    std::string problem;
    // How many checkpoints were checked against the chain (every one given).
    std::int64_t checkpoints_checked = 0;
    // The position, in the list given, of the first checkpoint the chain does not agree with
    // (set when `problem` is a checkpoint's finding).
    std::optional<std::int64_t> failed_checkpoint;
};

// A signed statement of the audit chain's head, meant to be kept outside the store (a file, a
// log host): the store's id, the newest event's id and MAC, how many events the chain held up
// to it, when it was taken (UTC) and by which store key. It is signed with Ed25519 under a key
// derived from the store key (purpose kPurposeAuditCheckpoint), and carries the public half,
// so a database writer without the key file can forge none, and anyone can check one.
//
// The signature covers these bytes (UTF-8, each line ending with one LF, nothing else):
//   portout-audit-checkpoint-v1
//   store_id=<store id>
//   event_id=<decimal>
//   event_mac=<64 lower-case hex digits>
//   event_count=<decimal>
//   taken_at=<YYYY-MM-DDTHH:MM:SS.mmmZ>
//   key_id=<16 lower-case hex digits>
//   public_key=<64 lower-case hex digits>
// and the document is one JSON object of these fields (string values; event_id and event_count
// numbers), "format": "portout-audit-checkpoint-v1" and "signature" (128 lower-case hex digits).
struct AuditCheckpoint {
    static constexpr std::string_view kFormat = "portout-audit-checkpoint-v1";

    std::string store_id;
    std::int64_t event_id = 0;
    std::string event_mac;         // hex
    std::int64_t event_count = 0;
    std::string taken_at;          // ISO 8601 UTC with milliseconds, as signed
    std::int64_t taken_at_ms = 0;  // the same moment, in milliseconds since the epoch
    std::string key_id;
    std::string public_key;        // hex
    std::string signature;         // hex
    std::string document;          // the JSON document, as written to a file

    // The bytes the signature covers.
    std::string signed_bytes() const;
};

// Reads a checkpoint document (any JSON whitespace and field order) without judging its
// signature. InvalidArgumentError (CheckpointMalformed) when it is not a checkpoint of this
// format: not a flat JSON object, a field missing, unknown, repeated or of the wrong form.
AuditCheckpoint parse_audit_checkpoint(std::string_view document);

}  // namespace portout
