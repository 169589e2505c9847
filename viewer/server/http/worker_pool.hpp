// A fixed set of threads taking tasks from one FIFO queue: the HTTP server's handlers run
// here, never on its event loop.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace tblog::view::http {

class WorkerPool {
public:
    explicit WorkerPool(int threads) {
        for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { work(); });
    }
    ~WorkerPool() { shutdown(); }
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    void post(std::function<void()> task) {
        {
            std::lock_guard lk(mu_);
            if (stopping_) return;
            queue_.push_back(std::move(task));
        }
        cv_.notify_one();
    }

    // Drops queued tasks, waits for running ones; idempotent.
    void shutdown() {
        {
            std::lock_guard lk(mu_);
            stopping_ = true;
            queue_.clear();
        }
        cv_.notify_all();
        for (auto& t : threads_)
            if (t.joinable()) t.join();
    }

    int size() const { return static_cast<int>(threads_.size()); }
    int busy() const { return busy_.load(); }

private:
    void work() {
        for (;;) {
            std::function<void()> task;
            {
                std::unique_lock lk(mu_);
                cv_.wait(lk, [this] { return stopping_ || !queue_.empty(); });
                if (stopping_) return;
                task = std::move(queue_.front());
                queue_.pop_front();
            }
            ++busy_;
            task();
            --busy_;
        }
    }

    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<std::function<void()>> queue_;
    bool stopping_ = false;
    std::atomic<int> busy_{0};
    std::vector<std::thread> threads_;
};

}  // namespace tblog::view::http
