#include "service/carrier_attempts.hpp"

#include <algorithm>
#include <charconv>

namespace portout {

namespace {

std::vector<std::string_view> split(std::string_view text, char sep) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    while (true) {
        const auto at = text.find(sep, start);
        out.push_back(text.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
        if (at == std::string_view::npos) return out;
        start = at + 1;
    }
}

bool read_int(std::string_view s, std::int64_t& out) {
    const auto* end = s.data() + s.size();
    const auto r = std::from_chars(s.data(), end, out);
    return r.ec == std::errc() && r.ptr == end;
}

}  // namespace

AttemptLedger AttemptLedger::decode(std::string_view text) {
    AttemptLedger ledger;
    if (text.empty()) return ledger;
    for (const auto line : split(text, '\n')) {
        const auto f = split(line, '\t');
        if (f.size() != 5 || f[0].empty()) continue;
        CarrierAttempts c;
        c.carrier = std::string(f[0]);
        std::int64_t failed = 0;
        std::int64_t until = 0;
        std::int64_t level = 0;
        if (!read_int(f[1], failed) || !read_int(f[3], level) || (!f[2].empty() && !read_int(f[2], until))) continue;
        c.failed = static_cast<int>(std::clamp<std::int64_t>(failed, 0, 1 << 20));
        c.lock_level = static_cast<int>(std::clamp<std::int64_t>(level, 0, 1 << 20));
        if (!f[2].empty()) c.locked_until = until;
        if (!f[4].empty()) {
            for (const auto t : split(f[4], ',')) {
                std::int64_t at = 0;
                if (read_int(t, at)) c.failures.push_back(at);
            }
        }
        std::sort(c.failures.begin(), c.failures.end());
        ledger.carriers_.push_back(std::move(c));
    }
    std::sort(ledger.carriers_.begin(), ledger.carriers_.end(),
              [](const CarrierAttempts& a, const CarrierAttempts& b) { return a.carrier < b.carrier; });
    return ledger;
}

std::string AttemptLedger::encode() const {
    std::string out;
    for (const auto& c : carriers_) {
        if (c.failed == 0 && !c.locked_until && c.lock_level == 0 && c.failures.empty()) continue;
        if (!out.empty()) out += '\n';
        out += c.carrier + '\t' + std::to_string(c.failed) + '\t' +
               (c.locked_until ? std::to_string(*c.locked_until) : std::string()) + '\t' +
               std::to_string(c.lock_level) + '\t';
        for (std::size_t i = 0; i < c.failures.size(); ++i) {
            if (i) out += ',';
            out += std::to_string(c.failures[i]);
        }
    }
    return out;
}

CarrierAttempts& AttemptLedger::of(const std::string& carrier) {
    auto it = std::lower_bound(carriers_.begin(), carriers_.end(), carrier,
                               [](const CarrierAttempts& c, const std::string& name) { return c.carrier < name; });
    if (it == carriers_.end() || it->carrier != carrier) {
        CarrierAttempts c;
        c.carrier = carrier;
        it = carriers_.insert(it, std::move(c));
    }
    return *it;
}

const CarrierAttempts* AttemptLedger::find(std::string_view carrier) const {
    const auto it = std::find_if(carriers_.begin(), carriers_.end(),
                                 [&](const CarrierAttempts& c) { return c.carrier == carrier; });
    return it == carriers_.end() ? nullptr : &*it;
}

void AttemptLedger::prune(Millis now, Millis window) {
    for (auto& c : carriers_) {
        const auto keep = std::find_if(c.failures.begin(), c.failures.end(), [&](Millis t) { return t > now - window; });
        c.failures.erase(c.failures.begin(), keep);
    }
    std::erase_if(carriers_, [&](const CarrierAttempts& c) {
        const bool locked = c.locked_until && *c.locked_until > now;
        return c.failures.empty() && !locked;
    });
}

int AttemptLedger::failures(int per_carrier) const {
    std::size_t n = 0;
    const auto cap = static_cast<std::size_t>(std::max(per_carrier, 1));
    for (const auto& c : carriers_) n += std::min(c.failures.size(), cap);
    return static_cast<int>(n);
}

}  // namespace portout
