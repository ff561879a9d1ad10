// Threads kept for the one side of two things done at once (the attempt's commit while the
// calling thread hashes; a verification while it hashes another): one per call in flight, made
// when none is idle and reused after (a thread made and joined per call would put its start and
// its exit on every call's path).
//
// A process forked with the pool in it has none of its threads: there the pool runs nothing
// (callers then do both things one after the other) and leaves the copies it inherited alone.
#pragma once

#include <sys/types.h>
#include <unistd.h>

#include <condition_variable>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace portout {

class WorkerPool {
public:
    WorkerPool() = default;
    ~WorkerPool();
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    // Runs `job` on an idle thread (a new one if none is), or throws std::system_error.
    std::future<bool> run(std::function<bool()> job);

private:
    struct Worker {
        std::thread thread;
        std::mutex m;
        std::condition_variable cv;
        std::function<bool()> job;
        std::promise<bool> promise;
        bool stop = false;
    };

    void serve(Worker& w);

    const pid_t pid_ = ::getpid();
    std::mutex m_;
    std::vector<std::unique_ptr<Worker>> all_;  // guarded by m_
    std::vector<Worker*> idle_;                 // guarded by m_
};

}  // namespace portout
