#include "service/worker_pool.hpp"

#include <exception>
#include <system_error>
#include <utility>

namespace portout {

WorkerPool::~WorkerPool() {
    if (::getpid() != pid_) {
        for (auto& w : all_) static_cast<void>(w.release());  // no such threads here
        return;
    }
    for (auto& w : all_) {
        {
            std::lock_guard lock(w->m);
            w->stop = true;
        }
        w->cv.notify_one();
        w->thread.join();
    }
}

std::future<bool> WorkerPool::run(std::function<bool()> job) {
    if (::getpid() != pid_) throw std::system_error(std::make_error_code(std::errc::resource_unavailable_try_again));
    Worker* w = nullptr;
    {
        std::lock_guard lock(m_);
        if (!idle_.empty()) {
            w = idle_.back();
            idle_.pop_back();
        } else {
            all_.reserve(all_.size() + 1);  // so that nothing throws once the thread runs
            auto made = std::make_unique<Worker>();
            made->thread = std::thread([this, raw = made.get()] { serve(*raw); });
            w = made.get();
            all_.push_back(std::move(made));
        }
    }
    std::promise<bool> promise;
    auto result = promise.get_future();
    {
        std::lock_guard lock(w->m);
        w->job = std::move(job);
        w->promise = std::move(promise);
    }
    w->cv.notify_one();
    return result;
}

void WorkerPool::serve(Worker& w) {
    for (;;) {
        std::function<bool()> job;
        std::promise<bool> promise;
        {
            std::unique_lock lock(w.m);
            w.cv.wait(lock, [&] { return w.stop || w.job; });
            if (w.stop) return;
            job = std::exchange(w.job, nullptr);
            promise = std::move(w.promise);
        }
        std::exception_ptr error;
        bool value = false;
        try {
            value = job();
        } catch (...) {
            error = std::current_exception();
        }
        {
            std::lock_guard lock(m_);  // idle again before the caller hears back
            idle_.push_back(&w);
        }
        if (error) {
            promise.set_exception(error);
        } else {
            promise.set_value(value);
        }
    }
}

}  // namespace portout
