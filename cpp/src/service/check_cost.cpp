#include "service/check_cost.hpp"

#include "service/worker_pool.hpp"

#include <algorithm>
#include <future>
#include <system_error>
#include <thread>

namespace portout {

namespace {

constexpr std::size_t kWindow = 31;

}  // namespace

std::vector<HashProfile> parse_profile_list(std::string_view text) {
    std::vector<HashProfile> out;
    while (!text.empty()) {
        const auto comma = text.find(',');
        if (const auto p = parse_hash_profile(text.substr(0, comma))) out.push_back(*p);
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
    }
    return out;
}

std::string profile_list(const std::vector<HashProfile>& profiles) {
    std::string out;
    for (const auto p : profiles) out += (out.empty() ? "" : ",") + std::string(to_string(p));
    return out;
}

HashProfile costliest_profile(HashProfile current, const std::vector<HashProfile>& in_use) {
    HashProfile out = current;
    // The profiles are declared from the cheapest to the costliest.
    for (const auto p : in_use) out = std::max(out, p);
    return out;
}

CheckCost::CheckCost(HashProfile costliest, WorkerPool& workers) : hasher_(costliest), workers_(workers) {}

bool CheckCost::refuse(std::string_view pin) {
    const auto start = Clock::now();
    hasher_.verify_nothing(pin);
    measured(Clock::now() - start);
    return false;
}

bool CheckCost::verify(std::string_view encoded, std::string_view pin) {
    if (!hasher_.is_weaker(encoded)) {
        const auto start = Clock::now();
        const bool ok = hasher_.verify(encoded, pin);
        measured(Clock::now() - start);
        return ok;
    }
    const auto start = Clock::now();
    if (const auto t = typical()) {
        const bool ok = hasher_.verify(encoded, pin);
        std::this_thread::sleep_until(start + *t);
        return ok;
    }
    // Nothing measured yet in this process: a computation at the costliest profile runs beside
    // the verification (and is measured), and the answer waits for both.
    std::future<bool> beside;
    try {
        beside = workers_.run([this, pin] { return refuse(pin); });
    } catch (const std::system_error&) {  // no thread to be had: the cost is paid after
        const bool ok = hasher_.verify(encoded, pin);
        refuse(pin);
        return ok;
    }
    bool ok = false;
    try {
        ok = hasher_.verify(encoded, pin);
    } catch (...) {
        beside.wait();
        throw;
    }
    beside.get();
    return ok;
}

void CheckCost::measured(Clock::duration d) {
    std::lock_guard lock(mutex_);
    if (recent_.size() < kWindow) {
        recent_.push_back(d);
    } else {
        recent_[next_] = d;
        next_ = (next_ + 1) % kWindow;
    }
}

std::optional<CheckCost::Clock::duration> CheckCost::typical() const {
    std::vector<Clock::duration> copy;
    {
        std::lock_guard lock(mutex_);
        copy = recent_;
    }
    if (copy.empty()) return std::nullopt;
    auto mid = copy.begin() + static_cast<std::ptrdiff_t>(copy.size() / 2);
    std::nth_element(copy.begin(), mid, copy.end());
    return *mid;
}

}  // namespace portout
