// Idle connections of a store, kept for the next transaction: a few, each used by one thread
// at a time. A backend says which connections are still fit for use.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

namespace portout::sql {

template <class Connection>
class Pool {
public:
    static constexpr std::size_t kMaxIdle = 8;

    // An idle connection that `fit` accepts (the others are closed), or none.
    template <class Fit>
    std::unique_ptr<Connection> take(Fit fit) {
        std::lock_guard lock(mutex_);
        while (!idle_.empty()) {
            auto c = std::move(idle_.back());
            idle_.pop_back();
            if (fit(*c)) return c;
        }
        return nullptr;
    }
    // Keeps the connection for later, or closes it when enough are kept.
    void give(std::unique_ptr<Connection> connection) noexcept {
        if (!connection) return;
        std::lock_guard lock(mutex_);
        if (idle_.size() >= kMaxIdle) return;
        try {
            idle_.push_back(std::move(connection));
        } catch (...) {
            // Out of memory for the pool: the connection is closed instead.
        }
    }

private:
    std::mutex mutex_;
    std::vector<std::unique_ptr<Connection>> idle_;
};

}  // namespace portout::sql
