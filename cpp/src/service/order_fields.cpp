// The fields of a port-out request and of the decisions on it, as the orders keep them.
#include "service/order_fields.hpp"

#include <portout/identity.hpp>

#include <algorithm>
#include <cctype>

namespace portout {

std::string lower(std::string_view raw) {
    std::string out(raw);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string canonical_pon(std::string_view raw) {
    const bool ok = !raw.empty() && raw.size() <= 32 && std::all_of(raw.begin(), raw.end(), [](char c) {
                        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' ||
                               c == '.' || c == '/';
                    });
    if (!ok) {
        throw InvalidArgumentError("InvalidPon",
                                   "A purchase order number (PON) has 1 to 32 letters, digits, and - _ . /.");
    }
    return std::string(raw);
}

std::string canonical_port_type(std::string_view raw) {
    const auto type = lower(raw);
    if (type.empty()) return {};  // told by the numbers: every number of the account is a full port
    if (type == "partial") return "Partial";
    if (type == "full") return "Full";
    throw InvalidArgumentError("InvalidPortType",
                               "A port is Full (every number of the account) or Partial (some of them).");
}

std::string canonical_comment(std::string_view raw) {
    if (raw.empty()) return {};
    try {
        return canonical_display_name(raw);
    } catch (const InvalidArgumentError&) {
        throw InvalidArgumentError("InvalidComment", "A comment has at most 256 characters of text, on one line.");
    }
}

// A name as people write it: case, punctuation and runs of spaces do not matter.
std::string name_key(std::string_view name) {
    std::string out;
    bool space = false;
    for (const char ch : name) {
        const auto c = static_cast<unsigned char>(ch);
        if (std::isalnum(c) || c >= 0x80) {
            if (space && !out.empty()) out += ' ';
            space = false;
            out += static_cast<char>(std::tolower(c));
        } else if (c == ' ' || c == '\t') {
            space = true;
        }
    }
    return out;
}

std::string canonical_carrier(std::string_view raw) {
    try {
        return canonical_display_name(raw);
    } catch (const InvalidArgumentError&) {
        throw InvalidArgumentError("InvalidCarrier",
                                   "The gaining carrier is named by 1 to 256 characters of text.");
    }
}

std::string canonical_idempotency_key(std::string_view raw) {
    if (raw.size() > 255 || !is_visible_ascii(raw)) {
        throw InvalidArgumentError("InvalidIdempotencyKey",
                                   "An Idempotency-Key is 1 to 255 visible ASCII characters, such as a UUID.");
    }
    return std::string(raw);
}

std::string canonical_spid(std::string_view raw) {
    std::string out(raw);
    const bool ok = out.size() == 4 && std::all_of(out.begin(), out.end(), [](char c) {
                        return std::isalnum(static_cast<unsigned char>(c)) != 0;
                    });
    if (!ok) {
        throw InvalidArgumentError("InvalidSpid",
                                   "A carrier's SPID (its NPAC service provider id) is 4 letters or digits, "
                                   "such as 6529.");
    }
    for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

}  // namespace portout
