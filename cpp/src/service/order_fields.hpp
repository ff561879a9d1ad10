// The fields of a port-out request and of the decisions on it: each checked and kept in one
// canonical form, or refused with its own error id (docs/porting.md lists them).
#pragma once

#include <portout/errors.hpp>

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace portout {

std::string lower(std::string_view raw);

// A gaining carrier's name: 1 to 256 characters of text (InvalidCarrier); its SPID, the NPAC
// service provider id: 4 letters or digits, kept upper case (InvalidSpid).
std::string canonical_carrier(std::string_view raw);
std::string canonical_spid(std::string_view raw);
// A carrier's Idempotency-Key: up to 255 visible ASCII characters ("" for none);
// InvalidIdempotencyKey otherwise.
std::string canonical_idempotency_key(std::string_view raw);
// The carrier's purchase order number: 1 to 32 letters, digits and - _ . / (InvalidPon).
std::string canonical_pon(std::string_view raw);
// Full or Partial in any case; "" when unstated (InvalidPortType).
std::string canonical_port_type(std::string_view raw);
// At most 256 characters of text on one line; "" for none (InvalidComment).
std::string canonical_comment(std::string_view raw);
// A name as people write it: case, punctuation and runs of spaces do not matter.
std::string name_key(std::string_view name);

// `raw` as one of the reason codes `allowed`, in any case (InvalidReasonCode).
template <std::size_t N>
std::string reason_code(std::string_view raw, const std::array<std::string_view, N>& allowed, const char* what) {
    const auto given = lower(raw);
    for (const auto r : allowed) {
        if (lower(r) == given) return std::string(r);
    }
    std::string list;
    for (const auto r : allowed) list += (list.empty() ? "" : ", ") + std::string(r);
    throw InvalidArgumentError("InvalidReasonCode", std::string(what) + " takes one of these reasons: " + list + ".");
}

}  // namespace portout
