// How far long work has gone: audit verification, key rotation, copies. A caller hands in a
// hook; the work reports through a ProgressMeter, which calls the hook as the work goes, at
// every hundredth of the total and at least once a second, and once at the end.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace portout {

struct Progress {
    std::int64_t done = 0;
    std::int64_t total = 0;  // 0 when not known beforehand
    std::string stage;       // what is being worked on now, when the work has parts (a table)
};

using ProgressHook = std::function<void(const Progress&)>;

class ProgressMeter {
public:
    using TimeSource = std::function<std::chrono::steady_clock::time_point()>;

    // `now` is for tests; by default the steady clock.
    explicit ProgressMeter(const ProgressHook& hook, std::int64_t total = 0, TimeSource now = {});

    // `n` more units done. Reports when a hundredth of the total more is done since the last
    // report, or a second has passed since it.
    void add(std::int64_t n = 1);
    // The stage now worked on; reported with the next report.
    void stage(std::string name);
    void set_total(std::int64_t total);
    // Reports the final count (the total becomes it), unless that was the last report.
    void finish();

    std::int64_t done() const { return p_.done; }
    std::int64_t reports() const { return reports_; }

    static constexpr std::chrono::milliseconds kInterval{1000};

private:
    void report();
    std::chrono::steady_clock::time_point now() const;

    const ProgressHook& hook_;
    TimeSource now_;
    Progress p_;
    std::int64_t step_ = 1;
    std::int64_t next_ = 1;
    std::int64_t reported_ = -1;
    std::int64_t reported_total_ = -1;
    std::int64_t reports_ = 0;
    std::chrono::steady_clock::time_point last_;
};

}  // namespace portout
