// Where time comes from: the system clock in production, a hand-moved clock in tests, so that
// lockout expiry and doubling can be tested without sleeping.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace portout {

// Milliseconds since the Unix epoch, UTC: what the store records.
using Millis = std::int64_t;

class Clock {
public:
    virtual ~Clock() = default;
    virtual Millis now_ms() const = 0;
};

class SystemClock final : public Clock {
public:
    Millis now_ms() const override;
};

// A clock that moves only when told to. Safe to read and move from several threads.
class ManualClock final : public Clock {
public:
    explicit ManualClock(Millis start_ms) : now_(start_ms) {}
    Millis now_ms() const override { return now_.load(); }
    void set_ms(Millis ms) { now_.store(ms); }
    void advance_ms(Millis ms) { now_.fetch_add(ms); }

private:
    std::atomic<Millis> now_;
};

}  // namespace portout
