#include <portout/progress.hpp>

#include <algorithm>
#include <utility>

namespace portout {

ProgressMeter::ProgressMeter(const ProgressHook& hook, std::int64_t total, TimeSource now)
    : hook_(hook), now_(std::move(now)) {
    set_total(total);
    last_ = this->now();
}

std::chrono::steady_clock::time_point ProgressMeter::now() const {
    return now_ ? now_() : std::chrono::steady_clock::now();
}

void ProgressMeter::set_total(std::int64_t total) {
    p_.total = std::max<std::int64_t>(total, 0);
    step_ = std::max<std::int64_t>(p_.total / 100, 1);
    next_ = p_.done + step_;
}

void ProgressMeter::stage(std::string name) { p_.stage = std::move(name); }

void ProgressMeter::add(std::int64_t n) {
    p_.done += n;
    if (p_.total != 0 && p_.done > p_.total) p_.total = p_.done;  // more than announced
    if (!hook_) return;
    if (p_.total != 0 && p_.done >= next_) {
        report();
    } else if (now() - last_ >= kInterval) {
        report();
    }
}

void ProgressMeter::finish() {
    if (p_.total == 0 || p_.total > p_.done) p_.total = p_.done;  // what there was, known now
    if (hook_ && (reported_ != p_.done || reported_total_ != p_.total)) report();
}

void ProgressMeter::report() {
    reported_ = p_.done;
    reported_total_ = p_.total;
    next_ = p_.done + step_;
    last_ = now();
    ++reports_;
    hook_(p_);
}

}  // namespace portout
