// What a walk of the audit chain finds.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace portout {

struct AuditVerification {
    bool is_valid = true;
    std::int64_t event_count = 0;
    std::optional<std::int64_t> first_broken_event_id;
    std::string problem;  // Edited, Deleted, Inserted, Reordered, HeadAltered; empty when valid
};

}  // namespace portout
